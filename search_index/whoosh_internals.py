"""Every use of Whoosh internals in one place: underscore attributes of the whoosh3 codec's
posting reader, the codec class itself and its segment constructor, the writer's posting pool,
document counter and lock name, deletion sets and the packed frequency encoding.

None of these is part of Whoosh's documented API, so the Whoosh version is pinned
(requirements.txt, WHOOSH_VERSION) and tests/search_index/test_whoosh_internals.py exercises
each one against the installed Whoosh.
"""

import secrets
from array import array
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3Segment
from whoosh.system import pack_uint
from whoosh.util import IDCHARS

WHOOSH_VERSION = "2.7.5"

# The posting value of a Frequency-format field: the term's frequency, packed.
encode_frequency = pack_uint


class IndexCodec(W3Codec):
    """Whoosh's codec without per-block length statistics.

    Those statistics serve Whoosh's own BM25 block skipping, which we do not use; collecting them
    looks up every posting's document length (a file stat per posting for unscored fields) and
    was half of the rebuild time.
    """

    length_stats = False

    def new_segment(self, storage, indexname):
        """A segment named from `secrets`: Whoosh draws names from the global `random`, so
        anything that reseeds it (a test framework, a library) made a new segment reuse an old
        one's name, overwriting its files and breaking every later write until a rebuild."""
        return W3Segment(self, indexname, segid=new_segment_id())


def new_segment_id(size: int = 16) -> str:
    """A segment id in Whoosh's alphabet and length, from the operating system's randomness."""
    return "".join(secrets.choice(IDCHARS) for _ in range(size))


def open_writer(ix, timeout: float = 0.0):
    """A writer with our codec. Segment files stay separate (compound=False) so readers map
    them; Whoosh reads sub-files of a compound segment into private in-memory copies (tens of MB
    per process at 10,000 documents)."""
    return ix.writer(timeout=timeout, codec=IndexCodec(), compound=False)


def writer_lock(ix):
    """The lock every writer of `ix` takes (a rebuild holds it while it builds the next index)."""
    return ix.lock("WRITELOCK")


def segment_id(leaf) -> str | None:
    """The id of a leaf reader's segment (None for an empty index's reader)."""
    segment = getattr(leaf, "segment", lambda: None)()
    return segment.segment_id() if segment else None


def deleted_docnums(reader) -> frozenset[int]:
    """Docnums of the deleted documents of every segment of `reader`."""
    return frozenset(
        base + docnum
        for leaf, base in reader.leaf_readers()
        if leaf.has_deletions()
        for docnum in leaf.deleted_docs_set
    )


def raw_matcher(leaf, field: str, term: str):
    """A segment's posting matcher below Whoosh's filter of deleted documents (deletions are
    removed once per query from the final set)."""
    matcher = leaf.postings(field, term)
    return getattr(matcher, "child", matcher)


def read_postings(leaf, field: str, term: str, values: bool = False) -> tuple[array, Any]:
    """(docnums, weights) of one term in one segment, deleted documents included; with `values`,
    (docnums, raw posting values) instead (encoded positions).

    Reads whole posting blocks at a time rather than stepping posting by posting: walking
    Whoosh's matchers costs tens of microseconds per posting.
    """
    ids: array = array("I")
    found: Any = [] if values else array("f")
    if (field, term) not in leaf:
        return ids, found
    matcher: W3LeafMatcher = raw_matcher(leaf, field, term)
    while True:
        matcher._read_ids()
        ids.extend(matcher._ids)
        if values:
            matcher._read_values()
            found.extend(matcher._values)
        else:
            matcher._read_weights()
            found.extend(matcher._weights)
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return ids, found


def next_docnum(writer) -> int:
    """The docnum the writer gives the next document it adds."""
    return writer.docnum


def use_pool(writer, pool: "RebuildPool") -> None:
    """Make `writer` collect its postings in `pool` instead of its own posting pool."""
    writer.pool = pool


class RebuildPool:
    """Stands in for Whoosh's posting pool during rebuild: postings go straight into per-term
    arrays (documents arrive in docnum order, so each array is already sorted) instead of one
    tuple per posting that is sorted at commit. Posting values (encoded positions) are packed
    into one bytearray per term rather than one bytes object each. Together this cut rebuild time
    by two thirds and peak memory by more than half.

    Whoosh calls `add`, `iter_postings`, `cleanup` and reads `fieldnames`; the rebuild calls
    `add_prepared` for the fields it analysed itself.
    """

    def __init__(self) -> None:
        # Postings Whoosh adds itself (key, kind) keep its tuples' values as they are.
        self._plain: dict[tuple[str, bytes], tuple[array, array, list]] = {}
        self._packed: dict[tuple[str, bytes], tuple[array, array, bytearray, array]] = {}
        self._frequencies: dict[int, bytes] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        slot = self._plain.get((fieldname, tbytes))
        if slot is None:
            slot = self._plain[(fieldname, tbytes)] = (array("I"), array("f"), [])
            self.fieldnames.add(fieldname)
        slot[0].append(docnum)
        slot[1].append(weight)
        slot[2].append(vbytes)

    def add_prepared(self, docnum: int, fields: dict[str, Any], values: dict) -> None:
        """Add the pre-analysed fields ({name: field}) of one document, whose values are
        {term: (frequency, weight, positions)}, without building posting tuples."""
        frequencies = self._frequencies
        packed_terms = self._packed
        for fieldname, field in fields.items():
            encode = field.format.encode if isinstance(field.format, formats.Positions) else None
            for term, (freq, weight, positions) in values[fieldname].items():
                key = (fieldname, term.encode("utf-8"))
                slot = packed_terms.get(key)
                if slot is None:
                    slot = packed_terms[key] = (array("I"), array("f"), bytearray(), array("I"))
                    self.fieldnames.add(fieldname)
                docnums, weights, blob, ends = slot
                docnums.append(docnum)
                weights.append(weight)
                if encode:
                    blob += encode(positions)
                else:
                    packed = frequencies.get(freq)
                    if packed is None:
                        packed = frequencies[freq] = encode_frequency(freq)
                    blob += packed
                ends.append(len(blob))

    def iter_postings(self):
        for key in sorted([*self._plain, *self._packed]):
            fieldname, tbytes = key
            if key in self._plain:
                docnums, weights, values = self._plain[key]
                for docnum, weight, vbytes in zip(docnums, weights, values, strict=True):
                    yield fieldname, tbytes, docnum, weight, vbytes
                continue
            docnums, weights, blob, ends = self._packed[key]
            start = 0
            for docnum, weight, end in zip(docnums, weights, ends, strict=True):
                yield fieldname, tbytes, docnum, weight, bytes(blob[start:end])
                start = end

    def cleanup(self) -> None:
        self._plain.clear()
        self._packed.clear()
