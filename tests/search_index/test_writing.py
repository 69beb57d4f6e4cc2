"""Writing: upsert, delete, one commit per apply, the writer lock, atomic rebuilds, digests."""

from pathlib import Path

import pytest
from whoosh import index

from search_index import IndexLocked, WhooshBackend, document_digest


def live_index(backend):
    name = (Path(backend.path) / "CURRENT").read_text().strip()
    return index.open_dir(str(Path(backend.path) / name))


def test_upsert_replaces_the_document_with_the_same_kind_and_id(index_with, make_doc):
    backend = index_with(make_doc(id=1, title="Công ty Bình Minh"))
    backend.apply([make_doc(id=1, title="Công ty Hoàng Long")])
    assert backend.search("binh minh").total == 0
    assert [h.id for h in backend.search("hoang long").hits] == [1]
    assert backend.doc_ids() == {"firm:1"}


def test_same_id_in_another_kind_is_a_different_document(index_with, make_doc):
    backend = index_with(make_doc(kind="firm", id=1, title="A"), make_doc(kind="zone", id=1))
    assert backend.doc_ids() == {"firm:1", "zone:1"}


def test_delete_removes_by_key_string_or_kind_id_pair(index_with, make_doc):
    backend = index_with(*(make_doc(id=n, title=f"Công ty số {n}") for n in (1, 2, 3)))
    backend.apply([], ["firm:1", ("firm", 2)])
    assert backend.doc_ids() == {"firm:3"}
    assert [h.id for h in backend.search("công ty").hits] == [3]


def test_apply_writes_upserts_and_deletes_in_one_commit(index_with, make_doc):
    backend = index_with(make_doc(id=1), make_doc(id=2))
    before = live_index(backend).latest_generation()
    backend.apply([make_doc(id=3), make_doc(id=4), make_doc(id=1, title="Mới")], ["firm:2"])
    assert live_index(backend).latest_generation() == before + 1
    assert backend.doc_ids() == {"firm:1", "firm:3", "firm:4"}


def test_invalid_document_is_rejected_before_anything_is_written(index_with, make_doc):
    backend = index_with(make_doc(id=1))
    with pytest.raises(ValueError):
        backend.apply([make_doc(id=2), make_doc(kind="nonsense", id=3)])
    assert backend.doc_ids() == {"firm:1"}


def test_apply_raises_index_locked_when_another_writer_holds_the_lock(index_with, make_doc):
    backend = index_with(make_doc(id=1))
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


@pytest.fixture
def second_backend(backend, synonyms):
    """Another backend on the same folder, as a second web worker would have."""
    other = WhooshBackend(backend.path, synonyms=synonyms)
    yield other
    other.close()


def test_rebuild_swaps_in_a_complete_index_atomically(backend, second_backend, make_doc):
    backend.apply([make_doc(id=n, title="Cũ") for n in range(1, 4)])
    reader = second_backend
    seen_during_build, progress = [], []

    def on_progress(count):
        progress.append(count)
        # Mid-build, other readers still see the old index and writers are told to wait.
        seen_during_build.append(reader.doc_ids())
        with pytest.raises(IndexLocked):
            reader.apply([make_doc(id=99)], lock_timeout=0.1)

    new_docs = [make_doc(kind="zone", id=n, title="Mới") for n in range(1, 1202)]
    assert backend.rebuild(new_docs, progress=on_progress) == 1201
    assert progress == [500, 1000, 1201]
    assert all(ids == {"firm:1", "firm:2", "firm:3"} for ids in seen_during_build)
    assert backend.doc_ids() == {f"zone:{n}" for n in range(1, 1202)}
    assert reader.doc_ids() == backend.doc_ids()
    assert reader.search("moi").total == 1201
    reader.apply([make_doc(id=99, title="Sau")])
    assert backend.search("sau").total == 1


def test_failed_rebuild_keeps_the_old_index(index_with, make_doc):
    backend = index_with(make_doc(id=1))

    def documents():
        yield make_doc(id=2)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert backend.doc_ids() == {"firm:1"}
    assert len([p for p in Path(backend.path).iterdir() if p.name.startswith("ix-")]) == 1


def test_rebuild_rejects_duplicate_keys(index_with, make_doc):
    backend = index_with(make_doc(id=1))
    with pytest.raises(ValueError):
        backend.rebuild([make_doc(id=5), make_doc(id=5)])
    assert backend.doc_ids() == {"firm:1"}


def test_digest_changes_with_content_but_not_with_key_or_facet_order(make_doc):
    doc = make_doc(id=1, title="Công ty Bình Minh", facets={"group": ["NT", "CT"]})
    reordered = dict(reversed(doc.items()), facets={"group": ["CT", "NT"]})
    assert document_digest(reordered) == document_digest(doc)
    assert document_digest({**doc, "body": "Thêm một câu"}) != document_digest(doc)
    assert document_digest({**doc, "stored": {"slug": "khac"}}) != document_digest(doc)


def test_index_keeps_the_digest_of_each_document_as_written(backend, make_doc):
    first, second = make_doc(id=1, title="Một"), make_doc(id=2, title="Hai")
    backend.rebuild([first, second])
    changed = make_doc(id=2, title="Hai đã sửa")
    backend.apply([changed])
    assert backend.digests() == {
        "firm:1": document_digest(first),
        "firm:2": document_digest(changed),
    }
