"""Whoosh implementation of the search backend.

Whoosh stores the index (files, segments, writer lock, stored fields, columns). Matching, BM25F
scoring, phrase checks and facet counts run over posting lists read in bulk into Python dicts and
sets, because walking Whoosh's nested matchers costs tens of microseconds per matching document.
Raw posting arrays are cached per segment (segments never change), dicts per index generation.
"""

import gc
import heapq
import math
import os
import shutil
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from html import escape
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.index import LockError

from .analysis import fold, is_accented, tokens
from .backend import (
    KINDS,
    SORTS,
    Hit,
    IndexLocked,
    SearchBackend,
    SearchResult,
    key_of,
)
from .highlight import highlight
from .query import Alternative, Clause, ParsedQuery, parse_query, rebuild_query
from .synonyms import Synonyms
from .whoosh_schema import (
    FACET_SEPARATOR,
    WRITER_OPTIONS,
    IndexCodec,
    PreAnalyzedField,
    RebuildPool,
    prepare_document,
    schema,
)

__all__ = ["WhooshBackend"]

POINTER = "CURRENT"
_DIR_PREFIX = "ix-"

# Score multipliers on top of the folded-syllable score. BM25 saturates term frequency, so a
# long description repeating a term can outscore a name containing it; TITLE_BOOST adds a
# separate, unsaturated bonus per query syllable found in the name.
BIGRAM_BOOST = 1.5
EXACT_BOOST = 1.0
TITLE_BOOST = 1.5
MAX_PREFIX_EXPANSION = 64
MAX_PER_PAGE = 100
SUGGEST_BELOW = 3
# Posting entries kept in memory per generation as dicts (~60 bytes each) and across
# generations as raw per-segment arrays (8 bytes each).
POSTING_CACHE_ENTRIES = 1_500_000
SEGMENT_CACHE_POSTINGS = 4_000_000


def _idf(df: int, total: int) -> float:
    return math.log(1.0 + (total - df + 0.5) / (df + 0.5))


class _SegmentPostings:
    """Raw posting arrays per (segment, field, term), kept across index generations.

    Segments never change once written (deletions are kept beside them), so after a commit only
    the new segment's postings have to be read from disk.
    """

    def __init__(self, max_postings: int = SEGMENT_CACHE_POSTINGS):
        self.max_postings = max_postings
        self._cache: OrderedDict[tuple, tuple[array, array]] = OrderedDict()
        self._postings = 0

    def read(self, leaf, field: str, term: str, values: bool = False) -> tuple[array, Any]:
        """(docnums, weights), or (docnums, encoded positions) when `values` is true."""
        segment = getattr(leaf, "segment", None)
        key = (segment().segment_id(), field, term, values) if segment else None
        cached = self._cache.get(key) if key else None
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        found = (_read_leaf_values if values else _read_leaf_postings)(leaf, field, term)
        if key:
            self._cache[key] = found
            self._postings += len(found[0])
            while self._postings > self.max_postings and len(self._cache) > 1:
                _, (evicted, _) = self._cache.popitem(last=False)
                self._postings -= len(evicted)
        return found


def _read_leaf_values(leaf, field: str, term: str) -> tuple[array, list]:
    """Docnums and raw posting values (encoded positions) of one term in one segment."""
    ids: array = array("I")
    values: list = []
    if (field, term) not in leaf:
        return ids, values
    matcher = leaf.postings(field, term)
    matcher = getattr(matcher, "child", matcher)
    if isinstance(matcher, W3LeafMatcher):
        while True:
            matcher._read_ids()
            matcher._read_values()
            ids.extend(matcher._ids)
            values.extend(matcher._values)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.value())
            matcher.next()
    return ids, values


def _read_leaf_postings(leaf, field: str, term: str) -> tuple[array, array]:
    ids, weights = array("I"), array("f")
    if (field, term) not in leaf:
        return ids, weights
    matcher = leaf.postings(field, term)
    # Deletions are removed once per query from the final set; reading the raw postings below
    # Whoosh's deletion filter keeps this a bulk read.
    matcher = getattr(matcher, "child", matcher)
    if isinstance(matcher, W3LeafMatcher):
        # Read whole posting blocks rather than stepping posting by posting.
        while True:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


