"""Draining the outbox into the PostgreSQL index (SEARCH_BACKEND=postgres) from several processes
or hosts at once: rows another drainer holds are skipped, never waited for nor applied twice; a
document another drainer is applying waits for the next drain; a rebuild keeps drainers away.

These need the app on PostgreSQL (TEST_DATABASE_URL=postgresql…, `make test-postgres`)."""

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus, SearchOutbox
from app.search.engine import search_backend
from app.search.sync import (
    DOCUMENT_LOCKS,
    REBUILD_LOCK,
    DrainBusy,
    drain_outbox,
    index_differences,
    rebuild_index,
    stale_documents,
)


@pytest.fixture
def pg_app(seeded_app):
    """The seeded app with its index in its PostgreSQL database; nothing drains after commits."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the app's database is not PostgreSQL (set TEST_DATABASE_URL)")
    previous = seeded_app.extensions.pop("search_backend", None)
    if previous is not None:
        previous.close()
    seeded_app.config["SEARCH_BACKEND"] = "postgres"
    seeded_app.config["SEARCH_SYNC"] = "worker"
    rebuild_index(seeded_app)
    return seeded_app


def published_firms(count: int) -> list[Firm]:
    return db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(count)
    ).all()


def found_ids(app, query: str) -> set[int]:
    return {hit.id for hit in search_backend(app).search(query, kinds=["firm"]).hits}


def edit(firm: Firm, word: str) -> None:
    firm.description_vi = f"Doanh nghiệp chuyên công nghệ {word}"
    db.session.commit()


def test_rows_another_drainer_holds_are_skipped_without_waiting(pg_app):
    firm = published_firms(1)[0]
    edit(firm, "plasmaone")
    with db.engine.connect() as other:
        other.execute(sa.select(SearchOutbox.id).with_for_update())  # another drainer's claim
        report = drain_outbox(pg_app, lock_timeout=0.5)
        assert (report.upserted, report.remaining) == (0, 1)
        other.rollback()
    assert found_ids(pg_app, "plasmaone") == set()
    report = drain_outbox(pg_app)
    assert (report.upserted, report.remaining) == (1, 0)
    assert found_ids(pg_app, "plasmaone") == {firm.id}


def test_a_document_another_drainer_is_applying_waits_for_the_next_drain(pg_app):
    first, second = published_firms(2)
    edit(first, "plasmatwo")
    edit(second, "plasmatwo")
    with db.engine.connect() as other:
        other.execute(
            sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": DOCUMENT_LOCKS, "key": f"firm:{first.id}"},
        )
        report = drain_outbox(pg_app, lock_timeout=0.5)
        assert (report.upserted, report.remaining) == (1, 1)
        assert found_ids(pg_app, "plasmatwo") == {second.id}
        other.rollback()
    # Read after the other drainer is done: whatever the record says now is what is indexed.
    edit(first, "plasmathree")
    drain_outbox(pg_app)
    assert found_ids(pg_app, "plasmatwo") == {second.id}
    assert found_ids(pg_app, "plasmathree") == {first.id}


def test_drains_give_way_to_a_rebuild(pg_app):
    edit(published_firms(1)[0], "plasmafour")
    with db.engine.connect() as other:
        other.execute(sa.select(sa.func.pg_advisory_lock(REBUILD_LOCK)))
        with pytest.raises(DrainBusy):
            drain_outbox(pg_app, lock_timeout=0.5)
        other.execute(sa.select(sa.func.pg_advisory_unlock(REBUILD_LOCK)))
    assert drain_outbox(pg_app).remaining == 0


def test_several_drainers_at_once_apply_every_change_once_and_lose_none(pg_app):
    firms = published_firms(12)
    for round_ in range(3):
        for firm in firms:
            edit(firm, f"round{round_}x{firm.id}")
    reports, errors = [], []

    def drain() -> None:
        try:
            with pg_app.app_context():
                reports.append(drain_outbox(pg_app, batch=5, lock_timeout=5.0))
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    drain_outbox(pg_app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == 0
    assert index_differences(pg_app) == (set(), set())
    assert stale_documents(pg_app) == set()
    for firm in firms:
        assert found_ids(pg_app, f'"round2x{firm.id}"') == {firm.id}  # a whole word


def test_search_commands_work_on_the_postgresql_index(pg_app):
    runner = pg_app.test_cli_runner()
    firm = published_firms(1)[0]
    edit(firm, "plasmafive")
    result = runner.invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert found_ids(pg_app, "plasmafive") == {firm.id}
    search_backend(pg_app).apply([], [("firm", firm.id)])
    assert runner.invoke(args=["search", "check"]).exit_code == 1
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    edit(firm, "plasmasix")
    assert runner.invoke(args=["search", "sync"]).exit_code == 0
    result = runner.invoke(args=["search", "check", "--content"])
    assert result.exit_code == 0, result.output
    assert found_ids(pg_app, "plasmasix") == {firm.id}
