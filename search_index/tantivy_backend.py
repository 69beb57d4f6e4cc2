"""tantivy implementation of the search backend: an embedded index in a folder, like Whoosh, with
matching, ranking, sorting and facet counts done by tantivy (Rust) over tokens analysed here in
Python (tantivy_schema), so it finds the same documents as the other backends.

Queries are built from query.py's ParsedQuery with tantivy.Query constructors, never with
tantivy's query parser. Facet and kind counts are terms aggregations over fast fields, one pass
over the matching documents per distinct filter combination.

Layout as whoosh_storage: `path/CURRENT` names the live `ix-*` folder; rebuild() builds a new one
and swaps the pointer. Writers (apply and rebuild, in any process) take `path/WRITER.lock` with
flock first, so a busy writer raises IndexLocked having written nothing. Each instance keeps one
reader, reloaded when the live folder or its commit (meta.json's opstamp) changes.
"""

import json
import math
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

import tantivy

from .analysis import fold
from .backend import (
    KINDS,
    MAX_PER_PAGE,
    Hit,
    IndexLocked,
    ResultCache,
    SearchBackend,
    SearchResult,
    as_list,
    key_of,
    search_arguments,
)
from .highlight import hit_highlights
from .locking import exclusive
from .query import (
    MAX_PREFIX_EXPANSION,
    MIN_PREFIX_LENGTH,
    Alternative,
    Clause,
    ParsedQuery,
    parse_query,
    typed_words,
)
from .spelling import SUGGEST_BELOW, TYPO_FACTOR, Neighbours, find_typos, likelier_reading
from .synonyms import Synonyms
from .tantivy_schema import facet_path, prepare_document, schema, stored_data
from .whoosh_storage import DIR_PREFIX, IndexStore
from .words import Words

__all__ = ["TantivyBackend"]

# Score multipliers over the folded-syllable BM25 (every text part): a syllable in a name or in
# the keywords adds TITLE_BOOST / KEYWORDS_BOOST times its idf (see _Reader.in_part), so a name
# outweighs a description repeating the term, as whoosh_schema.TEXT_PARTS weighs them; spellings
# as whoosh_scoring (EXACT_BOOST). Adjacent syllables count twice whoosh_scoring's 1.5: the
# bigram field has no per-part weights (precision@10 on bench/search.py's judged set: 0.951 with
# 1.5, 0.972 with 3.0; Whoosh 0.965; 0.998 since the name bonus uses the syllable's idf).
TITLE_BOOST = 3.0
KEYWORDS_BOOST = 1.5
BIGRAM_BOOST = 3.0
EXACT_BOOST = 3.0
# Parts scored as a bonus over the folded syllable's idf (see _Reader.in_part).
PARTS = ("title", "keywords")
LOCK_FILE = "WRITER.lock"
# Terms aggregations return at most this many facet values.
MAX_FACET_VALUES = 100_000
WRITER_HEAP = 50_000_000
REBUILD_HEAP = 200_000_000

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


class TantivyStore(IndexStore):
    """whoosh_storage's `CURRENT` pointer over tantivy index folders."""

    def current(self) -> str:
        name = self.pointer()
        if name is None:
            new_name, folder = self._new_folder()
            tantivy.Index(schema(), path=str(folder))
            if not self._point_to(new_name, exclusive=True):
                shutil.rmtree(folder, ignore_errors=True)
            name = self.pointer()
        return name

    def open(self, name: str) -> tantivy.Index:
        index = tantivy.Index.open(str(self.path / name))
        index.config_reader(reload_policy="manual")
        return index

    def opstamp(self, name: str) -> int:
        with open(self.path / name / "meta.json", encoding="utf-8") as handle:
            return json.load(handle)["opstamp"]

    def writer_lock(self, timeout: float):
        """Hold the store's writer lock (every process), or raise IndexLocked after `timeout`."""
        message = f"search index writer lock busy at {self.path}"
        return exclusive(self.path / LOCK_FILE, timeout, lambda: IndexLocked(message))

    def remove_stale(self, *keep: str) -> None:
        for stale in self.path.glob(f"{DIR_PREFIX}*"):
            if stale.name not in keep and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)


