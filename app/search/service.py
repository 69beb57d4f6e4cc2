"""Searching the public index for the search page and the suggestion box."""

from dataclasses import dataclass, field
from itertools import zip_longest

from flask import current_app
from markupsafe import Markup

from app.domain.text import nfc
from app.search.engine import search_backend
from search_index import Hit, SearchResult

MAX_QUERY_CHARS = 500
SORTS = ("relevance", "newest", "closing")
# The "All" tab shows the best few of each kind in this order (firms, the directory, first)
# rather than one ranking, where short catalogue entries would fill the first page; the
# suggestion box blends kinds the same way.
OVERVIEW = {
    "firm": 5,
    "programme": 3,
    "zone": 3,
    "incubator": 3,
    "catalogue": 3,
    "tech_request": 3,
    "tech_offer": 3,
    "article": 3,
    "product": 3,
}
SUGGESTED_FIRMS = 3

# Each kind's page on the site: its endpoint and the stored field that names the record.
DETAIL_ENDPOINTS = {
    "firm": ("firms.detail", "slug"),
    "programme": ("programmes.detail", "slug"),
    "zone": ("places.zone", "slug"),
    "incubator": ("places.incubator", "slug"),
    "catalogue": ("catalogue.detail", "code"),
    "tech_request": ("marketplace.detail", "listing_id"),
    "tech_offer": ("marketplace.detail", "listing_id"),
    "article": ("news.detail", "slug"),
    "product": ("products.detail", "slug"),
}

# The facets offered on each tab, in display order.
FACETS_BY_KIND: dict[str, tuple[str, ...]] = {
    "all": ("group",),
    "firm": ("group", "size", "ward", "zone", "seeking", "verified"),
    "catalogue": ("group", "catalogue_kind"),
    "programme": ("status", "support", "group", "size"),
    "zone": ("zone_kind", "zone_status", "group"),
    "incubator": ("group",),
    "tech_request": ("market_kind", "group", "ward"),
    "tech_offer": ("market_kind", "group", "ward"),
    "article": ("article_kind", "group"),
    "product": ("labelled", "label", "group"),
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

    @property
    def is_overview(self) -> bool:
        """The "All" tab ranked by relevance: the best of each kind, not one list."""
        return self.kind == "all" and self.sort == "relevance" and bool(self.query)


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


def overview(request: SearchRequest, result: SearchResult) -> list[tuple[str, SearchResult]]:
    """For each kind `result` found, in OVERVIEW order, its best few (with the same filters)."""
    backend = search_backend(current_app)
    return [
        (
            kind,
            backend.search(
                request.query, kinds=[kind], filters=request.filters, facets=(), per_page=size
            ),
        )
        for kind, size in OVERVIEW.items()
        if result.kind_counts.get(kind)
    ]


def suggestions(prefix: str, limit: int = 8) -> list[dict]:
    """Completions of what is being typed, blended by kind in OVERVIEW order (each kind in turn
    takes its next best), and firms whose records match when too few have it in their name:
    "nuoc thai" names catalogue items, and firms that treat wastewater are what a visitor wants."""
    prefix = nfc(prefix)[:100]
    if not prefix.strip():
        return []
    backend = search_backend(current_app)
    pool = backend.suggest(prefix, kinds=None, limit=limit * 3)
    named = {(s["kind"], s["id"]) for s in pool}
    if sum(s["kind"] == "firm" for s in pool) < SUGGESTED_FIRMS:
        found = backend.search(prefix, kinds=["firm"], facets=(), per_page=SUGGESTED_FIRMS)
        pool += [_suggestion(hit) for hit in found.hits if (hit.kind, hit.id) not in named]
    by_kind = [[s for s in pool if s["kind"] == kind] for kind in OVERVIEW]
    blended = [s for turn in zip_longest(*by_kind) for s in turn if s is not None][:limit]
    order = list(OVERVIEW)
    return sorted(blended, key=lambda s: order.index(s["kind"]))


def _suggestion(hit: Hit) -> dict:
    """A search hit as `SearchBackend.suggest` gives a completion."""
    titles = {f: Markup(hit.highlights.get(f) or "").striptags() for f in ("title", "title_en")}
    return {"kind": hit.kind, "id": hit.id, **titles, "stored": hit.stored}
