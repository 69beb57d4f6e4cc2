"""The index stays true to the database: outbox rows at flush, drained after commit."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CatalogueItem, Firm, FirmStatus, OutboxOperation, SearchOutbox
from app.search.engine import search_backend
from app.search.sync import index_differences, rebuild_index

ROOT = Path(__file__).resolve().parent.parent.parent


def found_ids(app, query: str, kind: str = "firm") -> set[int]:
    result = search_backend(app).search(query, kinds=[kind], per_page=100)
    return {hit.id for hit in result.hits}


def a_published_firm() -> Firm:
    return db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))


def test_seeded_index_matches_the_database(seeded_app):
    assert index_differences(seeded_app) == (set(), set())


def test_drafts_submitted_and_rejected_firms_are_never_indexed(seeded_app):
    hidden = db.session.scalars(sa.select(Firm).where(Firm.status != FirmStatus.PUBLISHED)).all()
    indexed = search_backend(seeded_app).doc_ids()
    assert hidden
    assert all(f"firm:{firm.id}" not in indexed for firm in hidden)
    for firm in hidden:
        assert firm.id not in found_ids(seeded_app, firm.legal_name)


def test_commit_indexes_the_change(seeded_app):
    firm = a_published_firm()
    firm.description_vi = "Doanh nghiệp chuyên về công nghệ plasma lạnh khử mùi"
    db.session.commit()
    assert firm.id in found_ids(seeded_app, "plasma lanh")
    assert outbox_count() == 0


def test_rollback_indexes_nothing(seeded_app):
    firm = a_published_firm()
    firm.description_vi = "Từ khóa quýtxanh không bao giờ được lưu"
    db.session.flush()
    assert outbox_count() == 1
    db.session.rollback()
    assert outbox_count() == 0
    assert found_ids(seeded_app, "quytxanh") == set()


def test_changes_flushed_before_the_commit_are_indexed(seeded_app):
    first, second = db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(2)
    ).all()
    first.description_vi = "Lò đốt tầng sôi thế hệ mới bảyđộc"
    db.session.flush()
    second.description_vi = "Máy ép bùn băng tải támđộc"
    db.session.commit()
    assert first.id in found_ids(seeded_app, "baydoc")
    assert second.id in found_ids(seeded_app, "tamdoc")


def test_unpublishing_and_deleting_remove_from_the_index(seeded_app):
    archived, deleted = db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(2)
    ).all()
    archived.status = FirmStatus.ARCHIVED
    db.session.delete(deleted)
    db.session.commit()
    keys = search_backend(seeded_app).doc_ids()
    assert f"firm:{archived.id}" not in keys
    assert f"firm:{deleted.id}" not in keys
    assert index_differences(seeded_app) == (set(), set())


def test_recoding_a_catalogue_item_updates_the_firms_that_supply_it(seeded_app):
    item = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == "NT.CN.01"))
    suppliers = set(
        db.session.scalars(
            sa.select(Firm.id).where(
                Firm.status == FirmStatus.PUBLISHED,
                Firm.catalogue_links.any(item_id=item.id),
            )
        )
    )
    item.code = "NT.CN.901"
    item.name_vi = "Công nghệ xử lý nước thải mã mới zetaone"
    db.session.commit()
    assert suppliers
    assert suppliers <= found_ids(seeded_app, "zetaone")
    assert item.id in found_ids(seeded_app, "zetaone", kind="catalogue")


def test_rows_left_by_a_crash_are_applied_by_search_sync(seeded_app):
    seeded_app.config["SEARCH_SYNC"] = "worker"  # nothing drains after commit, as after a crash
    firm = a_published_firm()
    firm.description_vi = "Thiết bị lọc bụi tĩnh điện omegamax"
    db.session.commit()
    assert found_ids(seeded_app, "omegamax") == set()
    assert outbox_count() == 1

    result = seeded_app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert firm.id in found_ids(seeded_app, "omegamax")
    assert outbox_count() == 0


def test_search_worker_applies_changes_waiting_in_the_outbox(seeded_app):
    seeded_app.config["SEARCH_SYNC"] = "worker"
    firm = a_published_firm()
    firm.description_vi = "Thiết bị lọc bụi tĩnh điện workerdelta"
    db.session.commit()
    result = seeded_app.test_cli_runner().invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert firm.id in found_ids(seeded_app, "workerdelta")
    assert outbox_count() == 0


def test_search_check_reports_differences_and_rebuild_repairs_them(seeded_app):
    runner = seeded_app.test_cli_runner()
    firm = a_published_firm()
    search_backend(seeded_app).apply([], [("firm", firm.id)])
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"missing from index: firm:{firm.id}" in result.output

    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output


WRITER = textwrap.dedent(
    """
    import sys
    import sqlalchemy as sa
    from app import create_app
    from app.extensions import db
    from app.models import Firm
    from config import TestConfig

    database, index_dir, worker, firm_ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database
    if database.startswith("sqlite"):  # wait for a busy file instead of failing at once
        config.SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
    config.SEARCH_INDEX_DIR = index_dir
    app = create_app(config)
    with app.app_context():
        for firm_id in firm_ids:
            firm = db.session.get(Firm, int(firm_id))
            firm.description_vi = f"Cập nhật song song tokenw{worker}f{firm_id} xong"
            db.session.commit()
    """
)


def test_several_processes_writing_at_once_lose_nothing(seeded_app, tmp_path):
    firm_ids = list(
        db.session.scalars(
            sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
        )
    )[:40]
    database = seeded_app.config["SQLALCHEMY_DATABASE_URI"]
    index_dir = seeded_app.config["SEARCH_INDEX_DIR"]
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    db.session.remove()
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), database, index_dir, str(worker)]
            + [str(i) for i in firm_ids[worker::4]],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for worker in range(4)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0, 0]

    result = seeded_app.test_cli_runner().invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    for position, firm_id in enumerate(firm_ids):
        # Quoted: a whole word, not also a prefix of "tokenw0f13".
        assert found_ids(seeded_app, f'"tokenw{position % 4}f{firm_id}"') == {firm_id}
    assert index_differences(seeded_app) == (set(), set())


def test_renaming_a_catalogue_group_updates_zones_and_incubators_that_focus_on_it(seeded_app):
    from app.models import Incubator, Zone

    zone = db.session.scalar(sa.select(Zone).where(Zone.priority_items.any()))
    incubator = db.session.scalar(sa.select(Incubator).where(Incubator.focus_items.any()))
    group = zone.priority_items[0]
    group.name_vi = "Nhóm đổi tên kappaone"
    for item in incubator.focus_items:
        item.name_vi = "Nhóm đổi tên kappaone"
    db.session.commit()
    assert zone.id in found_ids(seeded_app, "kappaone", kind="zone")
    assert incubator.id in found_ids(seeded_app, "kappaone", kind="incubator")


@pytest.fixture
def spawn(tmp_path):
    """Run a script in a process of its own; any still running at teardown is killed."""
    started: list[subprocess.Popen] = []

    def spawn(source: str, *args) -> subprocess.Popen:
        script = tmp_path / f"script{len(started)}.py"
        script.write_text(source)
        process = subprocess.Popen(
            [sys.executable, str(script), *map(str, args)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        started.append(process)
        return process

    yield spawn
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until `process` signals (by creating `path`) that it reached a step."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, f"process ended early with {process.returncode}"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_search_check_content_passes_on_a_fresh_index(seeded_app):
    result = seeded_app.test_cli_runner().invoke(args=["search", "check", "--content"])
    assert result.exit_code == 0, result.output
    assert "Index matches the database." in result.output


def test_search_check_content_reports_a_document_changed_behind_the_outbox(seeded_app):
    firm = a_published_firm()
    with db.engine.begin() as connection:  # bypasses the session, so no outbox row is written
        connection.execute(
            sa.update(Firm.__table__)
            .where(Firm.__table__.c.id == firm.id)
            .values(description_vi="Mô tả đổi ngoài luồng đồng bộ")
        )
    runner = seeded_app.test_cli_runner()
    assert runner.invoke(args=["search", "check"]).exit_code == 0  # same ids: blind to content

    result = runner.invoke(args=["search", "check", "--content"])
    assert result.exit_code == 1
    assert f"stale in index: firm:{firm.id}" in result.output
    assert "1 stale" in result.output


SLOW_EDIT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app import create_app
    from app.extensions import db
    from app.models import Firm
    from config import TestConfig

    database, index_dir, firm_id, text, flushed, go = sys.argv[1:7]
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database
    if database.startswith("sqlite"):  # wait for a busy file instead of failing at once
        config.SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
    config.SEARCH_INDEX_DIR = index_dir
    app = create_app(config)
    with app.app_context():
        firm = db.session.get(Firm, int(firm_id))
        firm.description_vi = text
        db.session.flush()  # the outbox row exists now, uncommitted
        Path(flushed).touch()
        while not Path(go).exists():
            time.sleep(0.02)
        db.session.commit()
    """
)


