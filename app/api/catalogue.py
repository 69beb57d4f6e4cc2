"""The Decision 980 catalogue: the whole tree, and one entry with the published firms that supply
it or need it and the programmes that target it (as on /catalogue/<code>)."""

from dataclasses import dataclass

from flask import redirect
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.firms import FirmSummarySchema
from app.api.http import PREFIX, public
from app.api.schemas import CatalogueRefSchema, Schema, bilingual, enum, page_url
from app.catalogue.service import catalogue_tree, current_code, get_item
from app.errors import NotFound
from app.firms.service import published_firms_linked
from app.models import (
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
    Firm,
    LinkRelation,
    Programme,
    ProgrammeStatus,
)
from app.programmes.service import programmes_targeting
from app.urls import public_url

blp = Blueprint(
    "api_catalogue",
    __name__,
    url_prefix=f"{PREFIX}/catalogue",
    description="The Decision 980 catalogue of environmental technologies, equipment, products.",
)

# The firms shown under an entry, each way (the page's own cap, firms.service).
FIRMS_CAP = 50


class CatalogueNodeSchema(Schema):
    """An entry of the tree: a domain group, a kind (technology, equipment, product) within it,
    or an item; `children` are the entries below it, in catalogue order."""

    code = fields.String(required=True)
    name = bilingual("name")
    level = enum(CatalogueLevel, required=True)
    kind = enum(CatalogueKind, allow_none=True)
    verified = fields.Boolean(
        required=True, metadata={"description": "Checked against the official appendix."}
    )
    url = page_url("catalogue.detail", code="code")
    children = fields.Function(
        lambda item: CatalogueNodeSchema(many=True).dump(catalogue_tree().kids(item)),
        metadata={"type": "array", "items": {"$ref": "#/components/schemas/CatalogueNode"}},
    )


class CatalogueSchema(Schema):
    groups = fields.List(fields.Nested(CatalogueNodeSchema), required=True)


class ProgrammeRefSchema(Schema):
    slug = fields.String(required=True)
    title = bilingual("title")
    status = enum(ProgrammeStatus, metadata={"description": "On today's date."})
    url = page_url("programmes.detail", slug="slug")


@dataclass
class Entry:
    """A catalogue entry with what its page shows around it."""

    item: CatalogueItem
    ancestors: list[CatalogueItem]
    children: list[CatalogueItem]
    supplied_by: list[Firm]
    needed_by: list[Firm]
    programmes: list[Programme]

    def __getattr__(self, name: str):
        return getattr(self.item, name)


class CatalogueEntrySchema(Schema):
    code = fields.String(required=True)
    name = bilingual("name")
    description = bilingual("description")
    level = enum(CatalogueLevel, required=True)
    kind = enum(CatalogueKind, allow_none=True)
    official_number = fields.String(
        allow_none=True, metadata={"description": "The item's number in the official list."}
    )
    verified = fields.Boolean(required=True)
    source_document = fields.String(allow_none=True)
    url = page_url("catalogue.detail", code="code")
    ancestors = fields.List(
        fields.Nested(CatalogueRefSchema), metadata={"description": "From the group down."}
    )
    children = fields.List(fields.Nested(CatalogueRefSchema))
    supplied_by = fields.List(
        fields.Nested(FirmSummarySchema),
        metadata={
            "description": f"Published firms supplying it or what is below it, by name; "
            f"at most {FIRMS_CAP}."
        },
    )
    needed_by = fields.List(
        fields.Nested(FirmSummarySchema),
        metadata={
            "description": f"Published firms needing it or what is below it, by name; "
            f"at most {FIRMS_CAP}."
        },
    )
    programmes = fields.List(
        fields.Nested(ProgrammeRefSchema),
        metadata={"description": "Public programmes targeting it, its ancestors or below it."},
    )


@blp.route("")
class Catalogue(MethodView):
    @public
    @blp.response(200, CatalogueSchema)
    def get(self):
        """The whole catalogue tree: domain groups → kinds → items (a few hundred entries, so
        returned whole)."""
        return {"groups": catalogue_tree().groups}


@blp.route("/<code>")
class CatalogueEntry(MethodView):
    @public
    @blp.response(200, CatalogueEntrySchema)
    @blp.alt_response(301, description="An old code: the entry's address under its code today.")
    def get(self, code: str):
        """One catalogue entry with its ancestors and children, the published firms that supply
        or need it (at most 50 each way, by name) and the programmes that target it."""
        try:
            item = get_item(code)
        except NotFound:
            # An old code (the entry was re-coded or merged) has moved for good, as on the page.
            if (moved := current_code(code)) is None:
                raise
            return redirect(public_url("api_catalogue.CatalogueEntry", code=moved), 301)
        tree = catalogue_tree()
        below = tree.subtree_ids(item)
        return Entry(
            item,
            ancestors=tree.ancestors(item),
            children=tree.kids(item),
            supplied_by=published_firms_linked(below, LinkRelation.OFFERS, FIRMS_CAP),
            needed_by=published_firms_linked(below, LinkRelation.NEEDS, FIRMS_CAP),
            programmes=programmes_targeting(item, tree),
        )
