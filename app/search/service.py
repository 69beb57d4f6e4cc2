"""Searching the public index for the search page and the suggestion box."""

from dataclasses import dataclass, field

from flask import current_app

from app.domain.text import nfc
from app.search.engine import search_backend
from search_index import KINDS, SearchResult

MAX_QUERY_CHARS = 500
SORTS = ("relevance", "newest", "closing")

# The facets offered on each tab, in display order.
FACETS_BY_KIND: dict[str, tuple[str, ...]] = {
    "all": ("group",),
    "firm": ("group", "size", "ward", "zone", "seeking", "verified"),
    "catalogue": ("group", "catalogue_kind"),
    "programme": ("status", "support", "group", "size"),
    "zone": ("zone_kind", "zone_status", "group"),
    "incubator": ("group",),
}


@dataclass
class SearchRequest:
    query: str = ""
    kind: str = "all"
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args, page: int) -> "SearchRequest":
        kind = args.get("kind", "all")
        if kind not in FACETS_BY_KIND:
            kind = "all"
        facets = FACETS_BY_KIND[kind]
        filters = {
            name: values for name in facets if (values := [v for v in args.getlist(name) if v])
        }
        sort = args.get("sort", "relevance")
        return cls(
            query=nfc(args.get("q", ""))[:MAX_QUERY_CHARS].strip(),
            kind=kind,
            filters=filters,
            sort=sort if sort in SORTS else "relevance",
            page=page,
        )

    @property
    def is_blank(self) -> bool:
        """Nothing asked yet: show entry points (a chosen tab or filter browses instead)."""
        return not self.query and not self.filters and self.kind == "all"

    @property
    def facets(self) -> tuple[str, ...]:
        return FACETS_BY_KIND[self.kind]


def run_search(request: SearchRequest, per_page: int = 20) -> SearchResult:
    return search_backend(current_app).search(
        request.query,
        kinds=None if request.kind == "all" else [request.kind],
        filters=request.filters,
        facets=request.facets,
        sort=request.sort,
        page=request.page,
        per_page=per_page,
    )


def suggestions(prefix: str, limit: int = 8) -> list[dict]:
    prefix = nfc(prefix)[:100].strip()
    if not prefix:
        return []
    return search_backend(current_app).suggest(prefix, kinds=KINDS, limit=limit)
