"""The unit of work: a savepoint's writes belong to the unit, so they are undone with it and
what must wait for the commit waits for the unit's; of two transactions claiming one key at
once (`insert_once`), one inserts and the other skips, without an error."""

import threading

import sqlalchemy as sa

from app.extensions import db
from app.models import Agency
from app.transaction import after_commit, insert_once, unit_of_work


def agency_codes() -> list[str]:
    """What is saved, as another connection sees it."""
    with db.engine.connect() as connection:
        return list(connection.scalars(sa.select(Agency.code).order_by(Agency.code)))


def test_a_discarded_unit_undoes_its_savepoints_even_when_they_wrote_first(app):
    with unit_of_work() as uow:
        with uow.savepoint():
            db.session.add(Agency(code="SCT", name_vi="Sở Công Thương"))
        with uow.savepoint():
            db.session.add(Agency(code="STC", name_vi="Sở Tài chính"))
        uow.discard()

    assert agency_codes() == []


def test_a_failed_unit_undoes_its_savepoints(app):
    try:
        with unit_of_work() as uow:
            with uow.savepoint():
                db.session.add(Agency(code="SCT", name_vi="Sở Công Thương"))
            raise RuntimeError("the action fails after its savepoint")
    except RuntimeError:
        pass

    assert agency_codes() == []


def test_work_after_the_commit_waits_for_the_unit_not_for_a_savepoint(app):
    done = []

    with unit_of_work() as uow:
        with uow.savepoint():
            db.session.add(Agency(code="SCT", name_vi="Sở Công Thương"))
            after_commit(lambda: done.append(agency_codes()))
        assert done == []

    assert done == [["SCT"]]


def test_of_two_transactions_claiming_one_key_at_once_one_inserts_and_the_other_skips(app):
    other = db.engine.connect()  # another run of the same cron job: claimed, not yet committed
    transaction = other.begin()
    other.execute(sa.insert(Agency).values(code="SCT", name_vi="Sở Công Thương"))
    outcome = {}

    def claim():
        with app.app_context(), unit_of_work():
            outcome["inserted"] = insert_once(Agency, code="SCT", name_vi="Sở Công Thương (2)")

    thread = threading.Thread(target=claim)
    thread.start()
    thread.join(timeout=0.5)  # it waits for the other transaction to end
    transaction.commit()
    other.close()
    thread.join(timeout=30)

    assert outcome == {"inserted": False}
    assert agency_codes() == ["SCT"]
    with unit_of_work():
        assert insert_once(Agency, code="STC", name_vi="Sở Tài chính")
    assert agency_codes() == ["SCT", "STC"]
