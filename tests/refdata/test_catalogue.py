"""Catalogue management: re-code, move, merge and delete keep every link; rules are enforced."""

import pytest
import sqlalchemy as sa

from app.errors import ValidationError
from app.extensions import db
from app.models import (
    AuditEvent,
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmStatus,
    Incubator,
    LinkRelation,
    Programme,
    Zone,
)
from app.refdata import catalogue
from app.search.engine import search_backend
from tests.curation.helpers import (
    CURATOR,
    as_user,
    confirmed_post,
    found_firm_ids,
    post_form,
    refreshed,
    user,
)

XSS = "<script>alert(1)</script>"


def item(code: str) -> CatalogueItem:
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def published_firms(count: int) -> list[Firm]:
    return list(
        db.session.scalars(
            sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
        ).all()[:count]
    )


def link_everything_to(entry: CatalogueItem) -> dict:
    """One link of each sort to `entry`: firm offer and need, programme, zone, incubator."""
    first, second = published_firms(2)
    db.session.add_all(
        [
            FirmCatalogueLink(firm=first, item=entry, relation=LinkRelation.OFFERS, note="A"),
            FirmCatalogueLink(firm=second, item=entry, relation=LinkRelation.NEEDS),
        ]
    )
    programme = db.session.scalar(sa.select(Programme).order_by(Programme.id))
    zone = db.session.scalar(sa.select(Zone).order_by(Zone.id))
    incubator = db.session.scalar(sa.select(Incubator).order_by(Incubator.id))
    for record, attribute in (
        (programme, "target_items"),
        (zone, "priority_items"),
        (incubator, "focus_items"),
    ):
        getattr(record, attribute).append(entry)
    db.session.commit()
    return {
        "offering": first,
        "needing": second,
        "programme": programme,
        "zone": zone,
        "incubator": incubator,
    }


def links_to(entry_id: int) -> dict:
    db.session.expire_all()
    firm_links = db.session.scalars(
        sa.select(FirmCatalogueLink).where(FirmCatalogueLink.item_id == entry_id)
    ).all()
    return {
        "offers": sorted(lk.firm_id for lk in firm_links if lk.relation == LinkRelation.OFFERS),
        "needs": sorted(lk.firm_id for lk in firm_links if lk.relation == LinkRelation.NEEDS),
        "programmes": _ids(Programme, Programme.target_items, entry_id),
        "zones": _ids(Zone, Zone.priority_items, entry_id),
        "incubators": _ids(Incubator, Incubator.focus_items, entry_id),
    }


def _ids(model, relationship, entry_id: int) -> list[int]:
    query = sa.select(model.id).where(relationship.any(id=entry_id)).order_by(model.id)
    return list(db.session.scalars(query))


def exists(entry_id: int) -> bool:
    query = sa.select(CatalogueItem.id).where(CatalogueItem.id == entry_id)
    return db.session.scalar(query) is not None


def item_url(entry: CatalogueItem) -> str:
    return f"/curation/refdata/catalogue/{entry.id}"


def version_of(entry) -> int:
    return refreshed(entry).version


def test_recode_keeps_every_link_and_firm_pages_and_search_show_the_new_code(seeded_app, client):
    entry = item("NT.TB.05")
    linked = link_everything_to(entry)
    before = links_to(entry.id)
    as_user(client, CURATOR)
    url = item_url(entry)

    response = post_form(
        client,
        url,
        f"{url}/recode",
        {"recode-code": "nt.cn.99", "recode-version": version_of(entry)},
    )

    assert response.status_code == 302
    assert refreshed(entry).code == "NT.CN.99"
    assert links_to(entry.id) == before
    assert sum(map(len, before.values())) == 5
    page = client.get(f"/firms/{linked['offering'].slug}").get_data(as_text=True)
    assert "NT.CN.99" in page and "NT.TB.05" not in page
    assert linked["offering"].id in found_firm_ids(seeded_app, "NT.CN.99")
    hits = search_backend(seeded_app).search("NT.CN.99", kinds=["catalogue"]).hits
    assert [str(hit.id) for hit in hits] == [str(entry.id)]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.endswith(".recode")))
    assert event.before == {"code": "NT.TB.05"} and event.after == {"code": "NT.CN.99"}