def test_an_edit_committed_during_a_rebuild_is_in_the_index_when_it_ends(
    seeded_app, tmp_path, spawn
):
    firm_id = a_published_firm().id
    flushed, go = tmp_path / "flushed", tmp_path / "go"
    db.session.remove()
    editor = spawn(
        SLOW_EDIT,
        seeded_app.config["SQLALCHEMY_DATABASE_URI"],
        seeded_app.config["SEARCH_INDEX_DIR"],
        firm_id,
        "Lọc khí sigmaflow",
        flushed,
        go,
    )
    wait_for(flushed, editor)

    def commit_the_edit_once_documents_are_read(count: int) -> None:
        if not go.exists():
            go.touch()
            assert editor.wait(timeout=60) == 0  # its own drain finds the index busy

    rebuild_index(seeded_app, progress=commit_the_edit_once_documents_are_read)
    assert found_ids(seeded_app, "sigmaflow") == {firm_id}
    assert outbox_count() == 0
    result = seeded_app.test_cli_runner().invoke(args=["search", "check", "--content"])
    assert result.exit_code == 0, result.output


def test_a_change_committed_late_under_a_lower_outbox_id_outlives_the_rebuild(seeded_app):
    """On PostgreSQL outbox ids come from a sequence at insert time, so a transaction holding a
    lower id can commit after one holding a higher id. Emulated here on a second connection:
    row 20 commits once the rebuild has read every document, below the newest row 30."""
    early, late = db.session.scalars(
        sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(2)
    ).all()

    def outbox_row(row_id: int, firm_id: int) -> dict:
        return {
            "id": row_id,
            "entity_kind": "firm",
            "entity_id": firm_id,
            "operation": OutboxOperation.UPSERT,
        }

    with db.engine.begin() as connection:
        connection.execute(sa.insert(SearchOutbox), [outbox_row(10, early), outbox_row(30, early)])

    def commit_late_under_a_lower_id(count: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(Firm).where(Firm.id == late).values(description_vi="Sửa muộn lambdaflow")
            )
            connection.execute(sa.insert(SearchOutbox), [outbox_row(20, late)])

    rebuild_index(seeded_app, progress=commit_late_under_a_lower_id)
    assert seeded_app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert found_ids(seeded_app, "lambdaflow") == {late}
    assert outbox_count() == 0


