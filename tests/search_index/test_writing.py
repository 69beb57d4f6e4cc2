"""Whoosh writing: one Whoosh commit per apply, its writer lock, and no folder left by a failed
rebuild (what every backend promises is in test_contract.py)."""

import random
from pathlib import Path

import pytest
from whoosh import index

from search_index import IndexLocked


def live_index(backend):
    name = (Path(backend.path) / "CURRENT").read_text().strip()
    return index.open_dir(str(Path(backend.path) / name))


def test_apply_writes_upserts_and_deletes_in_one_commit(whoosh_backend, make_doc):
    backend = whoosh_backend
    backend.apply([make_doc(id=1), make_doc(id=2)])
    before = live_index(backend).latest_generation()
    backend.apply([make_doc(id=3), make_doc(id=4), make_doc(id=1, title="Mới")], ["firm:2"])
    assert live_index(backend).latest_generation() == before + 1
    assert backend.doc_ids() == {"firm:1", "firm:3", "firm:4"}


def test_apply_raises_index_locked_when_another_writer_holds_the_lock(whoosh_backend, make_doc):
    backend = whoosh_backend
    backend.apply([make_doc(id=1)])
    lock = live_index(backend).lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(IndexLocked):
            backend.apply([make_doc(id=2)], lock_timeout=0.2)
        assert backend.doc_ids() == {"firm:1"}
    finally:
        lock.release()
    backend.apply([make_doc(id=2)], lock_timeout=0.2)
    assert backend.doc_ids() == {"firm:1", "firm:2"}


def test_failed_rebuild_leaves_no_folder_behind(whoosh_backend, make_doc):
    backend = whoosh_backend
    backend.apply([make_doc(id=1)])

    def documents():
        yield make_doc(id=2)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert backend.doc_ids() == {"firm:1"}
    assert len([p for p in Path(backend.path).iterdir() if p.name.startswith("ix-")]) == 1


def test_writes_are_kept_when_something_reseeds_the_global_random(whoosh_backend, make_doc):
    # Whoosh names new segments with the global `random`: reseeded before each write (a test
    # framework or a library may do so), every write would reuse the first segment's name.
    backend = whoosh_backend
    for number in range(1, 6):
        random.seed(0)
        backend.apply([make_doc(id=number, title=f"Doanh nghiệp số{number}")])
    assert backend.doc_ids() == {f"firm:{number}" for number in range(1, 6)}
    for number in range(1, 6):
        assert [hit.id for hit in backend.search(f"số{number}").hits] == [number]
