"""Writing postings: upserts and deletes in one commit to the live index, and a whole index built
into a fresh folder for a rebuild."""

import gc
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index
from whoosh.index import LockError

from .backend import IndexLocked, key_of
from .whoosh_internals import RebuildPool, next_docnum, open_writer, use_pool
from .whoosh_schema import PreAnalyzedField, prepare_document, schema
from .whoosh_storage import IndexStore


def apply(
    store: IndexStore,
    open_index: Callable[[str], object],
    upserts: list[dict],
    deletes: Iterable[str | tuple[str, int]],
    lock_timeout: float,
) -> None:
    """Upsert and delete in one commit to the live index (opened with `open_index(name)`), or
    raise IndexLocked, or ValueError for a malformed document, having written nothing."""
    prepared = [prepare_document(doc) for doc in upserts]
    delete_keys = {key_of(item) for item in deletes}
    if not prepared and not delete_keys:
        return
    while True:
        name = store.current()
        ix = open_index(name)
        try:
            writer = open_writer(ix, timeout=lock_timeout)
        except LockError as error:
            raise IndexLocked(f"search index writer lock busy at {store.path}") from error
        if store.pointer() != name:
            # A rebuild swapped indexes while we waited for the lock: write to the new one.
            writer.cancel()
            continue
        try:
            for fields in prepared:
                if fields["key"] not in delete_keys:
                    writer.update_document(**fields)
            for key in delete_keys:
                writer.delete_by_term("key", key)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return


def build(folder: Path, documents: Iterable[dict], progress: Callable[[int], None] | None) -> int:
    """Write every document into a new index in `folder`; return how many."""
    ix = index.create_in(str(folder), schema())
    writer = open_writer(ix)
    pool = RebuildPool()
    use_pool(writer, pool)
    prepared_fields = {
        name: field for name, field in ix.schema.items() if isinstance(field, PreAnalyzedField)
    }
    seen: set[str] = set()
    count = 0
    # Millions of small objects would make the cyclic GC rescan the pool over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for doc in documents:
            fields = prepare_document(doc)
            if fields["key"] in seen:
                raise ValueError(f"duplicate document key {fields['key']!r} in rebuild")
            seen.add(fields["key"])
            pool.add_prepared(next_docnum(writer), prepared_fields, fields)
            writer.add_document(**{k: v for k, v in fields.items() if k not in prepared_fields})
            count += 1
            if progress and count % 500 == 0:
                progress(count)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    if progress:
        progress(count)
    return count