def test_recode_to_a_code_in_use_is_refused_with_the_input_kept(client):
    entry = item("NT.TB.05")
    as_user(client, CURATOR)
    url = item_url(entry)

    response = post_form(
        client, url, f"{url}/recode", {"recode-code": "NT.TB.08", "recode-version": "x"}
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Another catalogue entry already has this code." in html
    assert 'value="NT.TB.08"' in html
    assert refreshed(entry).code == "NT.TB.05"


def test_merge_moves_every_link_to_the_target_and_deletes_the_source(seeded_app, client):
    source, target = item("NT.TB.05"), item("NT.TB.08")
    linked = link_everything_to(source)
    source_id, target_before = source.id, links_to(target.id)
    expected = {
        key: sorted(set(target_before[key]) | set(ids)) for key, ids in links_to(source_id).items()
    }
    target_name = target.name_vi
    as_user(client, CURATOR)
    url = item_url(source)

    response = confirmed_post(
        client,
        url,
        f"{url}/merge",
        {"merge-target_id": target.id, "merge-version": version_of(source), "merge-reason": "dup"},
    )

    assert response.status_code == 302
    assert exists(source_id) is False
    assert links_to(target.id) == expected
    assert links_to(source_id) == {k: [] for k in expected}
    page = client.get(f"/firms/{linked['offering'].slug}").get_data(as_text=True)
    assert "NT.TB.08" in page and "NT.TB.05" not in page
    assert linked["needing"].id in found_firm_ids(seeded_app, target_name)
    assert search_backend(seeded_app).search("NT.TB.05", kinds=["catalogue"]).hits == []
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "catalogue_item.merge")
    )
    assert event.entity_id == target.id and event.reason == "dup"
    assert event.after["merged_code"] == "NT.TB.05"
    assert event.after["programmes"] == [linked["programme"].id]
    assert event.after["incubators"] == [linked["incubator"].id]


def test_merge_with_a_firm_linking_both_leaves_one_link_with_both_notes(client):
    source, target = item("NT.TB.05"), item("NT.TB.08")
    firm = published_firms(1)[0]
    db.session.add_all(
        [
            FirmCatalogueLink(firm=firm, item=source, relation=LinkRelation.OFFERS, note="MBBR"),
            FirmCatalogueLink(firm=firm, item=target, relation=LinkRelation.OFFERS, note="MBR"),
        ]
    )
    db.session.commit()
    as_user(client, CURATOR)
    url = item_url(source)

    response = confirmed_post(
        client,
        url,
        f"{url}/merge",
        {"merge-target_id": target.id, "merge-version": version_of(source)},
    )

    assert response.status_code == 302
    db.session.expire_all()
    links = db.session.scalars(
        sa.select(FirmCatalogueLink).where(FirmCatalogueLink.firm_id == firm.id)
    ).all()
    kept = [lk for lk in links if lk.item_id == target.id and lk.relation == LinkRelation.OFFERS]
    assert len(kept) == 1 and kept[0].note == "MBR / MBBR"


def test_merge_into_another_level_is_refused_and_nothing_moves(client):
    source, kind_node = item("NT.TB.05"), item("NT.CN")
    link_everything_to(source)
    before = links_to(source.id)
    as_user(client, CURATOR)
    url = item_url(source)

    response = confirmed_post(
        client,
        url,
        f"{url}/merge",
        {"merge-target_id": kind_node.id, "merge-version": version_of(source)},
    )

    assert response.status_code == 400
    assert exists(source.id)
    assert links_to(source.id) == before


