"""Imported cells go through the same parsing as forms: numbers no column holds and Unicode
digits are cell errors, control characters are dropped."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm
from tests.imports.helpers import apply_checked, csv_file, login_curator, upload
from tests.imports.test_dry_run import FIRM_HEADERS, problems

HEADERS = [*FIRM_HEADERS, "insured_employees", "revenue_vnd"]


def test_numbers_no_column_holds_are_cell_errors(client):
    login_curator(client)
    content = csv_file(
        HEADERS,
        [
            ["0100233488", "Công ty A", "²¹", "", "draft", "", ""],
            ["4300378569", "Công ty B", "", "", "draft", "99999999999999999999", ""],
            ["0314409058", "Công ty C", "", "", "draft", "", "1" + "0" * 25],
        ],
    )

    response = upload(client, "firms", content)

    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == {
        (2, "ward_code"),
        (3, "insured_employees"),
        (4, "revenue_vnd"),
    }


def test_control_characters_in_cells_are_dropped(client):
    login_curator(client)
    content = csv_file(HEADERS, [["0100233488", "Công ty\x08 Lọc\x1b Nước", "", "", "draft"]])

    dry_run = upload(client, "firms", content)
    assert dry_run.status_code == 200
    apply_checked(client, "firms", dry_run.get_data(as_text=True))

    firm = db.session.scalar(sa.select(Firm).where(Firm.tax_code == "0100233488"))
    assert firm.legal_name == "Công ty Lọc Nước"


def test_text_longer_than_its_column_is_a_cell_error_and_writes_nothing(client):
    login_curator(client)
    limit = Firm.__table__.c.legal_name.type.length
    content = csv_file(
        HEADERS,
        [
            ["0100233488", "Công ty A", "", "", "draft"],
            ["4300378569", "Công ty " + "Lọc " * limit, "", "", "draft"],
        ],
    )

    dry_run = upload(client, "firms", content)
    applied = upload(client, "firms", content, apply=True)

    assert dry_run.status_code == applied.status_code == 422
    assert problems(dry_run.get_data(as_text=True)) == {(3, "legal_name")}
    assert f"{limit}" in dry_run.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Firm)
            .where(Firm.tax_code.in_(["0100233488", "4300378569"]))
        )
        == 0
    )
