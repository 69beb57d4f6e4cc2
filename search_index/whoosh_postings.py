"""Posting lists read in bulk into Python dicts and sets, and matching over them.

Walking Whoosh's nested matchers costs tens of microseconds per matching document, so matching,
phrase checks and facet counts run over whole posting lists instead. Raw posting arrays are
cached per segment (segments never change), dicts per index generation (`View`).
"""

from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable
from itertools import pairwise
from typing import Any

from .backend import KINDS
from .query import MAX_PREFIX_EXPANSION, Alternative, Clause, ParsedQuery
from .whoosh_internals import deleted_docnums, read_postings, segment_id
from .whoosh_schema import FACET_SEPARATOR

# Posting entries kept in memory per generation as dicts (~60 bytes each) and across
# generations as raw per-segment arrays (8 bytes each).
POSTING_CACHE_ENTRIES = 1_500_000
SEGMENT_CACHE_POSTINGS = 4_000_000


class SegmentPostings:
    """Raw posting arrays per (segment, field, term), kept across index generations.

    Segments never change once written (deletions are kept beside them), so after a commit only
    the new segment's postings have to be read from disk.
    """

    def __init__(self, max_postings: int = SEGMENT_CACHE_POSTINGS):
        self.max_postings = max_postings
        self._cache: OrderedDict[tuple, tuple[array, Any]] = OrderedDict()
        self._postings = 0

    def read(self, leaf, field: str, term: str, values: bool = False) -> tuple[array, Any]:
        """(docnums, weights), or (docnums, encoded positions) when `values` is true."""
        segment = segment_id(leaf)
        key = (segment, field, term, values) if segment else None
        cached = self._cache.get(key) if key else None
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        found = read_postings(leaf, field, term, values)
        if key:
            self._cache[key] = found
            self._postings += len(found[0])
            while self._postings > self.max_postings and len(self._cache) > 1:
                _, (evicted, _) = self._cache.popitem(last=False)
                self._postings -= len(evicted)
        return found


