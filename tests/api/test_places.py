"""/api/v1/zones and /api/v1/incubators: what /zones and /incubators show, published zones only."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus, Zone
from app.places.service import list_incubators, published_firms_in_zone, zones_by_kind
from seed.synthetic import add_synthetic_firms
from tests.api.conftest import problem


def zone(slug: str) -> Zone:
    return db.session.scalar(sa.select(Zone).where(Zone.slug == slug))


def test_the_zone_list_is_the_pages_by_kind_then_name(api):
    wanted = [z.slug for zones in zones_by_kind().values() for z in zones]

    body = api.get("/api/v1/zones").get_json()

    assert [z["slug"] for z in body["items"]] == wanted and body["total"] == len(wanted)
    first = body["items"][0]
    assert first["kind"] == "economic_zone" and first["status"] in (
        "operating",
        "planned",
        "calling_for_investment",
    )
    assert first["url"] == f"http://cnmt.test/zones/{first['slug']}"
    assert set(first["name"]) == {"vi", "en"}


def test_unpublished_and_archived_zones_are_never_shown(api):
    draft, archived, parent = (
        zone("kcn-phia-tay-dung-quat"),
        zone("kcn-dung-quat-ii"),
        zone("kkt-dung-quat"),
    )
    draft.published_at = None
    archived.archived = True
    db.session.commit()

    listed = {z["slug"] for z in api.get("/api/v1/zones").get_json()["items"]}
    inside = api.get(f"/api/v1/zones/{parent.slug}").get_json()["children"]

    assert draft.slug not in listed and archived.slug not in listed
    assert [z["slug"] for z in inside] == ["kcn-phia-dong-dung-quat"]
    problem(api.get(f"/api/v1/zones/{draft.slug}"), 404)
    problem(api.get(f"/api/v1/zones/{archived.slug}"), 404)


def test_a_zone_inside_an_unpublished_one_does_not_name_it(api):
    zone("kkt-dung-quat").published_at = None
    db.session.commit()

    listed = {z["slug"]: z for z in api.get("/api/v1/zones").get_json()["items"]}
    one = api.get("/api/v1/zones/kcn-phia-dong-dung-quat").get_json()

    assert listed["kcn-phia-dong-dung-quat"]["parent"] is None and one["parent"] is None
    assert zone("kcn-phia-tay-dung-quat").parent.slug == "kkt-dung-quat"


def test_a_zone_shows_its_facts_and_the_published_firms_in_it_and_its_parks(api):
    parent = zone("kkt-dung-quat")
    firms = published_firms_in_zone(parent)
    assert firms and any(f.zone_id != parent.id for f in firms)
    hidden = firms[0]
    hidden.status = FirmStatus.DRAFT
    db.session.commit()

    response = api.get(f"/api/v1/zones/{parent.slug}")

    assert response.status_code == 200 and response.headers["Last-Modified"]
    body = response.get_json()
    assert [f["slug"] for f in body["firms"]] == [f.slug for f in firms[1:]]
    assert body["kind"] == "economic_zone" and body["parent"] is None
    assert body["description"] == {"vi": parent.description_vi, "en": parent.description_en}
    assert [i["code"] for i in body["priority_items"]] == [i.code for i in parent.priority_items]
    assert body["provenance"]["kind"] == parent.provenance.value


def test_firms_in_a_zone_are_capped_at_fifty(api):
    add_synthetic_firms(400, random_seed=11)  # 30 % of them in one of ~30 zones
    db.session.execute(
        sa.update(Firm)
        .where(Firm.legal_name.like("%mẫu tổng hợp%"))
        .values(zone_id=zone("kcn-tinh-phong").id)
    )
    db.session.commit()
    everyone = published_firms_in_zone(zone("kcn-tinh-phong"))
    assert len(everyone) > 50

    body = api.get("/api/v1/zones/kcn-tinh-phong").get_json()

    assert [f["slug"] for f in body["firms"]] == [f.slug for f in everyone[:50]]


def test_incubators_are_listed_by_name_with_their_details(api):
    wanted = list_incubators()

    body = api.get("/api/v1/incubators").get_json()
    one = api.get(f"/api/v1/incubators/{body['items'][0]['slug']}")

    assert [i["slug"] for i in body["items"]] == [i.slug for i in wanted]
    assert body["total"] == len(wanted)
    assert one.status_code == 200 and one.headers["Last-Modified"]
    detail = one.get_json()
    incubator = next(i for i in wanted if i.slug == detail["slug"])
    assert detail["host_organisation"] == incubator.host_organisation
    assert detail["services"] == {"vi": incubator.services_vi, "en": incubator.services_en}
    assert [i["code"] for i in detail["focus_items"]] == [i.code for i in incubator.focus_items]
    assert detail["url"] == f"http://cnmt.test/incubators/{incubator.slug}"


def test_unknown_zones_and_incubators_are_a_problem_404(api):
    problem(api.get("/api/v1/zones/no-such-zone"), 404)
    problem(api.get("/api/v1/incubators/no-such-incubator"), 404)
    problem(api.get("/api/v1/incubators/" + "x" * 5000), 404)
