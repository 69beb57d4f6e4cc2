"""Organising events: the rules of an event (bad input refused field by field), times entered
in Quảng Ngãi time and stored in UTC, agencies' scopes, publication, stale edits, the audit
trail, and the public list with its filters."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.events import service
from app.extensions import db
from app.models import AuditEvent, Event, Role
from tests.conftest import make_user
from tests.events.helpers import event_data, local_in, published_event


def test_times_are_entered_in_quang_ngai_time_and_stored_in_utc(world):
    event = service.create_event(
        world["sct"],
        event_data(starts_at=datetime(2027, 3, 2, 8, 0), ends_at=datetime(2027, 3, 2, 11, 30)),
    )
    assert event.starts_at == datetime(2027, 3, 2, 1, 0)
    assert event.ends_at == datetime(2027, 3, 2, 4, 30)
    assert service.event_data(event)["starts_at"] == datetime(2027, 3, 2, 8, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title_vi": "  "}, "title_vi"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": local_in(9)}, "ends_at"),
        ({"place": None, "online_url": None}, "place"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "ftp://example.org/x"}, "online_url"),
        ({"online_url": "https://"}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10**9}, "capacity"),
        ({"registration_deadline": local_in(11)}, "registration_deadline"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(world, changes, field):
    with pytest.raises(ValidationError) as refusal:
        service.create_event(world["sct"], event_data(**changes))
    assert field in refusal.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_a_curator_organises_for_their_own_agency_whatever_the_form_says(world):
    sct = world["agencies"]["SCT"]
    event = service.create_event(world["other"], event_data(agency_id=sct.id))
    assert event.agency_id == world["other"].agency_id


def test_sct_curators_manage_every_agencys_events_others_only_their_own(world):
    theirs = published_event(world["other"])
    ours = service.create_event(world["sct"], event_data(title_vi="Hội chợ của Sở Công Thương"))
    service.update_event(world["sct"], theirs.id, {"capacity": 5}, theirs.version)
    assert db.session.get(Event, theirs.id).capacity == 5
    with pytest.raises(NotFound):  # a draft of another agency: not even found
        service.update_event(world["other"], ours.id, {"capacity": 5}, ours.version)
    ours = service.change_event_state(world["sct"], ours.id, "publish", ours.version)
    with pytest.raises(Forbidden):  # public, but not theirs
        service.update_event(world["other"], ours.id, {"capacity": 5}, ours.version)
    assert [e.id for e in service.list_events_to_manage(world["other"])] == [theirs.id]
    assert len(service.list_events_to_manage(world["sct"])) == 2


def test_businesses_and_investors_cannot_create_events(world):
    for role in (Role.BUSINESS, Role.INVESTOR):
        with pytest.raises(Forbidden):
            service.create_event(make_user(f"{role}@example.vn", role), event_data())


def test_a_stale_edit_is_a_conflict_and_changes_nothing(world):
    event = service.create_event(world["sct"], event_data())
    seen = event.version
    service.update_event(world["sct"], event.id, {"title_vi": "Tên mới"}, seen)
    with pytest.raises(Conflict):
        service.update_event(world["sct"], event.id, {"title_vi": "Tên khác"}, seen)
    db.session.expire_all()
    assert db.session.get(Event, event.id).title_vi == "Tên mới"


def test_every_transition_is_audited_and_archiving_needs_a_reason(world):
    event = service.create_event(world["sct"], event_data())
    event = service.change_event_state(world["sct"], event.id, "publish", event.version)
    with pytest.raises(ValidationError):
        service.change_event_state(world["sct"], event.id, "archive", event.version, " ")
    service.change_event_state(world["sct"], event.id, "archive", event.version, "Hoãn")
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_kind == "event")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["event.create", "event.publish", "event.archive"]


def test_only_published_events_are_public_and_filters_narrow_the_list(world):
    draft = service.create_event(world["sct"], event_data(title_vi="Bản nháp"))
    fair = published_event(world["sct"], kind="trade_fair", title_vi="Hội chợ")
    online = published_event(
        world["other"],
        title_vi="Tập huấn trực tuyến",
        kind="training_course",
        place=None,
        online_url="https://example.org/lop",
    )
    past = published_event(
        world["sct"], title_vi="Đã qua", starts_at=local_in(-5), ends_at=local_in(-5, 12)
    )

    def ids(**args):
        filters = service.EventFilters.from_args(args)
        return [e.id for e in service.list_public_events(filters).events]

    assert ids() == [fair.id, online.id] or ids() == [online.id, fair.id]
    assert draft.id not in ids() and draft.id not in ids(when="past")
    assert ids(when="past") == [past.id]
    assert ids(kind="trade_fair") == [fair.id]
    assert ids(mode="online") == [online.id]
    assert ids(mode="in_place") == [fair.id]
    assert ids(agency="SKHCN") == [online.id]
    assert sorted(ids(agency="NOPE", kind="nope", mode="x", when="y")) == sorted(
        [fair.id, online.id]
    )
    with pytest.raises(NotFound):
        service.get_public_event(draft.slug)
    assert service.get_public_event(draft.slug, world["sct"]) == draft  # the organiser's preview


def test_an_event_ending_today_is_still_upcoming(world):
    earlier_today = local_in(0, 0) + timedelta(minutes=1)
    event = published_event(world["sct"], starts_at=earlier_today, ends_at=earlier_today)
    assert event in service.upcoming_events()
