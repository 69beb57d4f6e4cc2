"""Applying writes all rows in one transaction or none, updates by natural key, audits each
change, and a second import of the same file changes nothing."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus, Incubator, Zone
from tests.imports.helpers import (
    apply_checked,
    audit_count,
    count,
    csv_file,
    login_curator,
    upload,
    xlsx_file,
)

HEADERS = [
    "tax_code",
    "legal_name",
    "sector_group",
    "insured_employees",
    "revenue_vnd",
    "capital_vnd",
    "size_year",
    "ward_code",
    "zone",
    "offers",
    "industry_codes",
    "status",
]
ROWS = [
    [
        "0100233488",
        "Công ty TNHH Lọc Nước A",
        "agri_industry",
        "40",
        "30.000.000.000",
        "10.000.000.000",
        "2025",
        "21025",
        "kkt-dung-quat",
        "NT.CN.01; NT.CN.03",
        "3700; 4222",
        "published",
    ],
    [
        "4300378569",
        "Công ty CP Tái Chế B",
        "trade_services",
        "8",
        "",
        "2.000.000.000",
        "2025",
        "",
        "",
        "",
        "",
        "draft",
    ],
]


def firm(tax_code: str) -> Firm | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Firm).where(Firm.tax_code == tax_code))


def test_checked_file_is_applied_with_audit_events_and_no_members(client):
    login_curator(client)
    dry = upload(client, "firms", csv_file(HEADERS, ROWS))

    response = apply_checked(client, "firms", dry.get_data(as_text=True))

    assert response.status_code == 302
    created = firm("0100233488")
    assert created.status == FirmStatus.PUBLISHED and created.published_at is not None
    assert created.members == []
    assert created.revenue_vnd == 30_000_000_000
    assert created.zone.slug == "kkt-dung-quat"
    assert sorted(link.item.code for link in created.offerings) == ["NT.CN.01", "NT.CN.03"]
    assert created.primary_industry_code.code == "3700"
    assert firm("4300378569").status == FirmStatus.DRAFT
    assert firm("4300378569").published_at is None
    assert audit_count("import.firms") == 2
    page = client.get(response.location).get_data(as_text=True)
    assert "Imported: 2 created, 0 updated, 0 unchanged." in page


def test_a_file_with_one_bad_row_applies_nothing_even_when_asked(client):
    login_curator(client)
    bad = [*ROWS, ["0100233480", "Công ty sai mã", "", "", "", "", "", "", "", "", "", ""]]
    firms = count(Firm)

    response = upload(client, "firms", csv_file(HEADERS, bad), apply=True)

    assert response.status_code == 422
    assert "Problems found: nothing was saved" in response.get_data(as_text=True)
    assert count(Firm) == firms
    assert audit_count("import.firms") == 0


def test_reimporting_the_same_file_changes_nothing(client):
    login_curator(client)
    content = xlsx_file(HEADERS, ROWS)
    upload(client, "firms", content, filename="firms.xlsx", apply=True)
    version = firm("0100233488").version
    events = audit_count("import.firms")

    response = upload(client, "firms", content, filename="firms.xlsx", apply=True)

    page = client.get(response.location).get_data(as_text=True)
    assert "Imported: 0 created, 0 updated, 2 unchanged." in page
    assert audit_count("import.firms") == events
    assert firm("0100233488").version == version


def test_a_row_matching_a_tax_code_updates_only_what_changed(client):
    login_curator(client)
    upload(client, "firms", csv_file(HEADERS, ROWS), apply=True)
    changed = [ROWS[0][:3] + ["60"] + ROWS[0][4:], ROWS[1]]

    response = upload(client, "firms", csv_file(HEADERS, changed), apply=True)

    page = client.get(response.location).get_data(as_text=True)
    assert "Imported: 0 created, 1 updated, 1 unchanged." in page
    assert firm("0100233488").insured_employees == 60
    assert audit_count("import.firms") == 3


def test_zones_may_lie_inside_zones_defined_earlier_in_the_same_file(client):
    login_curator(client)
    content = csv_file(
        ["slug", "name_vi", "kind", "status", "parent", "area_ha", "priority_items", "published"],
        [
            ["kkt-moi", "Khu kinh tế Mới", "economic_zone", "planned", "", "1000", "NT", "yes"],
            ["kcn-moi", "KCN Mới", "industrial_park", "planned", "kkt-moi", "120,5", "", "no"],
        ],
    )

    upload(client, "zones", content, apply=True)

    db.session.expire_all()
    inner = db.session.scalar(sa.select(Zone).where(Zone.slug == "kcn-moi"))
    assert inner.parent.slug == "kkt-moi" and inner.area_ha == 120.5
    assert inner.parent.published_at is not None and inner.published_at is None
    assert audit_count("import.zones") == 2


def test_incubators_are_created_and_updated_by_slug(client):
    login_curator(client)
    headers = ["slug", "name_vi", "host_organisation", "capacity", "focus_items"]
    incubators = count(Incubator)
    upload(
        client,
        "incubators",
        csv_file(headers, [["vu-moi", "Vườn ươm Mới", "Trường A", "5", "KT"]]),
        apply=True,
    )

    upload(
        client,
        "incubators",
        csv_file(headers, [["vu-moi", "Vườn ươm Mới", "Trường A", "9", "KT; QT"]]),
        apply=True,
    )

    db.session.expire_all()
    incubator = db.session.scalar(sa.select(Incubator).where(Incubator.slug == "vu-moi"))
    assert count(Incubator) == incubators + 1
    assert incubator.capacity == 9
    assert [item.code for item in incubator.focus_items] == ["KT", "QT"]


def test_an_imported_branch_of_a_large_listed_enterprise_is_large(client):
    login_curator(client)
    content = csv_file(
        ["tax_code", "legal_name", "enterprise_type", "sector_group", "insured_employees"],
        [
            ["4398384686-009", "Chi nhánh Sơn Tịnh", "branch", "agri_industry", "9"],
            ["001203004567", "Hộ kinh doanh Ve chai", "household", "agri_industry", "3"],
        ],
    )

    upload(client, "firms", content, apply=True)

    assert (firm("4398384686009").enterprise_type, firm("4398384686009").size_class) == (
        "branch",
        "large",
    )
    assert (firm("001203004567").enterprise_type, firm("001203004567").size_class) == (
        "household",
        None,
    )
