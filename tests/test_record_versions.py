"""One optimistic-concurrency mechanism: every editable aggregate has an integer version, and
of two edits made from the same version the second is a conflict — also when both requests
read the record before either saved."""

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from app.curation import agency_data
from app.errors import Conflict
from app.events import service as events
from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    Event,
    Firm,
    Incubator,
    Interest,
    IntroductionRequest,
    InvestorProfile,
    Programme,
    ReportingYear,
    SavedSearch,
    Shortlist,
    YearlyReturn,
    Zone,
)
from app.refdata import agencies, catalogue, incubators
from tests.curation.helpers import ADMIN, CURATOR, CURATOR_KHCN, programme_of, user

STALE = "Someone else saved this record after you opened it."


@dataclass(frozen=True)
class Aggregate:
    model: type
    get: Any
    update: Any
    data_of: Any
    field: str
    editor: str  # who edits second (the first editor is an administrator)
    find: Any


AGGREGATES = {
    "catalogue item": Aggregate(
        CatalogueItem,
        catalogue.get_catalogue_item,
        catalogue.update_catalogue_item,
        catalogue.data_of,
        "name_vi",
        CURATOR,
        lambda: db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "NT.TB.05")),
    ),
    "incubator": Aggregate(
        Incubator,
        incubators.get_incubator,
        incubators.update_incubator,
        incubators.data_of,
        "name_vi",
        CURATOR,
        lambda: db.session.scalar(sa.select(Incubator).order_by(Incubator.id)),
    ),
    "agency": Aggregate(
        Agency,
        agencies.get_agency,
        agencies.update_agency,
        agencies.data_of,
        "name_vi",
        CURATOR,
        lambda: db.session.scalar(sa.select(Agency).where(Agency.code == "STC")),
    ),
    "programme": Aggregate(
        Programme,
        agency_data.get_programme_for_edit,
        agency_data.update_programme,
        agency_data.programme_data,
        "title_vi",
        CURATOR_KHCN,
        lambda: programme_of("SKHCN"),
    ),
    "zone": Aggregate(
        Zone,
        agency_data.get_zone_for_edit,
        agency_data.update_zone,
        agency_data.zone_data,
        "name_vi",
        CURATOR,
        lambda: db.session.scalar(
            sa.select(Zone).where(Zone.managing_agency.has(code="SCT")).order_by(Zone.id)
        ),
    ),
    "event": Aggregate(
        Event,
        events.get_event_for_edit,
        events.update_event,
        events.event_data,
        "title_vi",
        CURATOR_KHCN,
        lambda: db.session.scalar(
            sa.select(Event).where(Event.agency.has(code="SKHCN")).order_by(Event.id)
        ),
    ),
}


@contextmanager
def request(app):
    """A request of its own (in English): a new app context, hence its own database session."""
    with app.app_context(), app.test_request_context("/?lang=en"):
        yield


def edit(aggregate: Aggregate, email: str, record_id: int, text: str, version: int):
    record = aggregate.get(user(email), record_id)
    data = {**aggregate.data_of(record), aggregate.field: text}
    return aggregate.update(user(email), record_id, data, version)


@pytest.mark.parametrize("name", AGGREGATES)
def test_of_two_edits_racing_from_one_version_the_second_is_a_conflict(seeded_app, name):
    aggregate = AGGREGATES[name]
    record_id = aggregate.find().id

    with request(seeded_app):
        # The second request reads the record, and holds it while the first one saves.
        read = aggregate.get(user(aggregate.editor), record_id)
        seen = read.version
        with request(seeded_app):
            edit(aggregate, ADMIN, record_id, "Bản của người thứ nhất", seen)
        assert read.version == seen  # what the second request read is now out of date
        with pytest.raises(Conflict) as refused:
            edit(aggregate, aggregate.editor, record_id, "Bản của người thứ hai", seen)

    assert STALE in refused.value.message
    db.session.expire_all()
    saved = db.session.get(aggregate.model, record_id)
    assert getattr(saved, aggregate.field) == "Bản của người thứ nhất"
    assert saved.version > seen


@pytest.mark.parametrize("name", AGGREGATES)
def test_an_edit_from_an_older_version_is_a_conflict(seeded_app, name):
    aggregate = AGGREGATES[name]
    record_id = aggregate.find().id
    seen = aggregate.find().version

    with request(seeded_app):
        edit(aggregate, ADMIN, record_id, "Bản của người thứ nhất", seen)
    with request(seeded_app), pytest.raises(Conflict) as refused:
        edit(aggregate, aggregate.editor, record_id, "Bản của người thứ hai", seen)

    assert STALE in refused.value.message
    db.session.expire_all()
    assert getattr(db.session.get(aggregate.model, record_id), aggregate.field) == (
        "Bản của người thứ nhất"
    )


def test_changing_only_an_incubators_focus_still_moves_its_version(seeded_app):
    incubator = AGGREGATES["incubator"].find()
    seen, opened = incubator.version, incubators.data_of(incubator)
    kept = opened["focus_item_ids"][:1]

    with request(seeded_app):
        incubators.update_incubator(
            user(ADMIN), incubator.id, {**opened, "focus_item_ids": kept}, seen
        )
    with request(seeded_app), pytest.raises(Conflict):
        incubators.update_incubator(user(CURATOR), incubator.id, opened, seen)

    db.session.expire_all()
    assert [item.id for item in db.session.get(Incubator, incubator.id).focus_items] == kept


@pytest.mark.parametrize(
    "model",
    [
        Firm,
        CatalogueItem,
        Programme,
        Zone,
        Incubator,
        Agency,
        InvestorProfile,
        Shortlist,
        SavedSearch,
        IntroductionRequest,
        Interest,
        ReportingYear,
        YearlyReturn,
        Event,
    ],
)
def test_every_editable_aggregate_checks_its_version_on_update(model):
    assert model.__mapper__.version_id_col is model.__table__.c.version
