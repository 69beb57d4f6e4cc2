"""Agencies: the rules one meets (`check`), how it is written (`apply`), and the curators'
actions on them. The seed loader writes agencies through the same `check` and `apply`."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app.authorization import authorize
from app.errors import ValidationError
from app.extensions import db
from app.firms.permissions import REVIEWING_AGENCY
from app.models import Agency, User
from app.refdata.service import get_managed
from app.rules import Aggregate, Problems, cleaned_text, write
from app.transaction import transactional

# The letterhead fields head and sign the documents the agency issues (Decree 30/2020/NĐ-CP).
LETTERHEAD_LIMITS = {
    "superior_name": 200,
    "abbreviation": 20,
    "place_name": 100,
    "signer_position": 200,
    "signer_name": 200,
    "recipients": 2000,
}
FIELDS = ("code", "name_vi", "name_en", "website", "email", "phone", *LETTERHEAD_LIMITS)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def data_of(agency: Agency) -> dict:
    """The agency's data as `check` takes it (and its edit form shows it)."""
    return {name: getattr(agency, name) for name in FIELDS}


def check(data: dict, agency: Agency | None = None) -> dict:
    """Every rule of an agency; `data` holds FIELDS. Returns the cleaned data for `apply`;
    raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, FIELDS)
    cleaned["code"] = (cleaned["code"] or "").upper()
    if not CODE_PATTERN.match(cleaned["code"]):
        problems.add("code", _("Use up to 20 capital letters, digits, dashes or underscores."))
    else:
        taken = db.session.scalar(sa.select(Agency.id).where(Agency.code == cleaned["code"]))
        if taken is not None and (agency is None or taken != agency.id):
            problems.add("code", _("Another agency already has this code."))
    if agency is not None and agency.code == REVIEWING_AGENCY and cleaned["code"] != agency.code:
        # Reviewer permissions are granted by this code: changing it would lock curators out.
        problems.add("code", _("The code of the reviewing agency cannot be changed."))
    if not cleaned["name_vi"]:
        problems.add("name_vi", _("Enter the name in Vietnamese."))
    if cleaned["email"] and not EMAIL_PATTERN.match(cleaned["email"]):
        problems.add("email", _("Enter a valid email address."))
    problems.web_address("website", cleaned["website"])
    for name, limit in LETTERHEAD_LIMITS.items():
        if cleaned[name] and len(cleaned[name]) > limit:
            problems.add(name, _("Keep this under %(max)s characters.", max=limit))
    problems.refuse()
    return cleaned


def apply(agency: Agency, cleaned: dict) -> Agency:
    """Write checked data into the agency (new or saved)."""
    message = _("Another agency already has this code.")
    return write(agency, cleaned, ValidationError(message, errors={"code": [message]}))


AGENCY = Aggregate("agency", data_of, check, apply)


def list_agencies(actor: User | None) -> list[Agency]:
    authorize(actor, "refdata.manage")
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))


def get_agency(actor: User | None, agency_id: int) -> Agency:
    return get_managed(Agency, actor, agency_id)


@transactional
def create_agency(actor: User | None, data: dict) -> Agency:
    """`data` holds FIELDS."""
    authorize(actor, "refdata.manage")
    return AGENCY.create(actor, data, lambda cleaned: Agency())


@transactional
def update_agency(actor: User | None, agency_id: int, data: dict, version: int | None) -> Agency:
    """Fields `data` leaves out keep their value."""
    return AGENCY.edit(actor, get_agency(actor, agency_id), data, version)
