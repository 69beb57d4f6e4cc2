"""The engine-neutral backend interface, result types and errors shared by all search backends."""

import abc
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

__all__ = [
    "KINDS",
    "MAX_PER_PAGE",
    "SORTS",
    "Hit",
    "IndexLocked",
    "ResultCache",
    "SearchBackend",
    "SearchResult",
    "document_digest",
    "json_date",
    "as_list",
    "document_key",
    "key_of",
    "split_key",
]

KINDS = (
    "firm",
    "catalogue",
    "programme",
    "zone",
    "incubator",
    "tech_request",
    "tech_offer",
    "article",
    "product",
)
SORTS = ("relevance", "newest", "closing")
MAX_PER_PAGE = 100


class IndexLocked(Exception):
    """Another writer holds the index lock; nothing was written, retry later."""


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    score: float
    highlights: dict[str, str]
    stored: dict[str, Any]


@dataclass(frozen=True)
class SearchResult:
    """One page of results. Results may be shared through the cache: treat them as read-only."""

    total: int
    hits: list[Hit]
    facet_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    kind_counts: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None
    # True when no document had the query's words together and these results have them apart.
    relaxed: bool = False
    page: int = 1
    per_page: int = 20

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def document_key(kind: str, entity_id: int) -> str:
    return f"{kind}:{int(entity_id)}"


def document_digest(doc: dict) -> str:
    """A fingerprint of everything a document puts in the index, recorded at indexing time so
    that a checker can tell whether the indexed copy still matches the record.

    Canonical JSON: keys sorted, dates in ISO form, facet values as a set (their order means
    nothing to the index); the order of text and stored values counts, as it does on display.
    """
    facets = doc.get("facets") or {}
    canonical = {
        **doc,
        "facets": {
            name: sorted([values] if isinstance(values, str) else values or ())
            for name, values in facets.items()
        },
    }
    text = json.dumps(
        canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=json_date
    )
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def json_date(value: Any) -> str:
    """json.dumps(default=…): dates and datetimes in ISO form; anything else is refused."""
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise ValueError(f"a search document cannot hold a {type(value).__name__}")


def search_arguments(query, kinds, filters, facets, sort, page, per_page) -> tuple:
    """search()'s arguments in canonical form, also the result cache's key: (query, kinds,
    filters, facets, sort, page, per_page) with kinds sorted (None: all), filters as sorted
    (name, values) pairs without empty ones, an unknown sort as relevance, page sizes bounded."""
    kinds_key = tuple(sorted(set(as_list(kinds)))) or None
    filters_key = tuple(
        sorted(
            (str(name), tuple(sorted({str(v) for v in as_list(values)})))
            for name, values in (filters or {}).items()
            if values
        )
    )
    facets_key = tuple(dict.fromkeys(str(f) for f in as_list(facets)))
    return (
        query if isinstance(query, str) else "",
        kinds_key,
        filters_key,
        facets_key,
        sort if sort in SORTS else "relevance",
        max(1, int(page)),
        min(max(1, int(per_page)), MAX_PER_PAGE),
    )


class ResultCache:
    """The last `size` results, keyed by (index generation, search arguments); thread-safe.
    Size 0 keeps nothing."""

    def __init__(self, size: int = 256):
        self.size = size
        self._results: OrderedDict[tuple, SearchResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> "SearchResult | None":
        with self._lock:
            found = self._results.get(key)
            if found is not None:
                self._results.move_to_end(key)
            return found

    def put(self, key: tuple, result: "SearchResult") -> None:
        with self._lock:
            self._results[key] = result
            while len(self._results) > self.size:
                self._results.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._results.clear()

    def fetch(self, key: tuple, compute: Callable[[], "SearchResult"]) -> "SearchResult":
        """The result kept for `key`, or `compute()`'s, then kept."""
        found = self.get(key) if self.size else None
        if found is None:
            found = compute()
            if self.size:
                self.put(key, found)
        return found


def key_of(item: str | tuple[str, int]) -> str:
    """ "kind:id" for a key string or a (kind, id) pair."""
    if isinstance(item, str):
        return item
    kind, entity_id = item
    return document_key(kind, entity_id)


def split_key(key: str) -> tuple[str, int]:
    """(kind, id) of a "kind:id" key."""
    kind, _, entity_id = key.partition(":")
    return kind, int(entity_id)


def as_list(values) -> list:
    """Accept a single string where a list of strings is expected (kinds="firm")."""
    if not values:
        return []
    return [values] if isinstance(values, str) else list(values)


class SearchBackend(abc.ABC):
    """What the application relies on; see the package docstring for the document contract."""

    @abc.abstractmethod
    def apply(
        self,
        upserts: list[dict],
        deletes: Iterable[str | tuple[str, int]] = (),
        lock_timeout: float = 5.0,
    ) -> None:
        """Upsert and delete in one commit, or raise IndexLocked having written nothing."""

    @abc.abstractmethod
    def search(
        self,
        query: str,
        kinds: Iterable[str] | None = None,
        filters: dict[str, list[str]] | None = None,
        facets: Iterable[str] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult: ...

    @abc.abstractmethod
    def generation(self) -> str:
        """A token that changes whenever the index content changes (for callers' caches)."""

    @abc.abstractmethod
    def relevance(self, query: str, kinds: Iterable[str] | None = None) -> dict[str, float]:
        """Scores of every document matching ANY clause of `query` ("kind:id" → score).

        For matching: a profile turned into a long OR query ranks candidates by shared terms,
        with the same analysis, synonyms and boosts as `search`."""

    @abc.abstractmethod
    def suggest(
        self, prefix: str, kinds: Iterable[str] | None = None, limit: int = 8
    ) -> list[dict[str, Any]]:
        """Documents whose title (Vietnamese or English) has every typed syllable, the last one
        as a prefix while it is being typed: {"kind", "id", "title", "title_en", "stored"}."""

    @abc.abstractmethod
    def rebuild(
        self, documents: Iterable[dict], progress: Callable[[int], None] | None = None
    ) -> int:
        """Build a fresh index from `documents`, swap it in atomically; return the count."""

    @abc.abstractmethod
    def doc_ids(self) -> set[str]: ...

    @abc.abstractmethod
    def digests(self) -> dict[str, str | None]:
        """Every indexed key with the `document_digest` of the document as it was written
        (None for a document written before digests were recorded)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release open files; the backend reopens them on next use."""