def _write(index: tantivy.Index, work: Callable[[Any], None], heap: int, threads: int) -> None:
    """Run `work(writer)` and commit, or roll back everything on any error."""
    writer = index.writer(heap_size=heap, num_threads=threads)
    try:
        work(writer)
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()


class _Reader:
    """One searcher of one commit, and what is derived from it (the spelling vocabulary); also
    the spelling.Lexicon of that commit."""

    def __init__(self, generation: str, searcher: tantivy.Searcher, index_schema) -> None:
        self.generation = generation
        self.searcher = searcher
        self.schema = index_schema
        self._live: dict[str, dict[str, int]] = {}
        self._neighbours: Neighbours | None = None
        self._spellings: dict[str, list[tuple[int, str]]] | None = None

    # query building

    def term(self, field: str, term: str) -> tantivy.Query:
        return Q.term_query(self.schema, field, term)

    def expand(self, field: str, start: str) -> list[str]:
        """The first indexed terms starting with `start`, in code point order (as Whoosh)."""
        found = sorted(term for term, _ in self.searcher.terms_with_prefix(field, start))
        return found[:MAX_PREFIX_EXPANSION]

    def any_term(self, field: str, terms: list[str]) -> tantivy.Query:
        if not terms:
            return Q.empty_query()
        return Q.term_set_query(self.schema, field, terms)

    def alternative(self, alternative: Alternative) -> tantivy.Query:
        syllables = alternative.syllables
        if alternative.mode == "prefix":
            if alternative.units:  # after a syllable: that syllable, then a completion
                ((first, start),) = alternative.units
                return self.any_term("bigram", self.expand("bigram", f"{first}_{start}"))
            return self.any_term("fold", self.expand("fold", syllables[0]))
        if len(syllables) == 1:
            return self.term("fold", syllables[0])
        if alternative.mode == "phrase":
            return Q.phrase_query(self.schema, "fold", list(syllables))
        # The syllables of a known word must be together: their bigram term.
        terms = [self.term("fold", s) for s in dict.fromkeys(syllables)]
        terms += [self.term("bigram", f"{a}_{b}") for a, b in alternative.units]
        return Q.boolean_query([(MUST, term) for term in terms])

    def clause(self, clause: Clause) -> tantivy.Query:
        queries = [self.alternative(a) for a in clause.alternatives]
        if len(queries) == 1:
            return queries[0]
        return Q.boolean_query([(SHOULD, q) for q in queries])

    def match(self, parsed: ParsedQuery) -> tantivy.Query:
        """Every clause and no excluded one (every document for a blank query)."""
        if parsed.is_blank:
            return Q.all_query()
        if not parsed.clauses:
            return Q.empty_query()
        parts = [(MUST, self.clause(c)) for c in parsed.clauses]
        parts += [(MUST_NOT, self.clause(c)) for c in parsed.excluded]
        return Q.boolean_query(parts)

    def scoring(self, parsed: ParsedQuery) -> list[tantivy.Query]:
        """Queries whose summed scores rank the matching documents (whoosh_scoring's terms)."""
        found: dict[tuple[str, str], float] = {}

        def add(field: str, term: str, boost: float) -> None:
            found[(field, term)] = max(boost, found.get((field, term), 0.0))

        prefixes = []
        for clause in parsed.clauses:
            for alternative in clause.alternatives:
                syllables = alternative.syllables
                if alternative.mode == "prefix":
                    prefixes.append(alternative)
                    continue
                weight = TYPO_FACTOR if alternative.typo else 1.0
                for syllable in syllables:
                    add("fold", syllable, weight)
                    add("title", syllable, TITLE_BOOST * weight)
                    add("keywords", syllable, KEYWORDS_BOOST * weight)
                if alternative.mode == "phrase":
                    for a, b in pairwise(syllables):
                        add("bigram", f"{a}_{b}", BIGRAM_BOOST)
        for bigram in parsed.bigrams:
            add("bigram", bigram, BIGRAM_BOOST)
        for term in parsed.exact_terms:
            add("exact", term, EXACT_BOOST)
        # A query without diacritics: each syllable's likelier spelling.
        for folded in parsed.unaccented_terms:
            spellings = [(spelling, df) for df, spelling in self.spelt(folded)]
            if reading := likelier_reading(folded, spellings):
                add("exact", reading[0], EXACT_BOOST * reading[1])
        queries = [
            self.in_part(f, t, boost) if f in PARTS else Q.boost_query(self.term(f, t), boost)
            for (f, t), boost in found.items()
        ]
        for alternative in prefixes:
            start = alternative.syllables[0]
            if len(start) >= MIN_PREFIX_LENGTH and (expanded := self.any_of("fold", start)):
                queries.append(expanded)
        # A syllable followed by a completion of the next prefix ("sinh kh*": "sinh_kh…").
        for first, start in parsed.prefix_pairs:
            if expanded := self.any_of("bigram", f"{first}_{start}"):
                queries.append(Q.boost_query(expanded, BIGRAM_BOOST))
        return queries

    def in_part(self, field: str, syllable: str, boost: float) -> tantivy.Query:
        """`boost` times the syllable's idf over all the text, for a document whose name (or
        keywords) hold it, as whoosh_scoring's title bonus: the part's own idf would make a
        syllable common in descriptions but rare in names outweigh every other signal."""
        total, df = self.searcher.num_docs, self.searcher.doc_freq("fold", syllable)
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        return Q.const_score_query(self.term(field, syllable), boost * idf)

    def any_of(self, field: str, start: str) -> tantivy.Query | None:
        """The best-scoring of the terms `start` expands to (None if none)."""
        expanded = self.expand(field, start)
        if not expanded:
            return None
        return Q.disjunction_max_query([self.term(field, t) for t in expanded])

    @staticmethod
    def ranked(match: tantivy.Query, scoring: list[tantivy.Query], *filters) -> tantivy.Query:
        """`match` and `filters` decide which documents; only `scoring` adds to the score."""
        parts = [(MUST, Q.const_score_query(match, 0.0))]
        parts += [(MUST, Q.const_score_query(f, 0.0)) for f in filters if f is not None]
        parts += [(SHOULD, q) for q in scoring]
        return Q.boolean_query(parts)

    def kinds_filter(self, kinds) -> tantivy.Query | None:
        return None if kinds is None else self.any_term("kind", [str(k) for k in kinds])

    def facet_filter(self, name: str, values) -> tantivy.Query:
        return Q.term_set_query(self.schema, f"facets.{facet_path(name)}", list(values))

    # reading

    def count(self, query: tantivy.Query) -> int:
        return self.searcher.search(query, limit=1, count=True).count

    def every(self, query: tantivy.Query) -> list[tuple[float, Any]]:
        """Every matching (score, address)."""
        limit = max(self.searcher.num_docs, 1)
        return self.searcher.search(query, limit=limit, count=False).hits

    def keys(self, addresses: list) -> list[str]:
        kinds = self.searcher.fast_field_values("kindnum", addresses)
        entities = self.searcher.fast_field_values("entity", addresses)
        return [f"{KINDS[k]}:{e}" for k, e in zip(kinds, entities, strict=True)]

    def counts(self, query: tantivy.Query, fields: dict) -> dict[Any, dict[str, int]]:
        """{label: {value: count}} of the documents matching `query`, for {label: field}."""
        if not fields:
            return {}
        aggregations = {
            f"a{i}": {"terms": {"field": field, "size": MAX_FACET_VALUES}}
            for i, field in enumerate(fields.values())
        }
        found = self.searcher.aggregate(query, aggregations)
        return {
            label: {b["key"]: b["doc_count"] for b in found[f"a{i}"]["buckets"]}
            for i, label in enumerate(fields)
        }

    # spelling.Lexicon, counting live documents (tantivy's doc_freq counts deleted ones until
    # their segment is merged)

    def frequency(self, term: str) -> int:
        return self.count(self.term("fold", term))

    def pair_frequency(self, first: str, second: str) -> int:
        return min(self.count(self.term("bigram", f"{first}_{second}")), SUGGEST_BELOW)

    def live(self, field: str) -> dict[str, int]:
        """Every term of `field` in a live document, with their number (one pass, on first use)."""
        if field not in self._live:
            found = self.searcher.terms_with_prefix(field, "", filter_query=Q.all_query())
            self._live[field] = {term: df for term, df in found if df}
        return self._live[field]

    def near(self, term: str, distance: int) -> list[tuple[str, int]]:
        folded = self.live("fold")
        if self._neighbours is None:
            self._neighbours = Neighbours(folded)
        return [(t, folded[t]) for t in self._neighbours.near(term, distance)]

    def spelt(self, folded: str) -> list[tuple[int, str]]:
        """(live documents, spelling) of each spelling of `folded`, the most frequent first
        (ties: the code-point-smallest)."""
        if self._spellings is None:
            self._spellings = {}
            for term, df in self.live("exact").items():
                self._spellings.setdefault(fold(term), []).append((df, term))
            for found in self._spellings.values():
                found.sort(key=lambda pair: (-pair[0], pair[1]))
        return self._spellings.get(folded, [])

    def spellings(self, term: str) -> list[str]:
        return [spelling for _, spelling in self.spelt(term)]

    def spelt_pair_frequency(self, first: str, second: str) -> int:
        pair = self.term("bigram", f"{fold(first)}_{fold(second)}")
        both = [(MUST, q) for q in (pair, self.term("exact", first), self.term("exact", second))]
        return min(self.count(Q.boolean_query(both)), SUGGEST_BELOW)


