"""`flask seed`: the promised contents, idempotency, synthetic firms."""

import shutil

import pytest
import sqlalchemy as sa
from stdnum.vn import mst

from app.domain.places import is_ward
from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueLevel,
    Firm,
    FirmStatus,
    Incubator,
    Programme,
    Provenance,
    Role,
    User,
    Zone,
)
from seed.loader import SeedError, load_seed_data
from tests.conftest import SEED_DIR


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_seed_holds_the_promised_reference_and_sample_data(seeded_app):
    groups = _count(CatalogueItem, CatalogueItem.level == CatalogueLevel.GROUP)
    items = _count(CatalogueItem, CatalogueItem.level == CatalogueLevel.ITEM)
    assert groups >= 8
    assert items >= 80
    assert _count(CatalogueItem, CatalogueItem.verified.is_(True)) == 0
    assert _count(Programme) >= 10
    assert _count(Programme, Programme.basis_document.is_(None)) == 0
    assert _count(Incubator, Incubator.provenance == Provenance.SAMPLE) >= 3
    assert _count(Zone) >= 20
    assert _count(Agency) >= 6
    published = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    assert len(published) >= 40
    assert all(f.is_sample for f in published)
    assert {f.size_class for f in published} >= {"micro", "small", "medium", "large"}
    assert len({f.ward_code for f in published}) >= 15
    seeking = sum(f.seeking_investment for f in published)
    assert len(published) / 5 <= seeking <= len(published) / 2
    assert _count(Firm, Firm.status != FirmStatus.PUBLISHED) >= 3
    assert {u.role for u in db.session.scalars(sa.select(User))} == set(Role)


def test_every_seeded_programme_zone_and_incubator_is_sample_data(seeded_app):
    for model in (Programme, Zone, Incubator):
        assert _count(model, model.provenance != Provenance.SAMPLE) == 0, model


def test_vietnam_value_has_no_round_in_an_odd_year(seeded_app):
    # Vietnam Value (Thương hiệu quốc gia) selects products in even years only.
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.basis_document.contains("33/2019/TT-BCT"))
    )
    texts = (programme.title_vi, programme.title_en, programme.description_vi)
    assert not any("2027" in text for text in texts)
    assert {programme.opens_on.year, programme.closes_on.year} == {2026}


def test_investment_law_61_2020_is_never_cited_as_current(seeded_app):
    # Reported replaced by a 2025 Investment Law from 01/03/2026: cited only as "to verify".
    texts = [
        text
        for model, fields in (
            (Programme, ("basis_document", "description_vi", "description_en")),
            (Zone, ("incentives_vi", "incentives_en")),
        )
        for record in db.session.scalars(sa.select(model))
        for text in (getattr(record, name) for name in fields)
        if text and "61/2020" in text
    ]
    assert texts
    assert all("xác minh" in text or "verif" in text for text in texts)


def test_seeded_firms_have_valid_tax_codes_and_wards(seeded_app):
    for firm in db.session.scalars(sa.select(Firm)):
        assert mst.is_valid(firm.tax_code) or (len(firm.tax_code) == 12 and firm.tax_code.isdigit())
        assert is_ward(firm.ward_code)


def test_second_seed_run_changes_nothing_and_says_so(runner):
    before = _count(Firm), _count(CatalogueItem), _count(Programme), _count(User)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Nothing to do" in result.output
    assert (_count(Firm), _count(CatalogueItem), _count(Programme), _count(User)) == before


def test_seed_never_overwrites_a_curators_edit(runner):
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "NT"))
    item.name_vi = "Tên do cán bộ sửa"
    db.session.commit()
    runner.invoke(args=["seed"])
    db.session.expire_all()
    assert db.session.get(CatalogueItem, item.id).name_vi == "Tên do cán bộ sửa"


def test_synthetic_firms_are_deterministic_and_added_once(runner):
    before = _count(Firm)
    first = runner.invoke(args=["seed", "--synthetic", "25", "--random-seed", "3"])
    assert first.exit_code == 0, first.output
    assert _count(Firm) == before + 25
    codes = set(db.session.scalars(sa.select(Firm.tax_code)))
    second = runner.invoke(args=["seed", "--synthetic", "25", "--random-seed", "3"])
    assert "Nothing to do" in second.output
    assert set(db.session.scalars(sa.select(Firm.tax_code))) == codes
    assert all(mst.is_valid(code) for code in codes if len(code) != 12)


def test_seed_prints_the_demo_accounts(runner):
    result = runner.invoke(args=["seed"])
    assert "curator@demo.cnmt.vn" in result.output


def test_seed_records_meet_the_rules_of_the_forms(app, tmp_path):
    for source in SEED_DIR.iterdir():
        if source.is_file():
            shutil.copy(source, tmp_path / source.name)
    incubators = tmp_path / "incubators.yaml"
    incubators.write_text(
        incubators.read_text(encoding="utf-8").replace("  capacity: 12\n", "  capacity: -12\n", 1),
        encoding="utf-8",
    )

    with pytest.raises(SeedError) as refused:
        load_seed_data(tmp_path)

    assert "incubators.yaml vuon-uom-cnmt-mau-kkt-dung-quat: capacity" in str(refused.value)
    assert _count(Incubator) == 0
