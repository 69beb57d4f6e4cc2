"""The search page over every kind of record, and JSON suggestions for the search box."""

from urllib.parse import urlencode

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from app.catalogue.service import catalogue_tree
from app.i18n import current_language
from app.page_cache import for_visitors
from app.pagination import browsable_pages, requested_page
from app.places.service import zones_by_slug
from app.products.service import labels_by_code
from app.search.service import (
    DETAIL_ENDPOINTS,
    SORTS,
    SearchRequest,
    overview,
    run_search,
    suggestions,
)

bp = Blueprint("search", __name__, cli_group="search")

PER_PAGE = 20
KIND_LABELS = {
    "firm": _l("Firm"),
    "catalogue": _l("Catalogue"),
    "programme": _l("Programme"),
    "zone": _l("Zone or cluster"),
    "incubator": _l("Incubator"),
    "tech_request": _l("Technology request"),
    "tech_offer": _l("Technology offer"),
    "article": _l("News or story"),
    "product": _l("Product"),
}


def toggle_url(name: str, value: str | None = None) -> str:
    """This search with a facet value added or removed (or, without a value, the whole facet)."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    values = args.get(name, [])
    if value is None:
        args.pop(name, None)
    elif value in values:
        args[name] = [v for v in values if v != value]
    else:
        args[name] = [*values, value]
    return f"{url_for('search.index')}?{urlencode(args, doseq=True)}"


def hit_url(kind: str, stored: dict) -> str:
    endpoint, key = DETAIL_ENDPOINTS[kind]
    return url_for(endpoint, **{key: stored[key]})


@bp.get("/search")
@for_visitors
def index():
    search = SearchRequest.from_args(request.args, requested_page(PER_PAGE))
    if search.is_blank:
        return render_template("search/index.html", search=search, result=None, sorts=SORTS)
    if search.is_overview and search.page > 1:
        abort(404)  # the overview is one page; each kind's tab pages through all of it
    # The overview shows each kind's own best: of the whole result it needs only the counts.
    result = run_search(search, per_page=1 if search.is_overview else PER_PAGE)
    if search.page > browsable_pages(result.total, PER_PAGE):
        abort(404)
    zones = zones_by_slug()
    return render_template(
        "search/index.html",
        search=search,
        result=result,
        sections=overview(search, result) if search.is_overview else None,
        per_page=PER_PAGE,
        sorts=SORTS,
        tree=catalogue_tree(),
        zones=zones,
        eco_labels=labels_by_code(),
        hit_url=hit_url,
        toggle_url=toggle_url,
    )


@bp.get("/search/suggest")
@for_visitors
def suggest():
    english = current_language() == "en"
    items = [
        {
            "kind": s["kind"],
            "kind_label": str(KIND_LABELS[s["kind"]]),
            "title": (english and s.get("title_en")) or s["title"],
            "url": hit_url(s["kind"], s["stored"]),
        }
        for s in suggestions(request.args.get("q", ""))
    ]
    return jsonify(suggestions=items)
