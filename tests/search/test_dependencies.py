"""Reference data shown in documents re-indexes every document that shows it."""

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmIndustryCode,
    FirmStatus,
    IndustryCode,
    LinkRelation,
    SearchOutbox,
)
from app.refdata.catalogue import move_catalogue_item
from app.search.engine import search_backend
from app.search.registry import SOURCES
from tests.curation.helpers import CURATOR, user


def item(code: str) -> CatalogueItem:
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def subtree_ids(entry: CatalogueItem) -> set[int]:
    ids, todo = set(), [entry]
    while todo:
        node = todo.pop()
        ids.add(node.id)
        todo.extend(node.children)
    return ids


def published_firms_offering(item_ids: set[int]) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(FirmCatalogueLink.firm_id)
            .join(Firm)
            .where(
                FirmCatalogueLink.item_id.in_(item_ids),
                FirmCatalogueLink.relation == LinkRelation.OFFERS,
                Firm.status == FirmStatus.PUBLISHED,
            )
        )
    )


def indexed_firms(app, query: str = "", **filters: list[str]) -> set[int]:
    result = search_backend(app).search(query, kinds=["firm"], filters=filters, per_page=500)
    return {hit.id for hit in result.hits}


def test_moving_a_catalogue_kind_to_another_group_moves_its_firms_in_the_group_facet(seeded_app):
    kind, old_group, new_group = item("NT.CN"), item("NT"), item("KT")
    moved_items = subtree_ids(kind)
    firms = published_firms_offering(moved_items)
    only_there = firms - published_firms_offering(subtree_ids(old_group) - moved_items)

    with seeded_app.test_request_context():
        move_catalogue_item(user(CURATOR), kind.id, new_group.id, kind.version)

    assert firms and only_there
    assert firms <= indexed_firms(seeded_app, group=[new_group.code])
    assert not only_there & indexed_firms(seeded_app, group=[old_group.code])


def test_renaming_a_vsic_code_re_indexes_the_firms_that_have_it(seeded_app):
    code = db.session.scalar(
        sa.select(IndustryCode)
        .join(FirmIndustryCode)
        .join(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED)
        .order_by(IndustryCode.id)
    )
    firms = set(
        db.session.scalars(
            sa.select(Firm.id)
            .join(FirmIndustryCode)
            .where(
                FirmIndustryCode.industry_code_id == code.id, Firm.status == FirmStatus.PUBLISHED
            )
        )
    )

    code.name_vi = "Ngành đổi tên vsicomega"
    db.session.commit()

    assert firms
    assert indexed_firms(seeded_app, "vsicomega") == firms


def test_search_check_content_reports_firms_left_stale_by_a_catalogue_move(seeded_app):
    seeded_app.config["SEARCH_SYNC"] = "worker"  # nothing drains after commit
    kind = item("NT.TB")
    firms = published_firms_offering(subtree_ids(kind))
    kind.parent = item("KT")
    db.session.commit()
    db.session.execute(sa.delete(SearchOutbox))  # as if the change had bypassed the outbox
    db.session.commit()

    result = seeded_app.test_cli_runner().invoke(args=["search", "check", "--content"])

    assert result.exit_code == 1
    assert firms
    for firm_id in firms:
        assert f"stale in index: firm:{firm_id}" in result.output


def test_every_field_a_dependency_names_is_an_attribute_of_its_model():
    for kind, source in SOURCES.items():
        for dependency in source.dependencies:
            attributes = set(sa.inspect(dependency.model).attrs.keys())
            assert set(dependency.fields) <= attributes, (kind, dependency.model.__name__)


def test_a_field_no_document_reads_queues_nothing(seeded_app):
    seeded_app.config["SEARCH_SYNC"] = "worker"
    agency = db.session.scalar(sa.select(Agency).order_by(Agency.id))
    link = db.session.scalar(sa.select(FirmCatalogueLink).order_by(FirmCatalogueLink.id))
    agency.email = "lien-he@example.vn"
    link.note = "Ghi chú mới"
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == 0
