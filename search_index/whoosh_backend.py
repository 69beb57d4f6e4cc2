"""Whoosh implementation of the search backend.

Whoosh stores the index (files, segments, writer lock, stored fields, columns): see
whoosh_storage (which folder is live), whoosh_writing (commits and rebuilds) and whoosh_schema
(fields). Matching, scoring, facet counts and suggestions run over posting lists read in bulk
(whoosh_postings, whoosh_scoring, whoosh_suggestions). Whoosh internals are used only through
whoosh_internals.
"""

import heapq
import os
import threading
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any

from . import whoosh_writing
from .backend import (
    MAX_PER_PAGE,
    Hit,
    ResultCache,
    SearchBackend,
    SearchResult,
    as_list,
    search_arguments,
    split_key,
)
from .highlight import hit_highlights
from .query import parse_query, typed_words
from .spelling import find_typos
from .synonyms import Synonyms
from .whoosh_postings import SegmentPostings, View
from .whoosh_scoring import contributions, score
from .whoosh_storage import IndexStore
from .whoosh_suggestions import WhooshLexicon, completions
from .words import Words

__all__ = ["WhooshBackend"]


class WhooshBackend(SearchBackend):
    """Whoosh-backed search over a directory holding `CURRENT` and one or more `ix-*` indexes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        synonyms: Synonyms | None = None,
        words: Words | None = None,
        cache: bool = True,
        cache_size: int = 256,
    ):
        self.path = Path(path)
        self.store = IndexStore(self.path)
        self.synonyms = synonyms or Synonyms()
        self.words = words or Words.bundled()
        self._results = ResultCache(cache_size if cache else 0)
        self._lock = threading.RLock()
        self._ix = None
        self._ix_name: str | None = None
        self._searcher = None
        self._view: View | None = None
        self._segment_postings = SegmentPostings()

    # the open index and its searcher

    def _open(self, name: str):
        if name != self._ix_name:
            self._close_searcher()
            self._ix = self.store.open(name)
            self._ix_name = name
        return self._ix

    def _open_locked(self, name: str):
        with self._lock:
            return self._open(name)

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

    def _fresh_view(self) -> View:
        ix = self._open(self.store.current())
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
            self._view = View(self._searcher, generation, self._segment_postings)
        return self._view

    def _parse(self, query: str):
        return parse_query(query, self.synonyms, self.words)

    # writing

    def apply(
        self,
        upserts: list[dict],
        deletes: Iterable[str | tuple[str, int]] = (),
        lock_timeout: float = 5.0,
    ) -> None:
        whoosh_writing.apply(self.store, self._open_locked, upserts, deletes, lock_timeout)

    def rebuild(
        self,
        documents: Iterable[dict],
        progress: Callable[[int], None] | None = None,
        lock_timeout: float = 60.0,
    ) -> int:
        """Build a new index next to the live one and switch `CURRENT` to it (see
        whoosh_storage.IndexStore.replace); concurrent apply() calls raise IndexLocked."""
        return self.store.replace(
            lambda folder: whoosh_writing.build(folder, documents, progress), lock_timeout
        )

    # reading

    def doc_ids(self) -> set[str]:
        with self._lock:
            view = self._fresh_view()
            return {view.key(docnum) for docnum in view.all_docs()}

    def digests(self) -> dict[str, str | None]:
        with self._lock:
            reader = self._fresh_view().reader
            return {fields["key"]: fields["data"].get("h") for _, fields in reader.iter_docs()}

    def generation(self) -> str:
        with self._lock:
            name, number = self._fresh_view().generation
            return f"{name}:{number}"

    def relevance(self, query: str, kinds: Iterable[str] | None = None) -> dict[str, float]:
        parsed = self._parse(query if isinstance(query, str) else "").relaxed()
        with self._lock:
            view = self._fresh_view()
            allowed = view.kinds_filter(set(as_list(kinds))) if kinds is not None else None
            matched: set[int] = set()
            for clause in parsed.clauses:
                docs = view.clause_docs(clause)
                # Restrict each clause first: unions of common syllables span the whole index.
                matched |= docs & allowed if allowed is not None else docs
            matched.difference_update(view.deleted)
            if not matched:
                return {}
            scores = score(matched, contributions(view, parsed))
            return {view.key(d): value for d, value in scores.items()}

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
            view = self._fresh_view()
            key = (view.generation, *arguments)
            return self._results.fetch(key, lambda: self._search(view, *arguments))

    def _search(self, view, query, kinds, filters, facets, sort, page, per_page) -> SearchResult:
        typed = self._parse(query)
        lexicon = WhooshLexicon(view)
        typos = find_typos(typed, lexicon)
        parsed = typos.apply(typed)
        matched = view.match(parsed)
        relaxed = not matched and parsed.has_units
        if relaxed:
            parsed = parsed.relaxed()
            matched = view.match(parsed)
        kind_filter = view.kinds_filter(kinds) if kinds is not None else None
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
        for kind, docs in view.kind_sets().items():
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
            scores = score(final, contributions(view, parsed))
            top = [d for d, _ in heapq.nlargest(wanted, scores.items(), key=itemgetter(1))]
        terms = frozenset(parsed.highlight)
        hits = [self._hit(view, d, scores.get(d, 0.0), terms) for d in top[wanted - per_page :]]

        suggestion = typos.offer(typed, lexicon, lambda q: len(view.match(self._parse(q))))
        return SearchResult(
            total=len(final),
            hits=hits,
            facet_counts=facet_counts,
            kind_counts=kind_counts,
            suggestion=suggestion,
            relaxed=relaxed and bool(matched),
            page=page,
            per_page=per_page,
        )

    def _hit(self, view: View, docnum: int, score: float, terms: frozenset[str]) -> Hit:
        stored = view.searcher.stored_fields(docnum)
        data = stored["data"]
        kind, entity_id = split_key(stored["key"])
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
        return Hit(kind, entity_id, round(score, 4), highlights, data["s"])

    def suggest(
        self, prefix: str, kinds: Iterable[str] | None = None, limit: int = 8
    ) -> list[dict[str, Any]]:
        words = typed_words(prefix) if isinstance(prefix, str) else []
        limit = min(limit, MAX_PER_PAGE)
        if not words or limit <= 0:
            return []
        last_is_prefix = not prefix[-1:].isspace()
        with self._lock:
            view = self._fresh_view()
            return completions(view, words, last_is_prefix, as_list(kinds), limit)
