"""VSIC industry codes: the rules one meets (`check`), how it is written (`apply`), and the
curators' actions on them — list, add, edit, delete.

A code belongs to a version of the system: 2018 (Decision 27/2018/QĐ-TTg) or 2025 (Decision
36/2025/QĐ-TTg, in force from 15/11/2025); the same code may exist in both. Firms record level-4
codes (four digits) in their business registration, so those are the codes kept here. A code a
firm's listing (or a pending change to it) uses keeps its code and version and is never deleted:
it states what the firm registered.
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app import audit
from app.authorization import authorize
from app.domain.text import fold
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.models import FirmIndustryCode, FirmRevision, IndustryCode, ReviewState, User
from app.rules import Aggregate, Problems, cleaned_text, write
from app.transaction import claim, flush, transactional

FIELDS = ("code", "version", "name_vi", "name_en")
VERSIONS = ("2025", "2018")  # newest first: the one firms choose from today
CODE_PATTERN = re.compile(r"^[0-9]{4}$")
NAME_MAX = 300


def data_of(code: IndustryCode) -> dict:
    """The code's data as `check` takes it (and its edit form shows it)."""
    return {name: getattr(code, name) for name in FIELDS}


def check(data: dict, record: IndustryCode | None = None) -> dict:
    """Every rule of a VSIC code; `data` holds FIELDS. Returns the cleaned data for `apply`;
    raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, FIELDS)
    cleaned["code"] = re.sub(r"\s+", "", cleaned["code"] or "")
    if not CODE_PATTERN.match(cleaned["code"]):
        problems.add("code", _("Enter a level-4 VSIC code: four digits, e.g. 3700."))
    if cleaned["version"] not in VERSIONS:
        problems.add("version", _("Choose VSIC 2025 or VSIC 2018."))
    if "code" not in problems.errors and "version" not in problems.errors:
        taken = db.session.scalar(
            sa.select(IndustryCode.id).where(
                IndustryCode.code == cleaned["code"], IndustryCode.version == cleaned["version"]
            )
        )
        if taken is not None and (record is None or taken != record.id):
            problems.add("code", _duplicate(cleaned["version"]))
    recoded = record is not None and (cleaned["code"], cleaned["version"]) != (
        record.code,
        record.version,
    )
    if recoded and firms_using(record):
        problems.add(
            "code",
            _(
                "Firms use this code: its code and version stay as they registered them. "
                "Add the other code as a new one instead."
            ),
        )
    if not cleaned["name_vi"]:
        problems.add("name_vi", _("Enter the name in Vietnamese."))
    for name in ("name_vi", "name_en"):
        if cleaned[name] and len(cleaned[name]) > NAME_MAX:
            problems.add(name, _("Use at most %(count)d characters.", count=NAME_MAX))
    problems.refuse()
    return cleaned


def _duplicate(version: str) -> str:
    return _("VSIC %(version)s already has this code.", version=version)


def apply(code: IndustryCode, cleaned: dict) -> IndustryCode:
    """Write checked data into the code (new or saved)."""
    message = _duplicate(cleaned["version"])
    return write(code, cleaned, ValidationError(message, errors={"code": [message]}))


INDUSTRY_CODE = Aggregate("industry_code", data_of, check, apply)


def firms_using(code: IndustryCode) -> int:
    """How many firms list the code, or ask to in a change waiting for review."""
    listed = set(
        db.session.scalars(
            sa.select(FirmIndustryCode.firm_id).where(FirmIndustryCode.industry_code_id == code.id)
        )
    )
    pending = db.session.execute(
        sa.select(FirmRevision.firm_id, FirmRevision.data).where(
            FirmRevision.state == ReviewState.PENDING
        )
    )
    for firm_id, data in pending:
        if any(e.get("industry_code_id") == code.id for e in data.get("industry_codes") or []):
            listed.add(firm_id)
    return len(listed)


def list_industry_codes(
    actor: User | None, query: str | None = None, version: str | None = None
) -> list[tuple[IndustryCode, int]]:
    """(code, number of firms listing it), newest version first, then by code; `query`
    matches the code or either name, with or without diacritics."""
    authorize(actor, "industry_code.manage")
    select = sa.select(IndustryCode).order_by(IndustryCode.version.desc(), IndustryCode.code)
    if version in VERSIONS:
        select = select.where(IndustryCode.version == version)
    counts = dict(
        db.session.execute(
            sa.select(FirmIndustryCode.industry_code_id, sa.func.count()).group_by(
                FirmIndustryCode.industry_code_id
            )
        ).all()
    )
    wanted = fold(query).split()
    rows = []
    for code in db.session.scalars(select):
        text = fold(f"{code.code} {code.name_vi} {code.name_en or ''}")
        if all(word in text for word in wanted):
            rows.append((code, counts.get(code.id, 0)))
    return rows


def get_industry_code(actor: User | None, code_id: int) -> IndustryCode:
    authorize(actor, "industry_code.manage")
    record = db.session.get(IndustryCode, code_id)
    if record is None:
        raise NotFound()
    return record


@transactional
def create_industry_code(actor: User | None, data: dict) -> IndustryCode:
    """`data` holds FIELDS."""
    authorize(actor, "industry_code.manage")
    return INDUSTRY_CODE.create(actor, data, lambda cleaned: IndustryCode())


@transactional
def update_industry_code(
    actor: User | None, code_id: int, data: dict, version: int | None
) -> IndustryCode:
    """Fields `data` leaves out keep their value; `version` is the row version the curator
    saw (not the VSIC version, which `data` may hold)."""
    return INDUSTRY_CODE.edit(actor, get_industry_code(actor, code_id), data, version)


@transactional
def delete_industry_code(actor: User | None, code_id: int, version: int | None) -> None:
    """Only a code no firm uses."""
    record = get_industry_code(actor, code_id)
    used = firms_using(record)
    if used:
        raise ValidationError(
            ngettext(
                "%(num)d firm uses VSIC %(version)s code %(code)s, so it cannot be deleted. "
                "Edit its name if it is wrong.",
                "%(num)d firms use VSIC %(version)s code %(code)s, so it cannot be deleted. "
                "Edit its name if it is wrong.",
                used,
                version=record.version,
                code=record.code,
            )
        )
    claim(record, version)
    snapshot = INDUSTRY_CODE.snapshot(record)
    db.session.delete(record)
    flush()
    audit.record(actor, "industry_code.delete", "industry_code", code_id, snapshot, None)
