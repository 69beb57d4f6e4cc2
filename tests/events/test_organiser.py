"""The organisers' tools: attendee list by status, CSV download (formulas neutralised), the
printable check-in list and check-in; only the event's organisers (and SCT, administrators)."""

import csv
import io

import pytest

from app.errors import Forbidden, NotFound, ValidationError
from app.events import organiser, registration
from app.events.seats import seats_taken
from app.models import Role
from tests.conftest import csrf_token, login_as, make_user
from tests.events.helpers import published_event


def test_the_attendee_list_groups_registrations_by_status(world):
    event = published_event(world["other"], capacity=1)
    first, second = make_user("a@example.vn"), make_user("b@example.vn")
    registration.register_user(first, event.id)
    registration.register_user(second, event.id)
    registration.register_guest(event.id, {"name": "Khách", "email": "khach@example.vn"})
    found = organiser.attendees(world["other"], event.id)
    assert [r.email for r in found.confirmed] == ["a@example.vn"]
    assert [r.email for r in found.waiting] == ["b@example.vn"]
    assert [r.email for r in found.unconfirmed] == ["khach@example.vn"]
    assert organiser.attendees(world["sct"], event.id).event == event  # SCT sees every event


def test_only_organisers_see_attendees(world):
    event = published_event(world["sct"])
    for outsider in (
        world["other"],
        make_user("biz@example.vn"),
        make_user("inv@example.vn", Role.INVESTOR),
    ):
        with pytest.raises(Forbidden):
            organiser.attendees(outsider, event.id)
    with pytest.raises(NotFound):
        organiser.attendees(world["sct"], event.id + 100)


def test_the_csv_neutralises_formulas_users_typed(world):
    event = published_event(world["sct"])
    registration.register_user(make_user("f@example.vn", name='=HYPERLINK("http://x")'), event.id)
    registration.register_guest(
        event.id, {"name": "Khách", "organisation": "+cmd|' /C calc'!A0", "email": "g@example.vn"}
    )
    from app.tabular import csv_bytes

    rows = list(
        csv.reader(
            io.StringIO(
                csv_bytes(organiser.attendee_table(world["sct"], event.id)).decode("utf-8-sig")
            )
        )
    )
    assert len(rows[0]) == 6
    names = {row[2]: row for row in rows[1:]}
    assert names["f@example.vn"][0] == '\'=HYPERLINK("http://x")'
    assert names["g@example.vn"][1] == "'+cmd|' /C calc'!A0"


def test_check_in_records_attendance_of_confirmed_attendees_only(world):
    event = published_event(world["sct"], capacity=1)
    here = registration.register_user(make_user("co@example.vn"), event.id)
    waiting = registration.register_user(make_user("cho@example.vn"), event.id)
    organiser.set_attendance(world["sct"], event.id, here.id, True)
    assert organiser.attendees(world["sct"], event.id).attended == 1
    with pytest.raises(ValidationError):
        organiser.set_attendance(world["sct"], event.id, waiting.id, True)
    with pytest.raises(Forbidden):
        organiser.set_attendance(world["other"], event.id, here.id, False)
    organiser.set_attendance(world["sct"], event.id, here.id, False)
    assert organiser.attendees(world["sct"], event.id).attended == 0
    assert seats_taken(event.id) == 1


def test_organiser_pages_answer_and_outsiders_are_refused(app, world):
    event = published_event(world["other"], capacity=1)
    registration.register_user(make_user("co@example.vn", name="Người Đến"), event.id)
    client = app.test_client()
    login_as(client, world["other"])
    page = client.get(f"/curation/events/{event.id}/attendees")
    assert page.status_code == 200 and "Người Đến" in page.get_data(as_text=True)
    download = client.get(f"/curation/events/{event.id}/attendees.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    printable = client.get(f"/curation/events/{event.id}/check-in")
    assert printable.status_code == 200 and "print.css" in printable.get_data(as_text=True)
    token = csrf_token(client, f"/curation/events/{event.id}/attendees")
    reg_id = organiser.attendees(world["other"], event.id).confirmed[0].id
    checked = client.post(
        f"/curation/events/{event.id}/attendees/{reg_id}/check_in", data={"csrf_token": token}
    )
    assert checked.status_code == 302
    assert organiser.attendees(world["other"], event.id).attended == 1

    outsider = app.test_client()
    login_as(outsider, make_user("nguoi-ngoai@example.vn", Role.INVESTOR))
    for path in ("attendees", "attendees.csv", "check-in"):
        assert outsider.get(f"/curation/events/{event.id}/{path}").status_code == 403
    anonymous = app.test_client().get(f"/curation/events/{event.id}/attendees.csv")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
