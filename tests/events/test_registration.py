"""Registering for events: signed-in people in one click, guests confirmed by a signed link
(forged, replayed or expired links refused), one registration per address, the waiting list
when full and its automatic promotion when someone cancels, each told by e-mail."""

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from app.errors import NotFound, ValidationError, VerificationRequired
from app.events import links, registration, service
from app.events.seats import seats_taken
from app.extensions import db
from app.models import EventRegistration, RegistrationStatus, Role
from tests.conftest import make_user
from tests.events.helpers import (
    event_data,
    link_in,
    link_parts,
    local_in,
    mails_to,
    published_event,
)


def people(count: int, role=Role.BUSINESS):
    return [make_user(f"nguoi-{n}@example.vn", role, name=f"Người {n}") for n in range(count)]


def status_of(reg_id: int) -> RegistrationStatus:
    db.session.expire_all()
    return db.session.get(EventRegistration, reg_id).status


def guest(event, email="khach@example.vn", name="Khách Mời", **more):
    data = {"name": name, "organisation": "Công ty Xanh", "email": email, **more}
    registration.register_guest(event.id, data, "vi")
    return registration.registration_for(event.id, email)


def confirm_path_parts(app, email):
    return link_parts(mails_to(app, email)[-1], "confirm")


def test_a_signed_in_person_registers_in_one_click_and_is_mailed(app, world):
    event = published_event(world["sct"], capacity=None)
    person = make_user("doanh-nghiep@example.vn", name="Nguyễn Văn A")
    done = registration.register_user(person, event.id)
    assert done.status == RegistrationStatus.CONFIRMED
    assert (done.name, done.email) == ("Nguyễn Văn A", "doanh-nghiep@example.vn")
    [mail] = mails_to(app, "doanh-nghiep@example.vn")
    assert "You are registered" in str(mail["Subject"]) or "Bạn đã đăng ký" in str(mail["Subject"])
    with pytest.raises(ValidationError):
        registration.register_user(person, event.id)


def test_an_unconfirmed_address_cannot_register_in_one_click(world):
    event = published_event(world["sct"])
    with pytest.raises(VerificationRequired):
        registration.register_user(make_user("chua@example.vn", verified=False), event.id)


def test_when_full_newcomers_wait_and_a_cancellation_promotes_the_first_waiting(app, world):
    event = published_event(world["sct"], capacity=2)
    first, second, third, fourth = people(4)
    regs = [registration.register_user(p, event.id) for p in (first, second, third, fourth)]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert seats_taken(event.id) == 2

    registration.cancel_own(second, event.id)

    assert status_of(regs[1].id) == "cancelled"
    assert status_of(regs[2].id) == "confirmed"  # the first in the queue
    assert status_of(regs[3].id) == "waiting"
    assert seats_taken(event.id) == 2
    [promoted] = [
        m
        for m in mails_to(app, third.email)
        if "A seat is yours" in str(m["Subject"]) or "Bạn đã có chỗ" in str(m["Subject"])
    ]
    assert link_in(promoted, "cancel")


def test_cancelling_a_place_on_the_waiting_list_promotes_nobody(world):
    event = published_event(world["sct"], capacity=1)
    first, second, third = people(3)
    regs = [registration.register_user(p, event.id) for p in (first, second, third)]
    registration.cancel_own(second, event.id)
    assert [status_of(r.id) for r in regs] == ["confirmed", "cancelled", "waiting"]


def test_more_seats_promote_the_waiting_list(world):
    event = published_event(world["sct"], capacity=1)
    regs = [registration.register_user(p, event.id) for p in people(3)]
    service.update_event(world["sct"], event.id, {"capacity": 2}, event.version)
    assert [status_of(r.id) for r in regs] == ["confirmed", "confirmed", "waiting"]


def test_capacity_cannot_drop_below_the_seats_taken(world):
    event = published_event(world["sct"], capacity=3)
    for person in people(2):
        registration.register_user(person, event.id)
    with pytest.raises(ValidationError) as refusal:
        service.update_event(world["sct"], event.id, {"capacity": 1}, event.version)
    assert "capacity" in refusal.value.errors


def test_a_guest_takes_no_seat_until_they_open_the_link(app, world):
    event = published_event(world["sct"], capacity=1)
    pending = guest(event)
    assert pending.status == "pending" and seats_taken(event.id) == 0
    late = registration.register_user(people(1)[0], event.id)  # the seat was still free
    assert late.status == "confirmed"

    reg_id, token = confirm_path_parts(app, "khach@example.vn")
    done = registration.confirm_guest(reg_id, token)

    assert done.status == "waiting"  # full by now: the guest waits
    registration.cancel_own(late.user, event.id)
    assert status_of(pending.id) == "confirmed"


def test_a_confirmation_link_works_once(app, world):
    event = published_event(world["sct"])
    guest(event)
    reg_id, token = confirm_path_parts(app, "khach@example.vn")
    registration.confirm_guest(reg_id, token)
    with pytest.raises(NotFound):
        registration.confirm_guest(reg_id, token)  # replayed