REBUILD_THAT_STALLS = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app import create_app
    from app.search.sync import rebuild_index
    from config import TestConfig

    database, index_dir, building = sys.argv[1:4]
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database
    config.SEARCH_INDEX_DIR = index_dir
    app = create_app(config)

    def stall(count):
        Path(building).touch()
        time.sleep(120)

    with app.app_context():
        rebuild_index(app, progress=stall)
    """
)


def test_a_rebuild_killed_midway_leaves_an_index_that_sync_repairs(seeded_app, tmp_path, spawn):
    building = tmp_path / "building"
    rebuild = spawn(
        REBUILD_THAT_STALLS,
        seeded_app.config["SQLALCHEMY_DATABASE_URI"],
        seeded_app.config["SEARCH_INDEX_DIR"],
        building,
    )
    wait_for(building, rebuild)
    firm = a_published_firm()
    firm.description_vi = "Sửa trong lúc dựng lại thetaflow"
    db.session.commit()  # its drain finds the index busy: the row waits
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=60)

    runner = seeded_app.test_cli_runner()
    result = runner.invoke(args=["search", "check", "--content"])
    assert result.exit_code == 1
    assert f"stale in index: firm:{firm.id}" in result.output
    assert runner.invoke(args=["search", "sync"]).exit_code == 0
    result = runner.invoke(args=["search", "check", "--content"])
    assert result.exit_code == 0, result.output
    assert found_ids(seeded_app, "thetaflow") == {firm.id}
