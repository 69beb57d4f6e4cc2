"""The dry run reports every bad row with its line and column, and writes nothing."""

import re

from app.models import AuditEvent, Firm, Programme
from tests.imports.helpers import count, csv_file, login_curator, upload

FIRM_HEADERS = ["tax_code", "legal_name", "ward_code", "offers", "status"]
OWNED_FIRM = "4398388232"  # the demo business owns this seeded firm


def problems(html: str) -> set[tuple[int, str]]:
    rows = re.findall(
        r"<tr><td[^>]*>(\d+)</td><td[^>]*><code>([a-z_]+)</code></td><td>(.*?)</td></tr>", html
    )
    return {(int(line), column) for line, column, _message in rows}


def test_dry_run_reports_every_bad_firm_row_and_writes_nothing(client):
    login_curator(client)
    content = csv_file(
        FIRM_HEADERS,
        [
            ["0100233488", "Công ty A", "21025", "NT.CN.01", "draft"],  # line 2: fine
            ["0100233480", "Công ty B", "", "", ""],  # 3: wrong check digit
            ["01002334", "Công ty C", "", "", ""],  # 4: wrong format
            ["4300378569", "Công ty D", "99999", "", ""],  # 5: unknown ward
            ["0314409058-002", "Công ty E", "", "NT.CN.01; XX.99", ""],  # 6: unknown code
            ["0100233488", "Công ty A lần hai", "", "", ""],  # 7: duplicate of line 2
            [OWNED_FIRM, "Công ty F", "", "", ""],  # 8: registered and managed by members
            ["5555555551", "", "", "", "archived"],  # 9: missing name, status not importable
        ],
    )
    firms, audits = count(Firm), count(AuditEvent)

    response = upload(client, "firms", content)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert problems(html) == {
        (3, "tax_code"),
        (4, "tax_code"),
        (5, "ward_code"),
        (6, "offers"),
        (7, "tax_code"),
        (8, "tax_code"),
        (9, "legal_name"),
        (9, "status"),
    }
    assert "check digit is wrong" in html
    assert "A tax code has 10 digits" in html
    assert "Unknown catalogue code: XX.99." in html
    assert "line 2 of this file" in html
    assert "managed by its members" in html
    assert (count(Firm), count(AuditEvent)) == (firms, audits)


def test_dry_run_reports_bad_dates_and_unknown_agencies_in_programmes(client):
    login_curator(client)
    content = csv_file(
        ["slug", "agency", "title_vi", "opens_on", "closes_on", "target_items"],
        [
            ["ct-mot", "SCT", "Chương trình một", "01/02/2026", "2026-12-31", "NT"],
            ["ct-hai", "SCT", "Chương trình hai", "31/02/2026", "", ""],
            ["ct-ba", "KHONGCO", "Chương trình ba", "", "", ""],
            ["ct-bon", "SCT", "Chương trình bốn", "01/06/2026", "01/01/2026", ""],
        ],
    )
    programmes = count(Programme)

    html = upload(client, "programmes", content).get_data(as_text=True)

    assert problems(html) == {(3, "opens_on"), (4, "agency"), (5, "closes_on")}
    assert "Enter a date as dd/mm/yyyy" in html
    assert "Unknown agency code: KHONGCO." in html
    assert count(Programme) == programmes


def test_a_clean_file_shows_what_importing_would_do_without_writing(client):
    login_curator(client)
    content = csv_file(FIRM_HEADERS, [["0100233488", "Công ty A", "21025", "NT.CN.01", "draft"]])
    firms = count(Firm)

    html = upload(client, "firms", content).get_data(as_text=True)

    assert "Importing will create 1, update 0 and leave 0 unchanged." in html
    assert 'name="checked"' in html
    assert count(Firm) == firms


def test_unreadable_files_are_refused_with_a_reason(client):
    login_curator(client)

    html = upload(client, "firms", b"\x00\x01binary", filename="data.xlsx").get_data(as_text=True)

    assert "This file is not an XLSX workbook." in html


def test_unknown_and_missing_columns_are_reported_on_the_heading_line(client):
    login_curator(client)
    content = csv_file(["tax_code", "colour"], [["0100233488", "green"]])

    html = upload(client, "firms", content).get_data(as_text=True)

    assert problems(html) == {(1, "colour"), (1, "legal_name")}


def test_a_kind_of_unit_that_does_not_fit_the_tax_code_is_a_problem_on_its_column(client):
    login_curator(client)
    content = csv_file(
        ["tax_code", "legal_name", "enterprise_type"],
        [
            ["0100233488", "Công ty A", "joint_stock"],  # line 2: fine
            ["0100233488-001", "Chi nhánh A", "joint_stock"],  # 3: 13 digits are a branch's
            ["4300378569", "Công ty B", "representative_office"],  # 4: 10 digits are not
            ["001203004567", "Hộ kinh doanh C", "llc_one_member"],  # 5: a personal ID
            ["051078004213", "Gạch Ba Tơ", "cooperative"],  # 6: the seed's household
            ["4398384686-009", "Chi nhánh D", "branch"],  # 7: fine
            ["4300378569-002", "Chi nhánh E", "chi nhánh"],  # 8: not one of the values
        ],
    )
    firms = count(Firm)

    html = upload(client, "firms", content).get_data(as_text=True)

    assert problems(html) == {
        (3, "enterprise_type"),
        (4, "enterprise_type"),
        (5, "enterprise_type"),
        (6, "enterprise_type"),
        (8, "enterprise_type"),
    }
    assert "A 13-digit tax code belongs to a branch or representative office" in html
    assert "A branch or representative office has a 13-digit tax code" in html
    assert "A 12-digit tax code is a personal ID" in html
    assert count(Firm) == firms
