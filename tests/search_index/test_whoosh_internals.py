"""The contract of the Whoosh internals search_index relies on (search_index/whoosh_internals.py),
pinned to the Whoosh version in requirements.txt: after an upgrade, these fail first and name
the internal that changed."""

import re
from array import array
from pathlib import Path
from typing import Any

import pytest
import whoosh
from whoosh import analysis, formats, index
from whoosh.codec.base import Codec
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.index import LockError

from search_index.whoosh_internals import (
    WHOOSH_VERSION,
    IndexCodec,
    RebuildPool,
    deleted_docnums,
    encode_frequency,
    next_docnum,
    open_writer,
    raw_matcher,
    read_postings,
    segment_id,
    use_pool,
    writer_lock,
)
from search_index.whoosh_schema import PreAnalyzedField, prepare_document, schema
from tests.search_index.conftest import build_doc

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"
BLOCK = 128  # postings per block in Whoosh's whoosh3 codec


def pinned_whoosh() -> str:
    return re.search(r"^Whoosh-Reloaded==(\S+)$", REQUIREMENTS.read_text(), re.M).group(1)


def documents(count: int) -> list[dict]:
    """`count` documents sharing "nước thải"; only the first mentions "độcnhất"."""
    return [
        build_doc(id=n, title=f"Xử lý nước thải số {n}", body="độcnhất" if n == 0 else "")
        for n in range(count)
    ]


def write(folder: Path, docs: list[dict]):
    """Add `docs` to the index in `folder` (created if need be) in one commit."""
    folder.mkdir(exist_ok=True)
    if index.exists_in(str(folder)):
        ix = index.open_dir(str(folder))
    else:
        ix = index.create_in(str(folder), schema())
    writer = open_writer(ix)
    for doc in docs:
        writer.add_document(**prepare_document(doc))
    writer.commit()
    return ix


def only_leaf(reader):
    [(leaf, base)] = reader.leaf_readers()
    assert base == 0
    return leaf


def one_by_one(matcher, values: bool = False) -> tuple[array, Any]:
    """A matcher's postings read through Whoosh's public matcher interface."""
    ids: array = array("I")
    found: Any = [] if values else array("f")
    read = matcher.value if values else matcher.weight
    while matcher.is_active():
        ids.append(matcher.id())
        found.append(read())
        matcher.next()
    return ids, found


def test_the_installed_whoosh_is_the_pinned_one():
    assert whoosh.versionstring() == pinned_whoosh() == WHOOSH_VERSION


@pytest.mark.parametrize(
    ("field", "term", "values"), [("fold", "thai", False), ("bigram", "nuoc_thai", True)]
)
def test_block_reads_give_what_the_public_matcher_gives(tmp_path, field, term, values):
    ix = write(tmp_path, documents(3 * BLOCK + 5))
    with ix.reader() as reader:
        leaf = only_leaf(reader)
        matcher = raw_matcher(leaf, field, term)

        assert isinstance(matcher, W3LeafMatcher)
        for name in ("_read_ids", "_read_weights", "_read_values", "_goto"):
            assert callable(getattr(matcher, name)), name
        for name in ("_ids", "_weights", "_values", "_lastblock", "_nextoffset"):
            assert hasattr(matcher, name), name
        ids, found = read_postings(leaf, field, term, values)
        assert len(ids) == 3 * BLOCK + 5
        assert (ids, found) == one_by_one(raw_matcher(leaf, field, term), values)
        assert read_postings(leaf, "fold", "docnhat") == one_by_one(
            raw_matcher(leaf, "fold", "docnhat")
        )
        assert read_postings(leaf, field, "absent", values) == (ids[:0], found[:0])


def test_raw_reads_keep_deleted_documents_and_deletions_are_listed(tmp_path):
    ix = write(tmp_path, documents(2 * BLOCK))
    writer = open_writer(ix)
    writer.delete_by_term("key", "firm:3")
    writer.delete_by_term("key", "firm:200")
    writer.commit(merge=False)

    with ix.reader() as reader:
        leaf = only_leaf(reader)
        assert deleted_docnums(reader) == {3, 200}
        ids, _ = read_postings(leaf, "fold", "thai")
        assert len(ids) == 2 * BLOCK
        public = one_by_one(leaf.postings("fold", "thai"))[0]  # through Whoosh's filter
        assert set(public) == set(ids) - {3, 200}


def test_segment_ids_name_a_segment_and_only_it(tmp_path):
    with index.create_in(str(tmp_path), schema()).reader() as empty:
        assert segment_id(empty) is None
    ix = write(tmp_path, documents(2))
    with ix.reader() as reader, ix.reader() as again:
        first = segment_id(only_leaf(reader))
        assert isinstance(first, str) and first == segment_id(only_leaf(again))

    write(tmp_path, [build_doc(id=99)])
    with ix.reader() as reader:
        ids = {segment_id(leaf) for leaf, _ in reader.leaf_readers()}
    assert first in ids and len(ids) == 2


def test_index_codec_skips_length_statistics_and_writer_keeps_segment_files_apart(tmp_path):
    assert "length_stats" in vars(Codec) and W3Codec.length_stats is True
    assert IndexCodec.length_stats is False
    ix = write(tmp_path, documents(2))

    assert not any(path.suffix == ".seg" for path in tmp_path.iterdir())  # no compound file
    with ix.searcher() as searcher:
        assert searcher.document(key="firm:1")["key"] == "firm:1"


def test_the_writer_lock_is_the_one_writers_take(tmp_path):
    ix = write(tmp_path, documents(1))
    lock = writer_lock(ix)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(LockError):
            open_writer(ix, timeout=0.0)
    finally:
        lock.release()
    open_writer(ix).cancel()


def test_the_rebuild_pool_writes_the_same_postings_as_whoosh_own_pool(tmp_path):
    docs = documents(BLOCK + 3)
    own = write(tmp_path / "own", docs)
    (tmp_path / "pooled").mkdir()
    pooled = index.create_in(str(tmp_path / "pooled"), schema())
    writer = open_writer(pooled)
    pool = RebuildPool()
    use_pool(writer, pool)
    prepared = {n: f for n, f in pooled.schema.items() if isinstance(f, PreAnalyzedField)}
    for number, doc in enumerate(docs):
        assert next_docnum(writer) == number
        fields = prepare_document(doc)
        pool.add_prepared(next_docnum(writer), prepared, fields)
        writer.add_document(**{k: v for k, v in fields.items() if k not in prepared})
    writer.commit()

    def contents(ix) -> tuple[dict, list]:
        with ix.reader() as reader:
            leaf = only_leaf(reader)
            postings = {
                (field, term): one_by_one(leaf.postings(field, term), values=True)
                for field, term in leaf.all_terms()
            }
            return postings, list(reader.iter_docs())

    assert contents(pooled) == contents(own)


def test_frequencies_are_encoded_as_whoosh_encodes_them():
    [(term, frequency, _, encoded)] = formats.Frequency().word_values(
        "thải thải thải", analysis.SimpleAnalyzer()
    )
    assert (term, frequency) == ("thải", 3)
    assert encode_frequency(3) == encoded
    assert formats.Frequency().decode_frequency(encode_frequency(7)) == 7
