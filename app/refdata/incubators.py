"""Incubators: the rules one meets (`check`), how it is written (`apply`), and the curators'
actions on them (create, edit, mark verified). Imports and the seed loader write incubators
through the same `check` and `apply`."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.extensions import db
from app.models import CatalogueItem, Incubator, User
from app.models.base import by_name
from app.refdata.service import get_managed
from app.rules import (
    PROVENANCE_FIELDS,
    Aggregate,
    Problems,
    check_provenance,
    cleaned_text,
    mark_verified,
    write,
)
from app.slugs import unique_slug
from app.transaction import transactional

FIELDS = (
    "name_vi",
    "name_en",
    "host_organisation",
    "ward_code",
    "services_vi",
    "services_en",
    "description_vi",
    "description_en",
    "max_startup_age_years",
    "capacity",
    "contact",
    "website",
    *PROVENANCE_FIELDS,
)
# What a verification vouches for (with the source): changing one of them unverifies the record.
FIGURES = ("capacity", "max_startup_age_years")


def data_of(incubator: Incubator) -> dict:
    """The incubator's data as `check` takes it (and its edit form shows it)."""
    data = {name: getattr(incubator, name) for name in FIELDS}
    data["focus_item_ids"] = sorted(item.id for item in incubator.focus_items)
    return data


def check(data: dict, incubator: Incubator | None = None) -> dict:
    """Every rule of an incubator; `data` holds FIELDS and focus_item_ids. Returns the cleaned
    data for `apply`; raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, FIELDS)
    if not cleaned["name_vi"]:
        problems.add("name_vi", _("Enter the name in Vietnamese."))
    if not cleaned["host_organisation"]:
        problems.add("host_organisation", _("Enter the host organisation."))
    problems.ward("ward_code", cleaned["ward_code"])
    age = cleaned["max_startup_age_years"]
    if age is not None and not 0 <= age <= 100:
        problems.add("max_startup_age_years", _("Enter a number of years between 0 and 100."))
    if cleaned["capacity"] is not None and cleaned["capacity"] < 0:
        problems.add("capacity", _("The capacity cannot be negative."))
    problems.web_address("website", cleaned["website"])
    check_provenance(cleaned, incubator, FIGURES, problems)
    cleaned["focus_items"] = problems.records(
        "focus_item_ids",
        CatalogueItem,
        data.get("focus_item_ids"),
        _("Choose catalogue entries from the list."),
    )
    problems.refuse()
    return cleaned


def apply(incubator: Incubator, cleaned: dict) -> Incubator:
    """Write checked data into the incubator (new or saved)."""
    return write(incubator, cleaned)


def state(incubator: Incubator) -> dict:
    """What audit events show: the data, and who verified it when."""
    found = {name: audit.plain(value) for name, value in data_of(incubator).items()}
    found["verified_by_agency_id"] = incubator.verified_by_agency_id
    found["verified_on"] = audit.plain(incubator.verified_on)
    return found


INCUBATOR = Aggregate("incubator", data_of, check, apply, state)


def list_incubators(actor: User | None) -> list[Incubator]:
    authorize(actor, "refdata.manage")
    return list(
        db.session.scalars(
            sa.select(Incubator)
            .options(selectinload(Incubator.focus_items))
            .order_by(by_name(Incubator.name_vi))
        )
    )


def get_incubator(actor: User | None, incubator_id: int) -> Incubator:
    return get_managed(Incubator, actor, incubator_id)


@transactional
def create_incubator(actor: User | None, data: dict) -> Incubator:
    """`data` holds FIELDS and focus_item_ids."""
    authorize(actor, "refdata.manage")
    return INCUBATOR.create(
        actor, data, lambda cleaned: Incubator(slug=unique_slug(Incubator, cleaned["name_vi"]))
    )


@transactional
def update_incubator(
    actor: User | None, incubator_id: int, data: dict, version: int | None
) -> Incubator:
    """Fields `data` leaves out keep their value."""
    return INCUBATOR.edit(actor, get_incubator(actor, incubator_id), data, version)


@transactional
def verify_incubator(actor: User | None, incubator_id: int, version: int | None) -> Incubator:
    """The actor's agency vouches, today, for the incubator's figures as they stand."""
    incubator = get_incubator(actor, incubator_id)
    authorize(actor, "incubator.verify", incubator)
    return INCUBATOR.change(
        actor, incubator, version, "verify", lambda: mark_verified(actor, incubator)
    )
