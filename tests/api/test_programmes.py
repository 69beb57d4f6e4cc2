"""/api/v1/programmes: the public programmes of /programmes with its filters, and one programme
with what its page says about who may apply, what it gives and when."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.domain import clock
from app.extensions import db
from app.models import Programme
from app.programmes.service import ProgrammeFilters, programmes_by_status
from tests.api.conftest import problem


def programme(slug: str) -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.slug == slug))


def page_order(filters: ProgrammeFilters | None = None) -> list[str]:
    listing = programmes_by_status(filters)
    return [p.slug for found in listing.grouped.values() for p in found]


def test_the_list_is_the_pages_public_programmes_in_the_pages_order_with_todays_status(api):
    today = clock.today()

    body = api.get("/api/v1/programmes").get_json()

    assert [p["slug"] for p in body["items"]] == page_order()
    assert body["total"] == len(body["items"])
    for item in body["items"]:
        assert item["status"] == programme(item["slug"]).status_on(today).value
        assert item["url"] == f"http://cnmt.test/programmes/{item['slug']}"


def test_the_list_takes_the_pages_filters(api):
    wanted = page_order(ProgrammeFilters.from_args({"status": "open", "agency": "SKHCN"}))
    assert wanted

    body = api.get("/api/v1/programmes?status=open&agency=SKHCN").get_json()

    assert [p["slug"] for p in body["items"]] == wanted
    support = api.get("/api/v1/programmes?support=consulting").get_json()["items"]
    assert support and all("consulting" in p["support_types"] for p in support)


def test_drafts_and_archived_programmes_are_never_shown(api):
    draft, archived = (
        programme("khcn-cong-nghiep-moi-truong-quoc-gia"),
        programme("ho-tro-dnnvv-tu-van-dao-tao"),
    )
    draft.published_at = None
    archived.archived = True
    db.session.commit()

    listed = {p["slug"] for p in api.get("/api/v1/programmes").get_json()["items"]}

    assert draft.slug not in listed and archived.slug not in listed
    problem(api.get(f"/api/v1/programmes/{draft.slug}"), 404)
    problem(api.get(f"/api/v1/programmes/{archived.slug}"), 404)


def test_a_programme_says_who_may_apply_what_it_gives_and_when(api):
    found = programme("ho-tro-dnnvv-tu-van-dao-tao")
    found.eligible_ward_codes = [21100]
    found.min_firm_age_years, found.max_firm_age_years = 1, 5
    found.preferred_criteria = ["age"]
    found.rolling = False
    found.opens_on, found.closes_on = clock.today() - timedelta(days=3), date(2099, 1, 31)
    found.max_amount_vnd, found.cofinancing_pct = 1_500_000_000, 70
    found.official_url = "https://example.gov.vn/call"
    db.session.commit()

    response = api.get(f"/api/v1/programmes/{found.slug}")

    assert response.status_code == 200 and response.headers["Last-Modified"]
    body = response.get_json()
    eligibility = body["eligibility"]
    assert eligibility["enterprise_types"] == list(found.eligible_enterprise_types)
    assert eligibility["size_classes"] == list(found.eligible_size_classes)
    assert eligibility["geographic_scope"] == found.geographic_scope.value
    assert eligibility["wards"] == [
        {"code": 21100, "name": "Xã Bình Chương", "province": "Quảng Ngãi"}
    ]
    assert (eligibility["min_firm_age_years"], eligibility["max_firm_age_years"]) == (1, 5)
    assert eligibility["preferred"] == ["age"]
    assert [i["code"] for i in eligibility["target_items"]] == [i.code for i in found.target_items]
    assert body["support_types"] == list(found.support_types)
    assert body["max_amount_vnd"] == 1_500_000_000 and body["cofinancing_pct"] == 70
    assert body["opens_on"] == found.opens_on.isoformat() and body["closes_on"] == "2099-01-31"
    assert body["rolling"] is False and body["status"] == "open"
    assert body["official_url"] == "https://example.gov.vn/call"
    assert body["agency"]["code"] == found.agency.code
    assert body["title"] == {"vi": found.title_vi, "en": found.title_en}
    assert body["provenance"]["kind"] == found.provenance.value


def test_only_published_zones_are_named_in_a_programmes_scope(api):
    found = programme("uu-dai-dau-tu-cnmt-kkt-kcn")
    zones = [zone.slug for zone in found.zones]
    assert len(zones) >= 2
    hidden = found.zones[0]
    hidden.published_at = None
    db.session.commit()

    body = api.get(f"/api/v1/programmes/{found.slug}").get_json()

    assert [z["slug"] for z in body["eligibility"]["zones"]] == zones[1:]


def test_a_filter_that_names_nothing_is_refused_with_the_fields_named(api):
    for query, name in (
        ("status=archived", "status"),
        ("status=nope", "status"),
        ("support=%00", "support"),
        ("agency=" + "X" * 5000, "agency"),
    ):
        body = problem(api.get(f"/api/v1/programmes?{query}"), 422)
        assert name in body["errors"], query
    body = problem(api.get("/api/v1/programmes?agency=NOPE"), 422)
    assert "agency" in body["errors"]


def test_an_unknown_slug_is_a_problem_404(api):
    problem(api.get("/api/v1/programmes/no-such-programme"), 404)
