"""`flask events remind`: confirmed attendees of an event starting by the end of tomorrow get
one reminder (a real mail file), once; a second run sends nothing."""

from app.events import registration
from app.events.reminders import send_reminders
from app.models import Role
from tests.conftest import make_user
from tests.events.helpers import body, local_in, mails, published_event


def test_reminders_go_once_to_confirmed_attendees_of_tomorrows_events(app, world):
    tomorrow = published_event(
        world["sct"],
        title_vi="Ngày mai",
        starts_at=local_in(1, 8),
        ends_at=local_in(1, 11),
        capacity=1,
    )
    later = published_event(
        world["sct"], title_vi="Tuần sau", starts_at=local_in(7), ends_at=local_in(7, 11)
    )
    coming, waiting = make_user("den@example.vn"), make_user("cho@example.vn", Role.INVESTOR)
    registration.register_user(coming, tomorrow.id)
    registration.register_user(waiting, tomorrow.id)  # on the waiting list: no reminder
    registration.register_user(coming, later.id)
    before = len(mails(app))

    runner = app.test_cli_runner()
    first = runner.invoke(args=["events", "remind"])
    second = runner.invoke(args=["events", "remind"])

    assert first.exit_code == 0 and "Sent 1 reminder" in first.output
    assert second.exit_code == 0 and "Sent 0 reminder" in second.output
    sent = mails(app)[before:]
    assert [m["To"] for m in sent] == ["den@example.vn"]
    assert "Ngày mai" in str(sent[0]["Subject"])
    assert "/events/registrations/" in body(sent[0])  # the cancel link, on SITE_URL
    assert "http://cnmt.test/events/" in body(sent[0])


def test_a_run_overlapping_another_sends_nothing_twice(app, world):
    event = published_event(world["sct"], starts_at=local_in(1), ends_at=local_in(1, 10))
    registration.register_user(make_user("mot@example.vn"), event.id)
    before = len(mails(app))
    reports = [send_reminders(), send_reminders()]
    assert [r.sent for r in reports] == [1, 0]
    assert len(mails(app)) == before + 1