class View:
    """Everything derived from one searcher generation: posting dicts, facet sets, columns."""

    def __init__(self, searcher, generation: tuple, segment_postings: SegmentPostings):
        self.searcher = searcher
        self.segment_postings = segment_postings
        self.reader = searcher.reader()
        self.generation = generation
        self.doc_count_all = self.reader.doc_count_all()
        self.deleted = deleted_docnums(self.reader)
        self._docnums = list(range(self.doc_count_all))
        self._postings: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._posting_entries = 0
        self._facets: dict[str, dict[str, set[int]]] = {}
        self._columns: dict[str, list] = {}
        self._derived: dict[Hashable, Any] = {}

    # postings

    def postings(self, field: str, term: str) -> dict[int, float]:
        key = (field, term)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        found = self._read_postings(field, term)
        self._postings[key] = found
        self._posting_entries += len(found)
        while self._posting_entries > POSTING_CACHE_ENTRIES and len(self._postings) > 1:
            _, evicted = self._postings.popitem(last=False)
            self._posting_entries -= len(evicted)
        return found

    def _read_postings(self, field: str, term: str) -> dict[int, float]:
        found: dict[int, float] = {}
        # Every dict shares one int object per docnum instead of allocating its own.
        docnum = self._docnums.__getitem__
        for leaf, base in self.reader.leaf_readers():
            ids, weights = self.segment_postings.read(leaf, field, term)
            if base:
                ids = map(base.__add__, ids)
            found.update(zip(map(docnum, ids), weights, strict=True))
        return found

    def derived(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """Something else worked out from this generation (a vocabulary), built once."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    def release(self) -> None:
        """Drop the caches now rather than whenever the cycle collector gets to them."""
        self._postings.clear()
        self._facets.clear()
        self._columns.clear()
        self._derived.clear()

    def phrase(self, syllables: tuple[str, ...]) -> dict[int, float]:
        """Documents containing the folded syllables adjacently, with bigram weights summed."""
        if len(syllables) == 1:
            return self.postings("fold", syllables[0])
        pairs = [f"{a}_{b}" for a, b in pairwise(syllables)]
        if len(pairs) == 1:
            return self.postings("bigram", pairs[0])
        key = ("phrase", " ".join(syllables))
        cached = self._postings.get(key)
        if cached is not None:
            return cached
        dicts = sorted((self.postings("bigram", p) for p in pairs), key=len)
        candidates = dicts[0].keys()
        for other in dicts[1:]:
            candidates = candidates & other.keys()
        found: dict[int, float] = {}
        if candidates:
            # The phrase's bigrams must sit at consecutive positions: check the positions of
            # the candidates only (Whoosh's span queries took ~0.5 s on common phrases).
            decode = self.reader.schema["bigram"].format.decode_positions
            positions = [self._positions("bigram", pair) for pair in pairs]
            for docnum in candidates:
                starts = set(decode(positions[0][docnum]))
                for offset, encoded in enumerate(positions[1:], 1):
                    starts.intersection_update(p - offset for p in decode(encoded[docnum]))
                    if not starts:
                        break
                if starts:
                    found[docnum] = sum(weights[docnum] for weights in dicts)
        self._postings[key] = found
        return found

    def _positions(self, field: str, term: str) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for leaf, base in self.reader.leaf_readers():
            ids, values = self.segment_postings.read(leaf, field, term, values=True)
            if base:
                ids = map(base.__add__, ids)
            found.update(zip(ids, values, strict=True))
        return found

    def prefix(self, field: str, start: str) -> dict[int, float]:
        key = (f"prefix:{field}", start)
        cached = self._postings.get(key)
        if cached is not None:
            return cached
        found: dict[int, float] = {}
        for count, term in enumerate(self.reader.expand_prefix(field, start)):
            if count >= MAX_PREFIX_EXPANSION:
                break
            for docnum, weight in self.postings(field, term.decode("utf-8")).items():
                if weight > found.get(docnum, 0.0):
                    found[docnum] = weight
        self._postings[key] = found
        return found

    # matching

    def alternative_docs(self, alternative: Alternative):
        mode, syllables = alternative.mode, alternative.syllables
        if mode == "phrase":
            return self.phrase(syllables).keys()
        if mode == "prefix":
            return self.prefix("fold", syllables[0]).keys()
        dicts = [self.postings("fold", s) for s in syllables]
        dicts += [self.postings("bigram", f"{a}_{b}") for a, b in alternative.units]
        dicts.sort(key=len)
        docs = dicts[0].keys()
        for other in dicts[1:]:
            if not docs:
                break
            docs = docs & other.keys()
        return docs

    def clause_docs(self, clause: Clause):
        alternatives = clause.alternatives
        if len(alternatives) == 1:
            return self.alternative_docs(alternatives[0])
        docs: set[int] = set()
        for alternative in alternatives:
            docs |= self.alternative_docs(alternative)
        return docs

    def all_docs(self) -> set[int]:
        return set(range(self.doc_count_all)) - self.deleted

    def match(self, parsed: ParsedQuery) -> set[int]:
        """Live documents matching every clause and no excluded clause."""
        if parsed.is_blank:
            return self.all_docs()
        if not parsed.clauses:
            return set()
        sets = sorted((self.clause_docs(c) for c in parsed.clauses), key=len)
        matched = sets[0]
        for other in sets[1:]:
            if not matched:
                break
            matched = matched & other
        matched = set(matched)
        for clause in parsed.excluded:
            matched.difference_update(self.clause_docs(clause))
        matched.difference_update(self.deleted)
        return matched

    # facets and columns

    def facet_sets(self, name: str) -> dict[str, set[int]]:
        sets = self._facets.get(name)
        if sets is None:
            if name == "\x00kind":
                terms = ((k, "kind", k) for k in KINDS)
            else:
                start = f"{name}{FACET_SEPARATOR}"
                terms = (
                    (t.decode("utf-8")[len(start) :], "facet", t.decode("utf-8"))
                    for t in self.reader.expand_prefix("facet", start)
                )
            sets = {}
            for value, field, term in terms:
                docs = set(self.postings(field, term)) - self.deleted
                if docs:
                    sets[value] = docs
            self._facets[name] = sets
        return sets

    def kind_sets(self) -> dict[str, set[int]]:
        return self.facet_sets("\x00kind")

    def kinds_filter(self, kinds) -> set[int]:
        """The live documents of any of `kinds`."""
        kind_sets = self.kind_sets()
        return set().union(*(kind_sets.get(k, ()) for k in kinds))

    def column(self, name: str) -> list:
        values = self._columns.get(name)
        if values is None:
            if self.reader.doc_count_all() == 0:
                values = []  # an empty index's reader has no columns at all
            else:
                values = list(self.reader.column_reader(name, translate=False))
            self._columns[name] = values
        return values

    def key(self, docnum: int) -> str:
        """The "kind:id" key of a document."""
        key = self.column("key")[docnum]
        return key.decode("utf-8") if isinstance(key, bytes) else key
