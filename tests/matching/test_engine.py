"""Ordering properties of the matching engine, on hand-built profiles."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.matching import engine
from app.matching.profiles import Catalogue, FirmProfile, ProgrammeProfile, ZoneProfile
from app.matching.service import match_firm
from app.models import Firm, FirmStatus, GeographicScope, Programme, Zone

TODAY = date(2026, 11, 28)
# Two groups: NT (items 11, 12, 13) and KT (items 21, 22).
CATALOGUE = Catalogue(
    group_of={1: "NT", 11: "NT", 12: "NT", 13: "NT", 2: "KT", 21: "KT", 22: "KT"},
    names={
        1: "Xử lý nước thải",
        11: "MBR",
        12: "MBBR",
        13: "UASB",
        2: "Khí thải",
        21: "Lọc bụi",
        22: "Cyclone",
    },
    levels={1: "group", 2: "group", 11: "item", 12: "item", 13: "item", 21: "item", 22: "item"},
    lineage={
        1: frozenset({1}),
        2: frozenset({2}),
        **{item: frozenset({item, 1}) for item in (11, 12, 13)},
        **{item: frozenset({item, 2}) for item in (21, 22)},
    },
)


def firm(**changes) -> FirmProfile:
    values = dict(
        id=1,
        name="Firm",
        size_class="small",
        ward_code=21211,
        zone_id=None,
        founded_year=2015,
        offers=frozenset({11}),
        needs=frozenset(),
    )
    values.update(changes)
    return FirmProfile(**values)


def programme(**changes) -> ProgrammeProfile:
    values = dict(
        id=1,
        title="Programme",
        opens_on=None,
        closes_on=date(2027, 6, 30),
        rolling=False,
        sizes=frozenset(),
        types=frozenset(),
        preferred=frozenset(),
        scope="province",
        wards=frozenset(),
        zones=frozenset(),
        min_age=None,
        max_age=None,
        targets=frozenset(),
    )
    values.update(changes)
    values["targets"] = CATALOGUE.targets(values["targets"])
    return ProgrammeProfile(**values)


def evaluate(f, p, text=0.0):
    return engine.evaluate_programme(f, p, CATALOGUE, text, TODAY)


def test_eligible_candidate_outranks_an_ineligible_one_with_a_higher_score():
    eligible = evaluate(firm(), programme(id=1, title="B", sizes=frozenset({"small"})))
    ineligible = evaluate(firm(), programme(id=2, title="A", sizes=frozenset({"large"})), 1.0)
    assert ineligible.score > eligible.score
    assert [m.id for m in engine.ranked([ineligible, eligible])] == [1, 2]
    assert ineligible.section == engine.INELIGIBLE


def test_more_shared_items_rank_higher():
    targets = frozenset({11, 12, 13})
    one = evaluate(firm(id=1, offers=frozenset({11})), programme(targets=targets))
    two = evaluate(firm(id=2, offers=frozenset({11, 12})), programme(targets=targets))
    assert two.score > one.score


def test_exact_item_outranks_a_group_level_match():
    exact = evaluate(firm(offers=frozenset({11})), programme(id=1, targets=frozenset({11})))
    group = evaluate(firm(offers=frozenset({12})), programme(id=2, targets=frozenset({11})))
    assert exact.score > group.score
    assert {r.code for r in exact.reasons} >= {"domains_items"}
    assert {r.code for r in group.reasons} >= {"domains_groups"}


def test_group_target_matches_every_item_of_the_group():
    match = evaluate(firm(offers=frozenset({13})), programme(targets=frozenset({1})))
    assert match.section == engine.ELIGIBLE


def test_other_domain_is_not_eligible():
    match = evaluate(firm(offers=frozenset({21})), programme(targets=frozenset({11})))
    assert match.section == engine.INELIGIBLE


def test_closed_programmes_are_listed_apart_never_dropped():
    closed = evaluate(firm(), programme(id=1, closes_on=date(2026, 1, 1)))
    upcoming = evaluate(firm(), programme(id=2, opens_on=date(2027, 1, 1)))
    assert closed.section == engine.CLOSED
    assert upcoming.section == engine.ELIGIBLE
    assert [m.id for m in engine.ranked([closed, upcoming])] == [2, 1]


def test_missing_profile_data_is_unknown_and_names_the_field():
    match = evaluate(
        firm(size_class=None, founded_year=None, offers=frozenset()),
        programme(sizes=frozenset({"small"}), min_age=2, targets=frozenset({11})),
    )
    unknown = {r.params.get("field") for r in match.reasons if r.state == engine.UNKNOWN}
    assert unknown == {"enterprise_type", "size", "founded_year", "offers"}
    assert match.section == engine.ELIGIBLE  # unknown is not "not met"


@pytest.mark.parametrize(
    ("scope", "changes", "state"),
    [
        ("province", {}, engine.MET),
        ("province", {"ward_code": 20275}, engine.NOT_MET),  # Phường An Hải, Đà Nẵng
        ("wards", {}, engine.MET),
        ("wards", {"ward_code": 21172}, engine.NOT_MET),
        ("zones", {"zone_id": 7}, engine.MET),
        ("zones", {"zone_id": 8}, engine.NOT_MET),
        ("zones", {}, engine.NOT_MET),  # the listing names no zone
        # National programmes (VEPF, Vietnam Value, national khuyến công) are open anywhere.
        ("national", {"ward_code": 20275}, engine.MET),
        ("national", {"ward_code": None}, engine.MET),
    ],
)
def test_geographic_scope(scope, changes, state):
    match = evaluate(
        firm(**changes), programme(scope=scope, wards=frozenset({21211}), zones=frozenset({7}))
    )
    geography = next(
        r for r in match.reasons if r.code in ("national", "province", "wards", "zones", "place")
    )
    assert geography.state == state


def test_firm_age_bounds():
    young = evaluate(firm(founded_year=2024), programme(min_age=3))
    old = evaluate(firm(founded_year=2010), programme(min_age=3, max_age=10))
    fits = evaluate(firm(founded_year=2020), programme(min_age=3, max_age=10))
    assert young.section == old.section == engine.INELIGIBLE
    assert fits.section == engine.ELIGIBLE


def test_ties_break_by_name_then_id_the_same_way_every_time():
    matches = [
        evaluate(firm(), programme(id=i, title=t)) for i, t in [(3, "B"), (2, "A"), (1, "A")]
    ]
    assert [m.id for m in engine.ranked(matches)] == [1, 2, 3]
    assert [m.id for m in engine.ranked(list(reversed(matches)))] == [1, 2, 3]


def test_planned_zone_is_apart_and_wastewater_plant_is_checked():
    zone = ZoneProfile(
        id=1,
        name="KCN",
        status="planned",
        ward_code=None,
        wastewater_capacity=None,
        priorities=CATALOGUE.targets({1}),
    )
    match = engine.evaluate_zone(firm(), zone, CATALOGUE, 0.0)
    assert match.section == engine.CLOSED
    assert ("wastewater_plant", engine.UNKNOWN) in {(r.code, r.state) for r in match.reasons}


def test_a_firm_outside_the_province_is_told_the_truth_about_national_programmes(seeded_app):
    """VEPF, Vietnam Value, the national S&T programme and national khuyến công (seed data)
    are open to a Đà Nẵng firm; province-wide programmes are not."""
    record = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).first()
    record.ward_code = 20275  # Phường An Hải, Đà Nẵng
    db.session.commit()
    scopes = dict(db.session.execute(sa.select(Programme.id, Programme.geographic_scope)).all())
    national = {pid for pid, scope in scopes.items() if scope == GeographicScope.NATIONAL}
    assert len(national) == 4
    for match in match_firm(record.id)["programme"]:
        geography = {r.code: r.state for r in match.reasons}
        if match.id in national:
            assert geography["national"] == engine.MET, match.name
            assert "province" not in geography
        elif scopes[match.id] == GeographicScope.PROVINCE:
            assert geography["province"] == engine.NOT_MET, match.name
            assert match.section != engine.ELIGIBLE


def test_a_programme_for_an_economic_zone_covers_the_parks_inside_it(seeded_app):
    kkt = db.session.scalar(sa.select(Zone).where(Zone.slug == "kkt-dung-quat"))
    park = db.session.scalars(sa.select(Zone).where(Zone.parent_id == kkt.id)).first()
    record = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).first()
    record.zone_id = park.id
    programme_record = db.session.scalar(
        sa.select(Programme).where(Programme.geographic_scope == GeographicScope.ZONES)
    )
    programme_record.zones = [kkt]
    db.session.commit()
    [match] = [m for m in match_firm(record.id)["programme"] if m.id == programme_record.id]
    assert {r.code: r.state for r in match.reasons}["zones"] == engine.MET


# Enterprise types, required and preferred criteria, needs (issue 12, items 3, 5, 6, 7) ----------


def test_sme_support_is_for_enterprises_and_branches_never_household_businesses():
    sme = programme(sizes=frozenset({"micro", "small", "medium"}))
    household = evaluate(firm(enterprise_type="household", size_class=None), sme)
    company = evaluate(firm(enterprise_type="joint_stock", size_class="small"), sme)
    big_parent = evaluate(firm(enterprise_type="branch", size_class="large"), sme)
    assert household.section == engine.INELIGIBLE
    assert ("enterprise_type", engine.NOT_MET) in {(r.code, r.state) for r in household.reasons}
    assert "size" not in {r.code for r in household.reasons}  # it has no size class to check
    assert company.section == engine.ELIGIBLE
    assert big_parent.section == engine.INELIGIBLE  # a branch takes its parent's size


def test_a_programme_that_lists_household_businesses_admits_them_whatever_the_size_rule():
    rural = programme(
        sizes=frozenset({"micro", "small"}), types=frozenset({"joint_stock", "household"})
    )
    household = evaluate(firm(enterprise_type="household", size_class=None), rural)
    cooperative = evaluate(firm(enterprise_type="cooperative", size_class=None), rural)
    assert household.section == engine.ELIGIBLE
    assert cooperative.section == engine.INELIGIBLE


def test_a_preferred_criterion_only_lowers_the_score():
    required = evaluate(firm(offers=frozenset({21})), programme(targets=frozenset({1})))
    preferred = evaluate(
        firm(offers=frozenset({21})),
        programme(targets=frozenset({1}), preferred=frozenset({"domains"})),
    )
    assert required.section == engine.INELIGIBLE
    assert preferred.section == engine.ELIGIBLE
    [domain] = [r for r in preferred.reasons if r.code == "domains"]
    assert domain.mark == "unmet_preference" and domain.params["preferred"]

    young = programme(max_age=3)
    young_preferred = programme(max_age=3, preferred=frozenset({"age"}))
    old = firm(founded_year=2000)
    assert evaluate(old, young).section == engine.INELIGIBLE
    assert evaluate(old, young_preferred).section == engine.ELIGIBLE
    assert (
        evaluate(old, young_preferred).score
        < evaluate(firm(founded_year=2025), young_preferred).score
    )


def test_a_programme_for_a_whole_group_fits_as_well_as_one_naming_the_item():
    item = evaluate(firm(offers=frozenset({11})), programme(id=1, targets=frozenset({11})))
    group = evaluate(firm(offers=frozenset({11})), programme(id=2, targets=frozenset({1})))
    assert item.score == group.score
    assert {r.code for r in group.reasons} >= {"domains_items"}


def test_a_programme_that_funds_what_the_firm_needs_is_met():
    needing = firm(offers=frozenset({21}), needs=frozenset({12}))
    match = evaluate(needing, programme(targets=frozenset({1})))
    assert match.section == engine.ELIGIBLE
    [domain] = [r for r in match.reasons if r.code == "domains_items"]
    assert domain.params["needs"] == ("MBBR",) and domain.params["items"] == ()


def test_an_incubator_focus_not_shared_is_a_preference_not_a_cross():
    incubator = engine.IncubatorProfile(
        id=1,
        name="Incubator",
        ward_code=None,
        max_startup_age=None,
        focus=CATALOGUE.targets({2}),
    )
    match = engine.evaluate_incubator(firm(), incubator, CATALOGUE, 0.0, TODAY)
    assert match.section == engine.ELIGIBLE
    assert {r.mark for r in match.reasons} >= {"unmet_preference"}
    assert "not_met" not in {r.mark for r in match.reasons}


def test_suppliers_are_the_firms_that_offer_what_a_firm_needs():
    buyer = firm(id=1, offers=frozenset(), needs=frozenset({1, 21}))
    exact = firm(id=2, name="Exact", offers=frozenset({11, 21}))
    related = firm(id=3, name="Related", offers=frozenset({22}))
    unrelated = firm(id=4, name="Other", offers=frozenset())
    matches = [
        engine.evaluate_trade(buyer, supplier, CATALOGUE, supplier)
        for supplier in (exact, related, unrelated, buyer)
    ]
    assert matches[2] is None and matches[3] is None  # nothing to offer; the buyer itself
    assert [m.id for m in engine.ranked(matches[:2])] == [2, 3]
    assert matches[0].reasons[0].params["items"] == ("Xử lý nước thải", "Lọc bụi")


def test_a_firm_in_a_park_is_located_in_the_economic_zone_around_it(seeded_app):
    from app.places.service import published_firms_in_zone

    kkt = db.session.scalar(sa.select(Zone).where(Zone.slug == "kkt-dung-quat"))
    park = db.session.scalars(sa.select(Zone).where(Zone.parent_id == kkt.id)).first()
    record = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).first()
    record.zone_id = park.id
    db.session.commit()
    assert record in published_firms_in_zone(kkt)
    [match] = [m for m in match_firm(record.id)["zone"] if m.id == kkt.id]
    assert "located_here" in {r.code for r in match.reasons}


def test_a_far_zone_ranks_below_a_near_one_with_the_same_domains():
    """Issue 12, item 8: a border zone about 136 km away is not a Mộ Đức firm's #3 zone."""
    from app.domain.places import ward_centroid

    mo_duc = ward_centroid(21400)  # Xã Mộ Đức
    assert mo_duc is not None
    near = ZoneProfile(
        id=1,
        name="Near",
        status="operating",
        ward_code=None,
        wastewater_capacity=None,
        priorities=CATALOGUE.targets({1}),
        point=(mo_duc[0] + 0.1, mo_duc[1]),
    )
    far = ZoneProfile(
        id=2,
        name="Far",
        status="operating",
        ward_code=None,
        wastewater_capacity=None,
        priorities=CATALOGUE.targets({1}),
        point=(14.73, 107.63),  # near Bờ Y
    )
    here = firm(point=mo_duc)
    near_match = engine.evaluate_zone(here, near, CATALOGUE, 0.0)
    far_match = engine.evaluate_zone(here, far, CATALOGUE, 0.0)
    assert near_match.score > far_match.score
    assert [r.params["km"] for r in far_match.reasons if r.code == "distance"][0] > 100
