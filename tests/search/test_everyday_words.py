"""Everyday words and English domain terms find what the official Vietnamese terms find, on the
seeded data and through the real index (seed/search_synonyms.txt)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    CatalogueItem,
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    FirmStatus,
    LinkRelation,
)
from app.search.engine import search_backend
from search_index.backend import MAX_PER_PAGE


def found(app, query: str, kind: str) -> set[int]:
    """The ids of every `kind` record the query finds, over all pages."""
    backend = search_backend(app)
    ids: set[int] = set()
    page = 1
    while True:
        result = backend.search(query, kinds=[kind], page=page, per_page=MAX_PER_PAGE)
        ids.update(hit.id for hit in result.hits)
        if page * MAX_PER_PAGE >= result.total:
            return ids
        page += 1


def items(where) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(CatalogueItem.id).where(CatalogueItem.level == CatalogueLevel.ITEM, where)
        )
    )


def firms_offering(item_ids: set[int]) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Firm.id)
            .join(FirmCatalogueLink, FirmCatalogueLink.firm_id == Firm.id)
            .where(
                Firm.status == FirmStatus.PUBLISHED,
                FirmCatalogueLink.relation == LinkRelation.OFFERS,
                FirmCatalogueLink.item_id.in_(item_ids),
            )
        )
    )


@pytest.mark.parametrize("query", ["rác thải", "rac thai", "RÁC THẢI"])
def test_rac_thai_finds_what_chat_thai_ran_finds(seeded_app, query):
    solid_waste_firms = found(seeded_app, "chất thải rắn", "firm")
    assert len(solid_waste_firms) >= 10
    assert found(seeded_app, query, "firm") >= solid_waste_firms
    # Every item of the solid-waste group, whether or not its name says "rác".
    assert found(seeded_app, query, "catalogue") >= items(CatalogueItem.code.startswith("CTR."))


def test_rac_alone_finds_solid_waste_but_the_official_term_keeps_its_precision(seeded_app):
    fine_screens = items(CatalogueItem.code == "NT.TB.09")  # "Thiết bị tách rác tinh tự động"
    assert found(seeded_app, "rác", "firm") >= found(seeded_app, "chất thải rắn", "firm")
    assert found(seeded_app, "rác", "catalogue") >= fine_screens
    # "rác" maps one way: a search for solid waste does not bring back wastewater screens.
    assert not found(seeded_app, "chất thải rắn", "catalogue") & fine_screens


@pytest.mark.parametrize("query", ["lò đốt rác", "lo dot rac", "lò đốt rác thải"])
def test_lo_dot_rac_finds_the_incinerators_and_their_makers(seeded_app, query):
    incinerators = items(CatalogueItem.name_vi.startswith("Lò đốt"))
    assert len(incinerators) == 3
    assert found(seeded_app, query, "catalogue") >= incinerators
    makers = firms_offering(incinerators)
    assert makers
    assert found(seeded_app, query, "firm") >= makers


@pytest.mark.parametrize("query", ["air pollution control", "kiểm soát ô nhiễm không khí"])
def test_air_pollution_control_finds_exhaust_gas_treatment(seeded_app, query):
    for kind in ("firm", "catalogue", "programme", "zone"):
        treatment = found(seeded_app, '"xử lý khí thải"', kind)
        assert treatment
        assert found(seeded_app, query, kind) >= treatment
    # The whole exhaust gas and dust group, dust collectors included.
    assert found(seeded_app, query, "catalogue") >= items(CatalogueItem.code.startswith("KT."))


def test_the_air_pollution_terms_find_the_same_records(seeded_app):
    english = found(seeded_app, "air pollution control", "firm")
    assert english
    assert english == found(seeded_app, "kiểm soát ô nhiễm không khí", "firm")


@pytest.mark.parametrize(
    ("everyday", "official"),
    [
        ("ve chai", '"phế liệu"'),
        ("đồng nát", '"phế liệu"'),
        ("nước bẩn", '"nước thải"'),
        ("khói", '"khí thải"'),
        ("tro bay", '"tro xỉ"'),
        ("fly ash", '"tro xỉ"'),
        ("rác thải sinh hoạt", '"chất thải rắn sinh hoạt"'),
        ("rác y tế", '"chất thải y tế"'),
        ("bãi rác", '"chôn lấp"'),
        ("sắt vụn", '"phế liệu kim loại"'),
        ("biogas", '"khí sinh học"'),
    ],
)
def test_an_everyday_word_finds_what_the_official_term_finds(seeded_app, everyday, official):
    for kind in ("firm", "catalogue"):
        wanted = found(seeded_app, official, kind)
        assert found(seeded_app, everyday, kind) >= wanted
    assert found(seeded_app, official, "firm") | found(seeded_app, official, "catalogue")
