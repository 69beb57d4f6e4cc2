"""Search over every kind of public record, with the search page's query language, facets and
pages, and completions for a search box."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from markupsafe import Markup
from marshmallow import fields, validate

from app.api.http import PREFIX, page_args, page_body, public
from app.api.schemas import PageArgs, Schema, page_of
from app.errors import ValidationError
from app.search.service import (
    DETAIL_ENDPOINTS,
    FACETS_BY_KIND,
    MAX_QUERY_CHARS,
    OVERVIEW,
    SORTS,
    SearchRequest,
    run_search,
    suggestions,
)
from app.urls import public_url

blp = Blueprint(
    "api_search", __name__, url_prefix=PREFIX, description="Search and search-box completions."
)
KINDS = ("all", *OVERVIEW)
FACETS = sorted({name for names in FACETS_BY_KIND.values() for name in names})


def _facet_field(name: str) -> fields.Field:
    kinds = ", ".join(sorted(k for k, names in FACETS_BY_KIND.items() if name in names))
    return fields.List(
        fields.String(validate=validate.Length(max=100)),
        validate=validate.Length(max=20),
        metadata={"description": f"Facet filter, any of the values (on: {kinds})."},
    )


SearchArgs = PageArgs.from_dict(
    {
        "q": fields.String(
            validate=validate.Length(max=MAX_QUERY_CHARS),
            metadata={
                "description": "Words, with or without diacritics; quoted phrases; the last "
                "word also matches as a prefix."
            },
        ),
        "kind": fields.String(validate=validate.OneOf(KINDS), load_default="all"),
        "sort": fields.String(validate=validate.OneOf(SORTS), load_default="relevance"),
        **{name: _facet_field(name) for name in FACETS},
    },
    name="SearchArgs",
)


class HitSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(OVERVIEW))
    id = fields.Integer(required=True)
    key = fields.String(
        required=True, metadata={"description": "The record's slug (a catalogue item: its code)."}
    )
    title = fields.String(required=True)
    title_en = fields.String(allow_none=True)
    score = fields.Float(required=True)
    highlights = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Matched words marked with <mark> in escaped HTML, by field."},
    )
    url = fields.String(required=True, metadata={"format": "uri"})


class FacetValueSchema(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)


class SearchPage(page_of(HitSchema, "HitPage")):
    kinds = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Hits by kind."}
    )
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    suggestion = fields.String(allow_none=True, metadata={"description": "Did you mean…"})
    relaxed = fields.Boolean(
        metadata={"description": "No record had the words together; these have them apart."}
    )


class SuggestArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(max=100))


class SuggestionSchema(Schema):
    kind = fields.String(required=True)
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    title_en = fields.String(allow_none=True)
    url = fields.String(required=True, metadata={"format": "uri"})


class SuggestionsSchema(Schema):
    items = fields.List(fields.Nested(SuggestionSchema), required=True)


def _url(kind: str, stored: dict) -> str:
    endpoint, key = DETAIL_ENDPOINTS[kind]
    return public_url(endpoint, **{key: stored[key]})


def _hit(hit) -> dict:
    key = DETAIL_ENDPOINTS[hit.kind][1]
    plain = dict(hit.highlights)
    return {
        "kind": hit.kind,
        "id": hit.id,
        "key": hit.stored[key],
        "title": hit.stored.get("legal_name") or _text(plain.get("title")),
        "title_en": _text(plain.get("title_en")) or None,
        "score": round(hit.score, 4),
        "highlights": plain,
        "url": _url(hit.kind, hit.stored),
    }


def _text(html: str | None) -> str:
    return Markup(html or "").striptags()


@blp.route("/search")
class Search(MethodView):
    @public
    @blp.arguments(SearchArgs, location="query", as_kwargs=True)
    @blp.response(200, SearchPage)
    def get(self, page: int, per_page: int, **_args):
        """Firms, catalogue items, programmes, zones and incubators matching the words, with
        facet counts; one kind at a time with `kind`, ranked by relevance or sorted."""
        page_args(page, per_page)
        search = SearchRequest.from_args(request.args, page)
        if search.is_blank:
            message = _("Give words to search for, a kind or a filter.")
            raise ValidationError(message, {"q": message})
        result = run_search(search, per_page=per_page)
        body, headers = page_body([_hit(hit) for hit in result.hits], result.total, page, per_page)
        body.update(
            kinds=result.kind_counts,
            facets={
                name: [{"value": value, "count": count} for value, count in counts.items()]
                for name, counts in result.facet_counts.items()
            },
            suggestion=result.suggestion,
            relaxed=result.relaxed,
        )
        return body, 200, headers


@blp.route("/suggest")
class Suggest(MethodView):
    @public
    @blp.arguments(SuggestArgs, location="query", as_kwargs=True)
    @blp.response(200, SuggestionsSchema)
    def get(self, q: str):
        """Completions of what is being typed, blended by kind, as the search box offers them."""
        return {
            "items": [
                {
                    "kind": s["kind"],
                    "id": s["id"],
                    "title": s["title"],
                    "title_en": s.get("title_en") or None,
                    "url": _url(s["kind"], s["stored"]),
                }
                for s in suggestions(q)
            ]
        }
