"""Steps shared by the yearly-update tests: opening a year and filling in a return."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.domain import clock
from app.extensions import db
from app.models import Firm, FirmMember, FirmStatus, ReportingYear, YearlyReturn
from tests.curation.helpers import CURATOR, as_user, post_form, user

YEAR = clock.today().year - 1


def business_firm(email: str) -> Firm:
    return db.session.scalar(
        sa.select(Firm)
        .join(FirmMember)
        .where(FirmMember.user_id == user(email).id, Firm.status == FirmStatus.PUBLISHED)
    )


def open_year(client, deadline: date | None = None, year: int = YEAR):
    as_user(client, CURATOR)
    deadline = deadline or clock.today() + timedelta(days=10)
    return post_form(
        client,
        "/curation/reports",
        "/curation/reports",
        {"year": str(year), "deadline": deadline.isoformat()},
    )


def return_url(firm: Firm, year: int = YEAR) -> str:
    return f"/my/firms/{firm.id}/returns/{year}"


def return_form(**changes) -> dict:
    data = {
        "revenue_vnd": "2000000000",
        "insured_employees": "8",
        "capital_vnd": "1500000000",
        "env_output_vnd": "700000000",
        "exports_vnd": "100000000",
        "rnd_vnd": "50000000",
        "certifications": "ISO 14001",
        "workforce_needs-0-occupation": "Vận hành trạm xử lý nước thải",
        "workforce_needs-0-level": "technician",
        "workforce_needs-0-number_needed": "3",
        "workforce_needs-1-occupation": "Kỹ sư môi trường",
        "workforce_needs-1-level": "engineer",
        "workforce_needs-1-number_needed": "2",
        "action": "submit",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored_return(firm: Firm, year: int = YEAR) -> YearlyReturn:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(YearlyReturn)
        .join(ReportingYear)
        .where(YearlyReturn.firm_id == firm.id, ReportingYear.year == year)
    )