def test_a_replayed_confirmation_after_cancelling_does_not_register_again(app, world):
    event = published_event(world["sct"])
    reg = guest(event)
    reg_id, token = confirm_path_parts(app, "khach@example.vn")
    registration.confirm_guest(reg_id, token)
    registration.cancel_by_link(*link_parts(mails_to(app, "khach@example.vn")[-1], "cancel"))
    with pytest.raises(NotFound):
        registration.confirm_guest(reg_id, token)
    assert status_of(reg.id) == "cancelled"


@pytest.mark.parametrize(
    "forge",
    [
        lambda reg_id, token: (reg_id, token[:-2] + ("AA" if not token.endswith("AA") else "BB")),
        lambda reg_id, token: (reg_id + 1, token),
        lambda reg_id, token: (reg_id, "not-a-token"),
        lambda reg_id, token: (
            reg_id,
            URLSafeTimedSerializer("another-key", salt=links.CONFIRM_SALT).dumps({"r": reg_id}),
        ),
    ],
    ids=["altered", "other registration", "garbage", "signed elsewhere"],
)
def test_a_forged_confirmation_link_is_refused(app, world, forge):
    event = published_event(world["sct"])
    reg = guest(event)
    guest(event, email="ban@example.vn")  # another registration the forgery might aim at
    reg_id, token = confirm_path_parts(app, "khach@example.vn")
    with pytest.raises(NotFound):
        registration.confirm_guest(*forge(reg_id, token))
    assert status_of(reg.id) == "pending"


def test_a_cancel_link_cannot_confirm_nor_a_confirm_link_cancel(app, world):
    event = published_event(world["sct"])
    person = people(1)[0]
    reg = registration.register_user(person, event.id)
    with pytest.raises(NotFound):
        registration.confirm_guest(*link_parts(mails_to(app, person.email)[-1], "cancel"))
    assert status_of(reg.id) == "confirmed"


def test_an_expired_confirmation_link_is_refused_and_the_registration_lapses(app, world):
    event = published_event(world["sct"])
    reg = guest(event)
    reg_id, token = confirm_path_parts(app, "khach@example.vn")
    app.config["EVENT_CONFIRM_MAX_AGE"] = -1  # every link is older than that
    with pytest.raises(NotFound, match="expired|hết hạn"):
        registration.confirm_guest(reg_id, token)
    assert registration.is_expired(db.session.get(EventRegistration, reg.id))
    app.config["EVENT_CONFIRM_MAX_AGE"] = links.CONFIRM_MAX_AGE
    again = guest(event, name="Khách Mời Lại")  # the address may register again
    assert again.id == reg.id and again.name == "Khách Mời Lại"


def test_one_registration_per_address_and_a_second_request_changes_nothing(app, world):
    event = published_event(world["sct"])
    guest(event, email="KHACH@example.vn")
    reg_id, token = confirm_path_parts(app, "khach@example.vn")
    registration.confirm_guest(reg_id, token)
    guest(event, email="khach@example.vn", name="Someone Else")
    regs = db.session.scalars(sa.select(EventRegistration)).all()
    assert len(regs) == 1 and regs[0].name == "Khách Mời" and regs[0].status == "confirmed"
    assert "already registered" in str(mails_to(app, "khach@example.vn")[-1]["Subject"]) or (
        "đã đăng ký" in str(mails_to(app, "khach@example.vn")[-1]["Subject"])
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "email": "a@example.vn"}, "name"),
        ({"name": "A", "email": "not an address"}, "email"),
        ({"name": "A", "email": "a@example.vn", "organisation": "x" * 201}, "organisation"),
        ({"name": "x" * 121, "email": "a@example.vn"}, "name"),
    ],
)
def test_bad_guest_input_is_refused(world, data, field):
    event = published_event(world["sct"])
    with pytest.raises(ValidationError) as refusal:
        registration.register_guest(event.id, data)
    assert field in refusal.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventRegistration)) == 0


def test_no_registration_after_the_deadline_or_for_a_draft(world):
    closed = published_event(
        world["sct"], starts_at=local_in(0, 0), ends_at=local_in(0, 1), title_vi="Đã bắt đầu"
    )
    with pytest.raises(ValidationError, match="closed|hết hạn"):
        registration.register_user(people(1)[0], closed.id)
    draft = service.create_event(world["sct"], event_data(title_vi="Nháp"))
    with pytest.raises(NotFound):
        registration.register_guest(draft.id, {"name": "A", "email": "a@example.vn"})


def test_deleting_an_account_deletes_its_registrations_and_frees_its_seat(app, world):
    from werkzeug.security import generate_password_hash

    from app.accounts import personal_data

    event = published_event(world["sct"], capacity=1)
    leaving, next_in_line = people(2)
    leaving.password_hash = generate_password_hash("Mat-khau-rat-dai-2026!")
    db.session.commit()
    gone = registration.register_user(leaving, event.id).id
    waiting = registration.register_user(next_in_line, event.id).id
    exported = personal_data.export_personal_data(leaving)
    assert [r["status"] for r in exported["event_registrations"]] == ["confirmed"]

    personal_data.delete_account(leaving, "Mat-khau-rat-dai-2026!")

    assert db.session.get(EventRegistration, gone) is None
    assert status_of(waiting) == "confirmed"