class TantivyBackend(SearchBackend):
    """tantivy-backed search over a directory holding `CURRENT` and one or more `ix-*` indexes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        synonyms: Synonyms | None = None,
        words: Words | None = None,
        cache: bool = True,
        cache_size: int = 256,
    ):
        self.path = Path(path)
        self.store = TantivyStore(self.path)
        self.synonyms = synonyms or Synonyms()
        self.words = words or Words.bundled()
        self._results = ResultCache(cache_size if cache else 0)
        self._lock = threading.RLock()
        self._index: tantivy.Index | None = None
        self._index_name: str | None = None
        self._reader: _Reader | None = None

    def _open(self, name: str) -> tantivy.Index:
        if name != self._index_name:
            self._reader = None
            self._index = self.store.open(name)
            self._index_name = name
        return self._index

    def close(self) -> None:
        with self._lock:
            self._reader = None
            self._index = None
            self._index_name = None

    def _fresh(self) -> _Reader:
        """The reader of the live commit (the generation is read before reloading, so a reader
        is never older than the generation it is cached under)."""
        name = self.store.current()
        generation = f"{name}:{self.store.opstamp(name)}"
        if self._reader is None or self._reader.generation != generation:
            index = self._open(name)
            index.reload()
            self._reader = _Reader(generation, index.searcher(), index.schema)
        return self._reader

    def _parse(self, query: str) -> ParsedQuery:
        return parse_query(query, self.synonyms, self.words)

    # writing

    def apply(
        self,
        upserts: list[dict],
        deletes: Iterable[str | tuple[str, int]] = (),
        lock_timeout: float = 5.0,
    ) -> None:
        delete_keys = {key_of(item) for item in deletes}
        prepared = {}
        for doc in upserts:
            key, document = prepare_document(doc)
            if key not in delete_keys:
                prepared[key] = document  # the last of two upserts of one document wins
        if not prepared and not delete_keys:
            return

        def work(writer) -> None:
            for key in delete_keys | prepared.keys():
                writer.delete_documents_by_term("key", key)
            for document in prepared.values():
                writer.add_document(document)

        with self.store.writer_lock(lock_timeout), self._lock:
            index = self._open(self.store.current())
            _write(index, work, WRITER_HEAP, 1)

    def rebuild(
        self,
        documents: Iterable[dict],
        progress: Callable[[int], None] | None = None,
        lock_timeout: float = 60.0,
    ) -> int:
        """Build a new index next to the live one and switch `CURRENT` to it; concurrent apply()
        calls raise IndexLocked meanwhile. The previous folder is removed by the next rebuild."""
        count = 0

        def work(writer) -> None:
            nonlocal count
            seen: set[str] = set()
            for doc in documents:
                key, document = prepare_document(doc)
                if key in seen:
                    raise ValueError(f"duplicate document key {key!r} in rebuild")
                seen.add(key)
                writer.add_document(document)
                count += 1
                if progress and count % 500 == 0:
                    progress(count)
            if progress:
                progress(count)

        with self.store.writer_lock(lock_timeout):
            old_name = self.store.current()
            new_name, folder = self.store._new_folder()
            try:
                _write(tantivy.Index(schema(), path=str(folder)), work, REBUILD_HEAP, 2)
                self.store._point_to(new_name, exclusive=False)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        self.store.remove_stale(new_name, old_name)
        return count

    # reading

    def generation(self) -> str:
        name = self.store.current()
        return f"{name}:{self.store.opstamp(name)}"

    def doc_ids(self) -> set[str]:
        with self._lock:
            reader = self._fresh()
            return set(reader.keys([a for _, a in reader.every(Q.all_query())]))

    def digests(self) -> dict[str, str | None]:
        with self._lock:
            reader = self._fresh()
            found = {}
            for _, address in reader.every(Q.all_query()):
                document = reader.searcher.doc(address)
                found[document.get_first("key")] = stored_data(document).get("h")
            return found

    def relevance(self, query: str, kinds: Iterable[str] | None = None) -> dict[str, float]:
        parsed = self._parse(query if isinstance(query, str) else "").relaxed()
        if not parsed.clauses:
            return {}
        with self._lock:
            reader = self._fresh()
            any_clause = Q.boolean_query([(SHOULD, reader.clause(c)) for c in parsed.clauses])
            kinds_filter = reader.kinds_filter(as_list(kinds) if kinds is not None else None)
            found = reader.every(reader.ranked(any_clause, reader.scoring(parsed), kinds_filter))
            keys = reader.keys([address for _, address in found])
            return {key: score for key, (score, _) in zip(keys, found, strict=True)}

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
        arguments = search_arguments(query, kinds, filters, facets, sort, page, per_page)
        with self._lock:
            reader = self._fresh()
            key = (reader.generation, *arguments)
            return self._results.fetch(key, lambda: self._search(reader, *arguments))

    def _search(self, reader: _Reader, query, kinds, filters, facets, sort, page, per_page):
        typed = self._parse(query)
        if typed.matches_nothing:
            return SearchResult(
                total=0,
                hits=[],
                facet_counts={name: {} for name in facets},
                page=page,
                per_page=per_page,
            )
        typos = find_typos(typed, reader)
        parsed = typos.apply(typed)
        match = reader.match(parsed)
        # No document has a known word's syllables together: allow them apart.
        relaxed = parsed.has_units and not reader.count(match)
        if relaxed:
            parsed = parsed.relaxed()
            match = reader.match(parsed)
        kind_filter = reader.kinds_filter(kinds)
        facet_filters = {name: reader.facet_filter(name, values) for name, values in filters}

        def restricted(skip_kinds: bool = False, skip_facet: str | None = None) -> tantivy.Query:
            parts = [f for n, f in facet_filters.items() if n != skip_facet]
            if kind_filter is not None and not skip_kinds:
                parts.append(kind_filter)
            if not parts:
                return match
            return Q.boolean_query([(MUST, match)] + [(MUST, p) for p in parts])

        # Facets without a filter of their own share one pass with the kind counts when no
        # kinds are chosen; each filtered facet (and the kinds, if chosen) needs its own.
        passes: dict[tuple, dict[tuple, str]] = {("kinds",): {("kind",): "kind"}}
        for name in facets:
            if name in facet_filters:
                owner = ("facet", name)
            else:
                owner = ("kinds",) if kinds is None else ("all",)
            passes.setdefault(owner, {})[("facet", name)] = f"facets.{facet_path(name)}"
        counts: dict[tuple, dict[str, int]] = {}
        for owner, fields in passes.items():
            if owner == ("kinds",):
                base = restricted(skip_kinds=True)
            else:
                base = restricted(skip_facet=owner[1] if owner[0] == "facet" else None)
            counts.update(reader.counts(base, fields))
        kind_counts = {k: counts[("kind",)][k] for k in KINDS if k in counts[("kind",)]}
        facet_counts = {
            name: dict(sorted(counts[("facet", name)].items(), key=lambda i: (-i[1], i[0])))
            for name in facets
        }
        total = sum(kind_counts.get(k, 0) for k in (KINDS if kinds is None else kinds))

        hits = []
        if total > (page - 1) * per_page:
            final = restricted()
            options: dict[str, Any] = {"limit": per_page, "offset": (page - 1) * per_page}
            if sort == "newest" or (sort == "relevance" and parsed.is_blank):
                options.update(order_by_field="updated", order=tantivy.Order.Desc)
            elif sort == "closing":
                options.update(order_by_field="closes", order=tantivy.Order.Asc)
            else:
                final = reader.ranked(final, reader.scoring(parsed))
            found = reader.searcher.search(final, count=False, **options).hits
            ranked = sort == "relevance" and not parsed.is_blank
            terms = frozenset(parsed.highlight)
            hits = [self._hit(reader, a, score if ranked else 0.0, terms) for score, a in found]

        suggestion = typos.offer(
            typed, reader, lambda q: reader.count(reader.match(self._parse(q)))
        )
        return SearchResult(
            total=total,
            hits=hits,
            facet_counts=facet_counts,
            kind_counts=kind_counts,
            suggestion=suggestion,
            relaxed=relaxed and bool(reader.count(match)),
            page=page,
            per_page=per_page,
        )

    @staticmethod
    def _hit(reader: _Reader, address, score: float, terms: frozenset[str]) -> Hit:
        document = reader.searcher.doc(address)
        data = stored_data(document)
        kind, _, entity_id = document.get_first("key").partition(":")
        highlights = hit_highlights(
            {
                "title": data["t"],
                "title_en": data.get("te"),
                "keywords": data.get("k"),
                "body": data.get("b"),
                "body_en": data.get("be"),
            },
            terms,
        )
        return Hit(kind, int(entity_id), round(score, 4), highlights, data["s"])

    def suggest(
        self, prefix: str, kinds: Iterable[str] | None = None, limit: int = 8
    ) -> list[dict[str, Any]]:
        """Documents whose title has every typed syllable, the last one as a prefix while it is
        being typed; titles starting with the typed text first, then shorter ones."""
        words = typed_words(prefix) if isinstance(prefix, str) else []
        limit = min(limit, MAX_PER_PAGE)
        if not words or limit <= 0:
            return []
        last_is_prefix = not prefix[-1:].isspace()
        with self._lock:
            reader = self._fresh()
            parts = [(MUST, reader.term("title", w)) for w in words[:-1]]
            last = words[-1]
            expanded = reader.expand("title", last) if last_is_prefix else [last]
            parts.append((MUST, reader.any_term("title", expanded)))
            if kinds:
                parts.append((MUST, reader.kinds_filter(as_list(kinds))))
            titles = Q.boolean_query(parts)
            # Typed syllables are letters and digits joined by spaces: nothing to escape.
            starts = Q.regex_query(reader.schema, "tkey", " ".join(words) + ".*")
            found = []
            for condition in (MUST, MUST_NOT):
                wanted = limit - len(found)
                if wanted > 0:
                    query = Q.boolean_query([(MUST, titles), (condition, starts)])
                    found += reader.searcher.search(
                        query,
                        limit=wanted,
                        count=False,
                        order_by_field="tlen",
                        order=tantivy.Order.Asc,
                    ).hits
            results = []
            for _, address in found:
                document = reader.searcher.doc(address)
                data = stored_data(document)
                kind, _, entity_id = document.get_first("key").partition(":")
                results.append(
                    {
                        "kind": kind,
                        "id": int(entity_id),
                        "title": data["t"],
                        "title_en": data.get("te"),
                        "stored": data["s"],
                    }
                )
            return results
