"""A small directory whose every statistic is computed by hand in the tests' expectations.

Groups NT, KT; firms F1 (NT+KT, ward A, zone Alpha, micro, verified, 2024), F2 (NT, ward A, no
zone, small, 2025), F3 (no offers, ward B, zone Alpha, size unknown, verified, 2025); F4 draft and
F5 archived must never count. Four public programmes and one draft; four interests; two
submitted returns for 2025 and one draft.
"""

from datetime import date, datetime

from app.domain.firm_size import BILLION, SectorGroup
from app.domain.places import wards_of_province
from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    FirmStatus,
    Interest,
    InterestStatus,
    InterestTarget,
    LinkRelation,
    Programme,
    ReportingYear,
    ReturnState,
    WorkforceLevel,
    WorkforceNeed,
    YearlyReturn,
    Zone,
    ZoneKind,
    ZoneStatus,
)

WARD_A, WARD_B = wards_of_province()[0][0], wards_of_province()[1][0]


def _catalogue() -> dict[str, CatalogueItem]:
    items = {}
    for order, (code, name) in enumerate([("NT", "Wastewater"), ("KT", "Exhaust gas")]):
        group = CatalogueItem(
            code=code, level=CatalogueLevel.GROUP, name_vi=code, name_en=name, sort_order=order
        )
        kind = CatalogueItem(
            code=f"{code}-TB",
            level=CatalogueLevel.KIND,
            kind=CatalogueKind.EQUIPMENT,
            name_vi=f"{code} thiết bị",
            parent=group,
        )
        items[code], items[f"{code}-TB"] = group, kind
        for number in (1, 2):
            items[f"{code}-{number}"] = CatalogueItem(
                code=f"{code}-{number}",
                level=CatalogueLevel.ITEM,
                kind=CatalogueKind.EQUIPMENT,
                name_vi=f"{code} {number}",
                parent=kind,
            )
    db.session.add_all(items.values())
    return items


def _firm(number, status, offers, ward, zone, employees, revenue, published, verified=False):
    firm = Firm(
        slug=f"f{number}",
        tax_code=f"000000000{number}",
        legal_name=f"Firm {number}",
        status=status,
        ward_code=ward,
        zone=zone,
        sector_group=SectorGroup.AGRI_INDUSTRY,
        insured_employees=employees,
        revenue_vnd=revenue,
        published_at=published,
        verified_at=published if verified else None,
    )
    firm.catalogue_links = [
        FirmCatalogueLink(item=item, relation=LinkRelation.OFFERS) for item in offers
    ]
    db.session.add(firm)
    return firm


def build_directory() -> dict:
    items = _catalogue()
    alpha = Zone(
        slug="alpha",
        name_vi="KCN Alpha",
        kind=ZoneKind.INDUSTRIAL_PARK,
        status=ZoneStatus.OPERATING,
        published_at=datetime(2024, 1, 1),
    )
    db.session.add(alpha)
    f1 = _firm(
        1,
        FirmStatus.PUBLISHED,
        [items["NT-1"], items["KT-1"]],
        WARD_A,
        alpha,
        5,
        BILLION,
        datetime(2024, 5, 1),
        verified=True,
    )
    f2 = _firm(
        2,
        FirmStatus.PUBLISHED,
        [items["NT-2"]],
        WARD_A,
        None,
        50,
        20 * BILLION,
        datetime(2025, 2, 1),
    )
    f3 = _firm(3, FirmStatus.PUBLISHED, [], WARD_B, alpha, None, None, datetime(2025, 3, 1), True)
    _firm(4, FirmStatus.DRAFT, [items["KT-1"]], WARD_B, alpha, 5, BILLION, None)
    _firm(5, FirmStatus.ARCHIVED, [items["KT-2"]], WARD_B, None, 5, BILLION, datetime(2023, 1, 1))

    agency = Agency(code="SCT", name_vi="Sở Công Thương")
    published = datetime(2024, 1, 1)

    def programme(slug, support, opens=None, closes=None, rolling=False, public=True):
        p = Programme(
            slug=slug,
            agency=agency,
            title_vi=slug,
            support_types=support,
            opens_on=opens,
            closes_on=closes,
            rolling=rolling,
            published_at=published if public else None,
        )
        db.session.add(p)
        return p

    p1 = programme("p1", ["grant", "training"], date(2020, 1, 1), date(2099, 12, 31))
    programme("p2", ["grant"], date(2099, 1, 1))
    p3 = programme("p3", ["preferential_loan"], closes=date(2021, 1, 1))
    programme("p4", ["training"], closes=date(2021, 1, 1), rolling=True)
    programme("p5", ["grant"], public=False)
    db.session.flush()

    for firm, target, status in [
        (f1, p1, InterestStatus.NEW),
        (f2, p1, InterestStatus.CONTACTED),
        (f1, p3, InterestStatus.CONTACTED),
        (f3, p1, InterestStatus.SUPPORTED),
    ]:
        db.session.add(
            Interest(
                firm=firm, target_kind=InterestTarget.PROGRAMME, target_id=target.id, status=status
            )
        )

    year = ReportingYear(year=2025, deadline=date(2026, 3, 31))
    db.session.add(year)
    for firm, state, needs in [
        (
            f1,
            ReturnState.SUBMITTED,
            [
                ("Vận hành lò đốt", WorkforceLevel.TECHNICIAN, 3),
                ("Kỹ sư môi trường", WorkforceLevel.ENGINEER, 2),
            ],
        ),
        (
            f2,
            ReturnState.SUBMITTED,
            [
                ("Vận hành lò đốt", WorkforceLevel.TECHNICIAN, 4),
                ("Kỹ sư môi trường", WorkforceLevel.MANAGER, 1),
            ],
        ),
        (f3, ReturnState.DRAFT, [("Kỹ sư môi trường", WorkforceLevel.ENGINEER, 10)]),
    ]:
        db.session.add(
            YearlyReturn(
                reporting_year=year,
                firm=firm,
                state=state,
                workforce_needs=[
                    WorkforceNeed(occupation=o, level=lv, number_needed=n) for o, lv, n in needs
                ],
            )
        )
    db.session.commit()
    return {"f1": f1, "f2": f2, "f3": f3, "alpha": alpha}