def test_merging_a_kind_moves_its_items_under_the_target_kind(client):
    source, target = item("KT.SP"), item("NT.SP")
    moved = [child.id for child in source.children]
    assert moved
    as_user(client, CURATOR)
    url = item_url(source)

    response = confirmed_post(
        client,
        url,
        f"{url}/merge",
        {"merge-target_id": target.id, "merge-version": version_of(source)},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert {db.session.get(CatalogueItem, i).parent_id for i in moved} == {target.id}


def test_move_keeps_links_and_updates_the_tree(client):
    entry, new_parent = item("NT.TB.05"), item("NT.CN")
    link_everything_to(entry)
    before = links_to(entry.id)
    as_user(client, CURATOR)
    url = item_url(entry)

    response = post_form(
        client,
        url,
        f"{url}/move",
        {"move-parent_id": new_parent.id, "move-version": version_of(entry)},
    )

    assert response.status_code == 302
    moved = refreshed(entry)
    assert moved.parent_id == new_parent.id and moved.kind == new_parent.kind
    assert links_to(entry.id) == before
    tree = client.get("/curation/refdata/catalogue").get_data(as_text=True)
    cn_branch = tree.split('data-code="NT.CN"')[1].split('data-code="NT.TB"')[0]
    assert 'data-code="NT.TB.05"' in cn_branch


def test_move_to_a_wrong_level_or_into_itself_is_refused(client):
    entry, kind_node, group = item("NT.TB.05"), item("NT.TB"), item("KT")
    as_user(client, CURATOR)

    under_group = post_form(
        client,
        item_url(entry),
        f"{item_url(entry)}/move",
        {"move-parent_id": group.id, "move-version": version_of(entry)},
    )
    under_item = post_form(
        client,
        item_url(kind_node),
        f"{item_url(kind_node)}/move",
        {"move-parent_id": entry.id, "move-version": version_of(kind_node)},
    )

    assert under_group.status_code == 400
    assert "Not a valid choice." in under_group.get_data(as_text=True)
    assert under_item.status_code == 400
    assert refreshed(entry).parent_id == kind_node.id
    assert refreshed(kind_node).parent_id == item("NT").id


@pytest.mark.parametrize(
    ("code", "parent_code"),
    [
        ("NT.TB.05", "KT"),  # an item straight under a group
        ("NT.TB", "NT.TB.05"),  # a kind under its own item: a cycle and the wrong level
        ("NT.TB", "NT.TB"),  # a kind under itself
        ("NT", "KT"),  # a group is the top of the tree
    ],
)
def test_move_service_refuses_wrong_levels_and_cycles(seeded_app, code, parent_code):
    entry, parent = item(code), item(parent_code)
    parent_before = entry.parent_id

    with seeded_app.test_request_context(), pytest.raises(ValidationError) as refused:
        catalogue.move_catalogue_item(user(CURATOR), entry.id, parent.id, version_of(entry))

    assert "parent_id" in refused.value.errors
    assert refreshed(entry).parent_id == parent_before


def test_entry_with_links_cannot_be_deleted_but_an_unused_one_can(client):
    used = item("NT.TB.05")
    link_everything_to(used)
    unused = item("NT.TB.08")
    unused_id = unused.id
    as_user(client, CURATOR)

    refused = confirmed_post(
        client, item_url(used), f"{item_url(used)}/delete", {"delete-version": version_of(used)}
    )
    deleted = confirmed_post(
        client,
        item_url(unused),
        f"{item_url(unused)}/delete",
        {"delete-version": version_of(unused)},
    )

    assert refused.status_code == 400
    assert exists(used.id)
    assert deleted.status_code == 302
    assert exists(unused_id) is False


def test_create_an_item_under_a_kind_takes_its_kind_and_name_is_escaped(client):
    parent = item("NT.TB")
    as_user(client, CURATOR)
    url = "/curation/refdata/catalogue/new"

    response = post_form(
        client,
        url,
        url,
        {"parent_id": parent.id, "code": "NT.TB.99", "name_vi": XSS, "sort_order": "5"},
    )

    assert response.status_code == 302
    created = item("NT.TB.99")
    assert created.level == "item" and created.kind == parent.kind
    for page in (item_url(created), "/curation/refdata/catalogue"):
        html = client.get(page).get_data(as_text=True)
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_second_of_two_concurrent_item_edits_is_refused_and_keeps_its_input(seeded_app):
    entry = item("NT.TB.05")
    first, second = seeded_app.test_client(), seeded_app.test_client()
    as_user(first, CURATOR)
    as_user(second, "admin@demo.cnmt.vn")
    url = item_url(entry)
    token = version_of(entry)

    saved = post_form(first, url, url, {"name_vi": "Tên thứ nhất", "version": token})
    refused = post_form(second, url, url, {"name_vi": "Tên thứ hai", "version": token})

    assert saved.status_code == 302
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Someone else saved this record after you opened it." in html
    assert 'value="Tên thứ hai"' in html
    assert refreshed(entry).name_vi == "Tên thứ nhất"


def test_item_history_lists_the_edit(client):
    entry = item("NT.TB.05")
    as_user(client, CURATOR)
    url = item_url(entry)
    post_form(client, url, url, {"name_vi": "Tên mới", "version": version_of(entry)})

    html = client.get(f"/curation/refdata/history/catalogue_item/{entry.id}").get_data(as_text=True)

    assert 'data-action="catalogue_item.update"' in html and "Tên mới" in html
