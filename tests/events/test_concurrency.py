"""Seats under concurrent registrations: many people registering for the last seats at the same
moment, each in a connection of their own (as gunicorn workers would), never take more seats
than there are; the others go on the waiting list. Also on PostgreSQL (tests/with-postgres)."""

import threading

import sqlalchemy as sa

from app.events import registration
from app.events.seats import seats_taken
from app.extensions import db
from app.models import EventRegistration, RegistrationStatus, Role
from tests.conftest import make_user
from tests.events.helpers import published_event

PEOPLE = 8
SEATS = 3


def test_concurrent_registrations_never_overbook(app, world):
    event = published_event(world["sct"], capacity=SEATS)
    people = [make_user(f"cung-luc-{n}@example.vn", Role.BUSINESS) for n in range(PEOPLE)]
    event_id, person_ids = event.id, [p.id for p in people]
    start = threading.Barrier(PEOPLE)
    failures: list[BaseException] = []

    def register(person_id: int) -> None:
        with app.app_context():
            try:
                person = db.session.get(type(people[0]), person_id)
                start.wait()
                registration.register_user(person, event_id)
            except BaseException as error:  # reported below, with the others
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(pid,)) for pid in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures
    db.session.expire_all()
    statuses = db.session.scalars(
        sa.select(EventRegistration.status).where(EventRegistration.event_id == event_id)
    ).all()
    assert len(statuses) == PEOPLE
    assert seats_taken(event_id) == SEATS
    assert statuses.count(RegistrationStatus.WAITING) == PEOPLE - SEATS