class _View:
    """Everything derived from one searcher generation: posting dicts, facet sets, columns."""

    def __init__(self, searcher, generation: tuple, segment_postings: _SegmentPostings):
        self.searcher = searcher
        self.segment_postings = segment_postings
        self.reader = searcher.reader()
        self.generation = generation
        self.doc_count_all = self.reader.doc_count_all()
        self.deleted = frozenset(
            docnum
            for leaf, base in self.reader.leaf_readers()
            if leaf.has_deletions()
            for docnum in (base + d for d in leaf.deleted_docs_set)
        )
        self._docnums = list(range(self.doc_count_all))
        self._postings: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._posting_entries = 0
        self._facets: dict[str, dict[str, set[int]]] = {}
        self._columns: dict[str, list] = {}
        self._vocabulary: dict[str, list[tuple[str, int]]] | None = None
        self._display: dict[str, str] | None = None

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

    def release(self) -> None:
        """Drop the caches now rather than whenever the cycle collector gets to them."""
        self._postings.clear()
        self._facets.clear()
        self._columns.clear()
        self._vocabulary = self._display = None

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
        dicts = sorted((self.postings("fold", s) for s in syllables), key=len)
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

    def contributions(self, parsed: ParsedQuery) -> list[tuple[float, dict[int, float]]]:
        """(factor, weights) pairs whose weighted sum is a document's relevance score."""
        total = max(self.doc_count_all, 1)
        seen: dict[tuple[str, str], tuple[float, dict[int, float]]] = {}

        def add(field: str, term: str, boost: float) -> None:
            if (field, term) not in seen:
                weights = self.postings(field, term)
                if weights:
                    seen[(field, term)] = (boost * _idf(len(weights), total), weights)

        for clause in parsed.clauses:
            for alternative in clause.alternatives:
                syllables = alternative.syllables
                if alternative.mode == "prefix":
                    weights = self.prefix("fold", syllables[0])
                    seen[("prefix", syllables[0])] = (_idf(len(weights), total), weights)
                    continue
                for syllable in syllables:
                    add("fold", syllable, 1.0)
                    add("tfold", syllable, TITLE_BOOST)
                if alternative.mode == "phrase":
                    for a, b in pairwise(syllables):
                        add("bigram", f"{a}_{b}", BIGRAM_BOOST)
        for bigram in parsed.bigrams:
            add("bigram", bigram, BIGRAM_BOOST)
        for term in parsed.exact_terms:
            add("exact", term, EXACT_BOOST)
        return list(seen.values())

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

    def column(self, name: str) -> list:
        values = self._columns.get(name)
        if values is None:
            reader = self.reader.column_reader(name, translate=False)
            values = list(reader)
            self._columns[name] = values
        return values

    # vocabulary for "did you mean"

    def _load_vocabulary(self) -> None:
        vocabulary: dict[str, list[tuple[str, int]]] = {}
        for term, info in self.reader.iter_field("fold"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            vocabulary.setdefault(term[:1], []).append((term, info.doc_frequency()))
        display: dict[str, tuple[int, str]] = {}
        for term, info in self.reader.iter_field("exact"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            df = info.doc_frequency()
            folded = fold(term)
            if df > display.get(folded, (0, ""))[0]:
                display[folded] = (df, term)
        self._vocabulary = vocabulary
        self._display = {folded: term for folded, (_, term) in display.items()}

    def correct(self, term: str) -> str | None:
        """The most frequent indexed syllable within a small edit distance of `term`."""
        if self._vocabulary is None:
            self._load_vocabulary()
        limit = 1 if len(term) <= 4 else 2
        best: tuple[int, int, str] | None = None
        for candidate, df in self._vocabulary.get(term[:1], ()):
            if candidate == term or abs(len(candidate) - len(term)) > limit:
                continue
            distance = _edit_distance(term, candidate, limit)
            if distance <= limit and (best is None or (distance, -df) < best[:2]):
                best = (distance, -df, candidate)
        return best[2] if best else None

    def display_form(self, folded: str) -> str:
        if self._display is None:
            self._load_vocabulary()
        return self._display.get(folded, folded)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (transpositions count 1), capped at limit + 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


# -- the backend -----------------------------------------------------------------------------


def _as_list(values) -> list:
    """Accept a single string where a list of strings is expected (kinds="firm")."""
    if not values:
        return []
    return [values] if isinstance(values, str) else list(values)


def _split_key(key: str) -> tuple[str, int]:
    kind, _, entity_id = key.partition(":")
    return kind, int(entity_id)


class WhooshBackend(SearchBackend):
    """Whoosh-backed search over a directory holding `CURRENT` and one or more `ix-*` indexes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        synonyms: Synonyms | None = None,
        cache: bool = True,
        cache_size: int = 256,
    ):
        self.path = Path(path)
        self.synonyms = synonyms or Synonyms()
        self.cache_enabled = cache
        self.cache_size = cache_size
        self._results: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.RLock()
        self._ix = None
        self._ix_name: str | None = None
        self._searcher = None
        self._view: _View | None = None
        self._segment_postings = _SegmentPostings()
        self.path.mkdir(parents=True, exist_ok=True)

    # index directory management

    def _read_pointer(self) -> str | None:
        try:
            return (self.path / POINTER).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _write_pointer(self, name: str, exclusive: bool) -> bool:
        temporary = self.path / f".{POINTER}.{os.getpid()}.{threading.get_ident()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            if exclusive:
                # Two processes initialising at once: the first pointer wins, the other is dropped.
                try:
                    os.link(temporary, self.path / POINTER)
                except FileExistsError:
                    return False
            else:
                os.replace(temporary, self.path / POINTER)
        finally:
            temporary.unlink(missing_ok=True)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return True

    def _new_index_dir(self) -> tuple[str, Path]:
        name = f"{_DIR_PREFIX}{time.time_ns():x}-{os.getpid()}"
        folder = self.path / name
        folder.mkdir()
        return name, folder

    def _current_name(self) -> str:
        name = self._read_pointer()
        if name is None:
            new_name, folder = self._new_index_dir()
            index.create_in(str(folder), schema())
            if not self._write_pointer(new_name, exclusive=True):
                shutil.rmtree(folder, ignore_errors=True)
            name = self._read_pointer()
        return name

    def _open(self, name: str):
        if name != self._ix_name:
            self._close_searcher()
            self._ix = index.open_dir(str(self.path / name))
            self._ix_name = name
        return self._ix

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self._drop_view()

    def _drop_view(self) -> None:
        if self._view is not None:
            self._view.release()
        self._view = None

    def close(self) -> None:
        with self._lock:
            self._close_searcher()
            self._ix = None
            self._ix_name = None

    def _fresh_view(self) -> _View:
        ix = self._open(self._current_name())
        if self._searcher is None:
            self._searcher = ix.searcher()
        elif not self._searcher.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers with their old deletion lists
            # (a deleted document stays visible) and fails on an empty index.
            self._searcher.close()
            self._searcher = ix.searcher()
            self._drop_view()
        if self._view is None:
            generation = (self._ix_name, self._searcher.reader().generation())
            self._view = _View(self._searcher, generation, self._segment_postings)
        return self._view

    # writing

    def apply(
        self,
        upserts: list[dict],
        deletes: Iterable[str | tuple[str, int]] = (),
        lock_timeout: float = 5.0,
    ) -> None:
        prepared = [prepare_document(doc) for doc in upserts]
        delete_keys = {key_of(item) for item in deletes}
        if not prepared and not delete_keys:
            return
        while True:
            name = self._current_name()
            with self._lock:
                ix = self._open(name)
            try:
                writer = ix.writer(timeout=lock_timeout, codec=IndexCodec(), **WRITER_OPTIONS)
            except LockError as error:
                raise IndexLocked(f"search index writer lock busy at {self.path}") from error
            if self._read_pointer() != name:
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

    def rebuild(
        self,
        documents: Iterable[dict],
        progress: Callable[[int], None] | None = None,
        lock_timeout: float = 60.0,
    ) -> int:
        """Build a new index next to the live one and switch `CURRENT` to it with os.replace.

        The live index's writer lock is held throughout, so concurrent apply() calls raise
        IndexLocked and their changes wait (in the caller's outbox) for the swapped-in index.
        Readers keep using the old directory until their next call; it is deleted on the
        following rebuild, never while it may still be open.
        """
        old_name = self._current_name()
        lock = index.open_dir(str(self.path / old_name)).lock("WRITELOCK")
        deadline = time.monotonic() + lock_timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise IndexLocked(f"search index writer lock busy at {self.path}")
            time.sleep(0.05)
        new_name, folder = self._new_index_dir()
        try:
            count = self._build(folder, documents, progress)
            self._write_pointer(new_name, exclusive=False)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            lock.release()
        for stale in self.path.glob(f"{_DIR_PREFIX}*"):
            if stale.name not in (new_name, old_name) and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        return count

    def _build(self, folder: Path, documents: Iterable[dict], progress) -> int:
        ix = index.create_in(str(folder), schema())
        writer = ix.writer(codec=IndexCodec(), **WRITER_OPTIONS)
        pool = writer.pool = RebuildPool()
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
                pool.add_prepared(writer.docnum, prepared_fields, fields)
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

    # reading

    def doc_ids(self) -> set[str]:
        with self._lock:
            view = self._fresh_view()
            keys = view.column("key")
            deleted = view.deleted
            return {
                (k.decode("utf-8") if isinstance(k, bytes) else k)
                for docnum, k in enumerate(keys)
                if docnum not in deleted
            }

    def digests(self) -> dict[str, str | None]:
        with self._lock:
            reader = self._fresh_view().reader
            return {fields["key"]: fields["data"].get("h") for _, fields in reader.iter_docs()}

    def generation(self) -> str:
        with self._lock:
            name, number = self._fresh_view().generation
            return f"{name}:{number}"

    def relevance(self, query: str, kinds: Iterable[str] | None = None) -> dict[str, float]:
        parsed = parse_query(query if isinstance(query, str) else "", self.synonyms)
        with self._lock:
            view = self._fresh_view()
            allowed = None
            if kinds is not None:
                kind_sets = view.kind_sets()
                allowed = set().union(*(kind_sets.get(k, ()) for k in set(_as_list(kinds))))
            matched: set[int] = set()
            for clause in parsed.clauses:
                docs = view.clause_docs(clause)
                # Restrict each clause first: unions of common syllables span the whole index.
                matched |= docs & allowed if allowed is not None else docs
            matched.difference_update(view.deleted)
            if not matched:
                return {}
            keys = view.column("key")
            scores = _score(matched, view.contributions(parsed))
            return {
                (keys[d].decode("utf-8") if isinstance(keys[d], bytes) else keys[d]): score
                for d, score in scores.items()
            }

    def search(
        self,
        query: str,
        kinds: Iterable[str] | None = None,
        filters: dict[str, list[str]] | None = None,
        facets: Iterable[str] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult:
        kinds_key = tuple(sorted(set(_as_list(kinds)))) or None
        filters_key = tuple(
            sorted(
                (str(name), tuple(sorted({str(v) for v in _as_list(values)})))
                for name, values in (filters or {}).items()
                if values
            )
        )
        facets_key = tuple(dict.fromkeys(str(f) for f in _as_list(facets)))
        sort = sort if sort in SORTS else "relevance"
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
        query = query if isinstance(query, str) else ""
        with self._lock:
            view = self._fresh_view()
            key = (view.generation, query, kinds_key, filters_key, facets_key, sort, page, per_page)
            if self.cache_enabled:
                cached = self._results.get(key)
                if cached is not None:
                    self._results.move_to_end(key)
                    return cached
            result = self._search(
                view, query, kinds_key, filters_key, facets_key, sort, page, per_page
            )
            if self.cache_enabled:
                self._results[key] = result
                while len(self._results) > self.cache_size:
                    self._results.popitem(last=False)
            return result

    def _search(self, view, query, kinds, filters, facets, sort, page, per_page) -> SearchResult:
        parsed = parse_query(query, self.synonyms)
        matched = view.match(parsed)
        kind_sets = view.kind_sets()
        kind_filter = None
        if kinds is not None:
            kind_filter = set().union(*(kind_sets.get(k, ()) for k in kinds))
        filter_sets = {}
        for name, values in filters:
            sets = view.facet_sets(name)
            filter_sets[name] = set().union(*(sets.get(v, ()) for v in values))

        def restricted(skip_kinds: bool = False, skip_facet: str | None = None) -> set[int]:
            docs = matched
            parts = [s for n, s in filter_sets.items() if n != skip_facet]
            if kind_filter is not None and not skip_kinds:
                parts.append(kind_filter)
            for part in sorted(parts, key=len):
                if not docs:
                    break
                docs = docs & part
            return docs

        final = restricted()
        facet_counts = {}
        for name in facets:
            base = restricted(skip_facet=name)
            counts = {}
            if base:
                for value, docs in view.facet_sets(name).items():
                    count = len(base & docs)
                    if count:
                        counts[value] = count
            facet_counts[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        kind_base = restricted(skip_kinds=True)
        kind_counts = {}
        for kind, docs in kind_sets.items():
            count = len(kind_base & docs) if kind_base else 0
            if count:
                kind_counts[kind] = count

        wanted = page * per_page
        scores: dict[int, float] = {}
        if sort == "newest" or (sort == "relevance" and parsed.is_blank):
            updated = view.column("updated")
            top = heapq.nlargest(wanted, final, key=lambda d: (updated[d], -d))
        elif sort == "closing":
            closes = view.column("closes")
            top = heapq.nsmallest(wanted, final, key=lambda d: (closes[d], d))
        else:
            scores = _score(final, view.contributions(parsed))
            top = [d for d, _ in heapq.nlargest(wanted, scores.items(), key=itemgetter(1))]
        terms = frozenset(parsed.highlight)
        hits = [self._hit(view, d, scores.get(d, 0.0), terms) for d in top[wanted - per_page :]]

        suggestion = None
        if len(final) < SUGGEST_BELOW and parsed.plain and len(parsed.plain) <= 6:
            suggestion = self._did_you_mean(view, parsed, len(matched))
        return SearchResult(
            total=len(final),
            hits=hits,
            facet_counts=facet_counts,
            kind_counts=kind_counts,
            suggestion=suggestion,
            page=page,
            per_page=per_page,
        )

    def _hit(self, view: _View, docnum: int, score: float, terms: frozenset[str]) -> Hit:
        stored = view.searcher.stored_fields(docnum)
        data = stored["data"]
        kind, entity_id = _split_key(stored["key"])
        highlights = {"title": highlight(data["t"], terms) or escape(data["t"] or "")}
        for field, name, size in (
            ("title_en", "te", None),
            ("keywords", "k", 200),
            ("body", "b", 240),
            ("body_en", "be", 240),
        ):
            marked = highlight(data.get(name), terms, size)
            if marked:
                highlights[field] = marked
        return Hit(kind, entity_id, round(score, 4), highlights, data["s"])

    def _did_you_mean(self, view: _View, parsed: ParsedQuery, matched: int) -> str | None:
        corrections = {}
        # Answer in the user's style: with diacritics only if they typed some.
        accented = any(is_accented(typed) for typed, _ in parsed.plain)
        for index_, (_typed, folded) in enumerate(parsed.plain):
            if len(view.postings("fold", folded)) >= SUGGEST_BELOW:
                continue
            candidate = view.correct(folded)
            if candidate:
                corrections[index_] = view.display_form(candidate) if accented else candidate
        if not corrections:
            return None
        suggestion = rebuild_query(parsed, corrections)
        if len(view.match(parse_query(suggestion, self.synonyms))) > matched:
            return suggestion
        return None

    def suggest(
        self, prefix: str, kinds: Iterable[str] | None = None, limit: int = 8
    ) -> list[dict[str, Any]]:
        if not isinstance(prefix, str):
            return []
        words = [fold(t) for t in tokens(prefix[:200])][:8]
        limit = min(limit, MAX_PER_PAGE)
        if not words or limit <= 0:
            return []
        last_is_prefix = not prefix[-1:].isspace()
        with self._lock:
            view = self._fresh_view()
            sets = [view.postings("tfold", w).keys() for w in words[:-1]]
            last = words[-1]
            sets.append(
                view.prefix("tfold", last).keys()
                if last_is_prefix
                else view.postings("tfold", last).keys()
            )
            sets.sort(key=len)
            docs = sets[0]
            for other in sets[1:]:
                docs = docs & other
            docs = set(docs) - view.deleted
            if kinds:
                kind_sets = view.kind_sets()
                docs &= set().union(*(kind_sets.get(k, ()) for k in _as_list(kinds)))
            titles = view.column("tkey")
            typed = " ".join(words).encode("utf-8")
            top = heapq.nsmallest(
                limit, docs, key=lambda d: (not titles[d].startswith(typed), len(titles[d]), d)
            )
            results = []
            for docnum in top:
                stored = view.searcher.stored_fields(docnum)
                kind, entity_id = _split_key(stored["key"])
                results.append(
                    {
                        "kind": kind,
                        "id": entity_id,
                        "title": stored["data"]["t"],
                        "stored": stored["data"]["s"],
                    }
                )
            return results


def _score(docs: set[int], contributions: list[tuple[float, dict[int, float]]]) -> dict[int, float]:
    scores = dict.fromkeys(docs, 0.0)
    for factor, weights in contributions:
        if len(weights) < len(scores):
            for docnum, weight in weights.items():
                if docnum in scores:
                    scores[docnum] += factor * weight
        else:
            get = weights.get
            for docnum in scores:
                weight = get(docnum)
                if weight is not None:
                    scores[docnum] += factor * weight
    return scores
