"""/api/v1/catalogue: the tree as on /catalogue, and one entry with the published firms that
supply or need it and the public programmes that target it, as on /catalogue/<code>."""

import sqlalchemy as sa

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.firms.service import published_firms_linked
from app.models import (
    CatalogueCodeAlias,
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmStatus,
    LinkRelation,
    Programme,
)
from seed.synthetic import add_synthetic_firms
from tests.api.conftest import problem


def codes(nodes) -> list[str]:
    found = []
    for node in nodes:
        found.append(node["code"])
        found.extend(codes(node["children"]))
    return found


def linked_firm(relation: LinkRelation) -> tuple[Firm, CatalogueItem]:
    """A published firm linked to an item in `relation`, and the item."""
    link = db.session.scalars(
        sa.select(FirmCatalogueLink)
        .join(Firm)
        .where(FirmCatalogueLink.relation == relation, Firm.status == FirmStatus.PUBLISHED)
        .order_by(FirmCatalogueLink.id)
    ).first()
    return link.firm, link.item


def test_the_tree_holds_every_entry_in_catalogue_order_from_the_groups_down(api):
    tree = CatalogueTree.load()

    body = api.get("/api/v1/catalogue").get_json()

    assert [group["code"] for group in body["groups"]] == [g.code for g in tree.groups]
    assert sorted(codes(body["groups"])) == sorted(tree.by_code)
    group = body["groups"][0]
    kind = group["children"][0]
    item = kind["children"][0]
    assert (group["level"], kind["level"], item["level"]) == ("group", "kind", "item")
    assert item["kind"] in ("technology", "equipment", "product")
    assert set(item["name"]) == {"vi", "en"} and item["name"]["vi"]
    assert item["url"] == f"http://cnmt.test/catalogue/{item['code']}"


def test_an_entry_shows_its_place_in_the_tree_and_the_published_firms_supplying_it(api):
    firm, item = linked_firm(LinkRelation.OFFERS)
    tree = CatalogueTree.load()

    response = api.get(f"/api/v1/catalogue/{item.code}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == item.code and body["level"] == item.level.value
    assert [a["code"] for a in body["ancestors"]] == [a.code for a in tree.ancestors(item)]
    assert [c["code"] for c in body["children"]] == [c.code for c in tree.kids(item)]
    assert firm.slug in {f["slug"] for f in body["supplied_by"]}
    group = tree.group_of(item.id)
    above = api.get(f"/api/v1/catalogue/{group.code}").get_json()
    assert firm.slug in {f["slug"] for f in above["supplied_by"]}


def test_an_entry_shows_the_published_firms_that_need_it(api):
    firm, item = linked_firm(LinkRelation.NEEDS)

    body = api.get(f"/api/v1/catalogue/{item.code}").get_json()

    assert firm.slug in {f["slug"] for f in body["needed_by"]}


def test_firms_that_are_not_published_never_show_under_an_entry(api):
    supplier, item = linked_firm(LinkRelation.OFFERS)
    buyer, needed = linked_firm(LinkRelation.NEEDS)
    supplier.status = FirmStatus.DRAFT
    buyer.status = FirmStatus.ARCHIVED
    db.session.commit()

    supplied = api.get(f"/api/v1/catalogue/{item.code}").get_json()
    need = api.get(f"/api/v1/catalogue/{needed.code}").get_json()

    assert supplier.slug not in {f["slug"] for f in supplied["supplied_by"]}
    assert buyer.slug not in {f["slug"] for f in need["needed_by"]}


def test_firms_under_an_entry_are_capped_at_fifty(api):
    add_synthetic_firms(150, random_seed=5)
    suppliers = published_firms_linked(
        CatalogueTree.load().subtree_ids(
            db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "NT"))
        ),
        LinkRelation.OFFERS,
        limit=1000,
    )
    assert len(suppliers) > 50

    body = api.get("/api/v1/catalogue/NT").get_json()

    assert [f["slug"] for f in body["supplied_by"]] == [f.slug for f in suppliers[:50]]


def test_only_public_programmes_are_listed_as_targeting_an_entry(api):
    body = api.get("/api/v1/catalogue/NT").get_json()
    shown = {p["slug"] for p in body["programmes"]}
    assert shown
    hidden, archived = (
        db.session.scalar(sa.select(Programme).where(Programme.slug == s))
        for s in sorted(shown)[:2]
    )
    hidden.published_at = None
    archived.archived = True
    db.session.commit()

    body = api.get("/api/v1/catalogue/NT").get_json()

    assert {p["slug"] for p in body["programmes"]} == shown - {hidden.slug, archived.slug}


def test_an_old_code_leads_to_the_entry_under_its_code_today(api):
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "NT.CN.01"))
    db.session.add(CatalogueCodeAlias(code="NT.OLD.01", item_id=item.id))
    db.session.commit()

    response = api.get("/api/v1/catalogue/NT.OLD.01")

    assert response.status_code == 301
    assert response.headers["Location"] == "http://cnmt.test/api/v1/catalogue/NT.CN.01"
    assert api.get("/catalogue/NT.OLD.01").status_code == 301  # as the page does


def test_an_unknown_code_is_a_problem_404(api):
    problem(api.get("/api/v1/catalogue/NOPE.99"), 404)
    problem(api.get("/api/v1/catalogue/" + "x" * 5000), 404)
