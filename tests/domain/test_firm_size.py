"""Decree 80/2021 size classes at every tier boundary, for both sector groups."""

import pytest

from app.domain.firm_size import BILLION, SectorGroup, SizeClass, size_class

INDUSTRY = SectorGroup.AGRI_INDUSTRY
SERVICES = SectorGroup.TRADE_SERVICES
B = BILLION


@pytest.mark.parametrize(
    ("sector", "employees", "revenue", "capital", "expected"),
    [
        # industry and construction: micro L10 R3 C3; small L100 R50 C20; medium L200 R200 C100
        (INDUSTRY, 10, 3 * B, None, SizeClass.MICRO),
        (INDUSTRY, 10, 3 * B + 1, 3 * B, SizeClass.MICRO),  # capital alone qualifies
        (INDUSTRY, 10, 3 * B + 1, 3 * B + 1, SizeClass.SMALL),
        (INDUSTRY, 11, 1 * B, 1 * B, SizeClass.SMALL),  # employees over the micro limit
        (INDUSTRY, 100, 50 * B, None, SizeClass.SMALL),
        (INDUSTRY, 100, None, 20 * B, SizeClass.SMALL),
        (INDUSTRY, 100, 50 * B + 1, 20 * B + 1, SizeClass.MEDIUM),
        (INDUSTRY, 101, 1 * B, None, SizeClass.MEDIUM),
        (INDUSTRY, 200, 200 * B, None, SizeClass.MEDIUM),
        (INDUSTRY, 200, 500 * B, 100 * B, SizeClass.MEDIUM),
        (INDUSTRY, 200, 200 * B + 1, 100 * B + 1, SizeClass.LARGE),
        (INDUSTRY, 201, 1 * B, 1 * B, SizeClass.LARGE),
        # trade and services: micro L10 R10 C3; small L50 R100 C50; medium L100 R300 C100
        (SERVICES, 10, 10 * B, None, SizeClass.MICRO),
        (SERVICES, 10, 10 * B + 1, 3 * B, SizeClass.MICRO),
        (SERVICES, 10, 10 * B + 1, 3 * B + 1, SizeClass.SMALL),
        (SERVICES, 11, 1 * B, None, SizeClass.SMALL),
        (SERVICES, 50, 100 * B, None, SizeClass.SMALL),
        (SERVICES, 50, None, 50 * B, SizeClass.SMALL),
        (SERVICES, 50, 100 * B + 1, 50 * B + 1, SizeClass.MEDIUM),
        (SERVICES, 51, 1 * B, None, SizeClass.MEDIUM),
        (SERVICES, 100, 300 * B, None, SizeClass.MEDIUM),
        (SERVICES, 100, None, 100 * B, SizeClass.MEDIUM),
        (SERVICES, 100, 300 * B + 1, 100 * B + 1, SizeClass.LARGE),
        (SERVICES, 101, 1 * B, 1 * B, SizeClass.LARGE),
    ],
)
def test_size_class_at_tier_boundaries(sector, employees, revenue, capital, expected):
    assert size_class(sector, employees, revenue, capital) == expected


@pytest.mark.parametrize(
    ("sector", "employees", "revenue", "capital"),
    [(None, 5, B, B), (INDUSTRY, None, B, B), (INDUSTRY, 5, None, None)],
)
def test_size_class_is_unknown_without_enough_inputs(sector, employees, revenue, capital):
    assert size_class(sector, employees, revenue, capital) is None


def test_stored_size_class_follows_the_inputs(app):
    from app.extensions import db
    from app.models import Firm

    firm = Firm(
        slug="f",
        tax_code="4300378569",
        legal_name="F",
        sector_group=INDUSTRY,
        insured_employees=5,
        revenue_vnd=2 * B,
    )
    db.session.add(firm)
    db.session.commit()
    assert firm.size_class == SizeClass.MICRO
    firm.insured_employees = 150
    db.session.commit()
    assert firm.size_class == SizeClass.MEDIUM
