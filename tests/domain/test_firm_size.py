"""Decree 80/2021 size classes at every tier boundary, for both sector groups."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.firm_size import BILLION, SectorGroup, SizeClass, classify, size_class

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
    [
        (None, 5, B, B),
        (INDUSTRY, None, B, B),
        (INDUSTRY, 5, None, None),
        # Medium by capital if it is at most 100 bn, large otherwise: not guessed upward.
        (INDUSTRY, 150, 250 * B, None),
        (SERVICES, 40, None, 60 * B),  # small by revenue if at most 100 bn
    ],
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


def test_many_employees_make_a_firm_large_whatever_its_money_figures():
    assert size_class(INDUSTRY, 201, None, None) == SizeClass.LARGE
    assert size_class(SERVICES, 101, None, None) == SizeClass.LARGE


# Amounts around every threshold, so that completions land on both sides of each limit.
AMOUNTS = sorted(
    {
        0,
        *(
            t + d
            for limit in (3, 10, 20, 50, 100, 200, 300)
            for t in [limit * B]
            for d in (-1, 0, 1)
        ),
    }
)
EMPLOYEES = sorted({0, *(n + d for n in (10, 50, 100, 200) for d in (-1, 0, 1))})


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    sector=st.sampled_from(list(SectorGroup)),
    employees=st.sampled_from(EMPLOYEES),
    revenue=st.one_of(st.none(), st.sampled_from(AMOUNTS)),
    capital=st.one_of(st.none(), st.sampled_from(AMOUNTS)),
)
def test_a_class_from_partial_figures_is_the_class_of_every_completion(
    sector, employees, revenue, capital
):
    """Decided from what is known: every value of a blank figure gives the same class.
    Unknown: two values of the blank figures give different classes (so it cannot be told)."""
    completions = {
        size_class(sector, employees, full_revenue, full_capital)
        for full_revenue in ([revenue] if revenue is not None else AMOUNTS)
        for full_capital in ([capital] if capital is not None else AMOUNTS)
    }
    found = size_class(sector, employees, revenue, capital)
    if found is None:
        assert len(completions) > 1
    else:
        assert completions == {found}


# Enterprise types (Law 04/2017/QH14: size classes are for enterprises) ---------------------------


@pytest.mark.parametrize(
    "kind", ["household", "cooperative", "public_service_unit", "other_organisation"]
)
def test_a_unit_that_is_no_enterprise_has_no_size_class_not_micro(kind):
    assert classify(kind, INDUSTRY, 6, 1 * B, 1 * B) is None


def test_a_branch_takes_its_listed_parents_class_whatever_its_own_figures():
    assert classify("branch", INDUSTRY, 70, 45 * B, 15 * B, parent=SizeClass.LARGE) == "large"
    assert classify("representative_office", SERVICES, 3, None, None, parent="medium") == "medium"


def test_a_branch_of_an_unlisted_parent_is_classed_by_the_parents_figures_it_gives():
    assert classify("branch", INDUSTRY, 160, 230 * B, 120 * B) == SizeClass.LARGE


def test_an_enterprise_and_a_unit_of_unknown_kind_are_classed_by_their_figures():
    assert classify("joint_stock", INDUSTRY, 6, 1 * B, 1 * B) == SizeClass.MICRO
    assert classify("llc_one_member", INDUSTRY, 6, 1 * B, 1 * B, parent="large") == "micro"
    assert classify(None, INDUSTRY, 6, 1 * B, 1 * B) == size_class(INDUSTRY, 6, 1 * B, 1 * B)
