"""Published economic zones, industrial parks and clusters, and business incubators (as on
/zones and /incubators)."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields
from werkzeug.http import http_date

from app.api.firms import FirmSummarySchema
from app.api.http import PREFIX, public
from app.api.schemas import (
    CatalogueRefSchema,
    Instant,
    PublicList,
    Schema,
    bilingual,
    enum,
    page_url,
    provenance,
    ward,
)
from app.models import ZoneKind, ZoneStatus
from app.places.service import (
    get_incubator,
    get_zone,
    list_incubators,
    published_firms_in_zone,
    zones_by_kind,
)

blp = Blueprint(
    "api_places",
    __name__,
    url_prefix=PREFIX,
    description="Economic zones, industrial parks and clusters, and business incubators.",
)

# The firms shown in a zone, by name (its page shows them all).
FIRMS_CAP = 50


def _public_zone(zone):
    return zone if zone is not None and zone.is_public else None


class ZoneRefSchema(Schema):
    slug = fields.String(required=True)
    name = bilingual("name")
    status = enum(ZoneStatus, required=True)
    url = page_url("places.zone", slug="slug")


class ZoneSummarySchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = bilingual("name")
    kind = enum(ZoneKind, required=True)
    status = enum(ZoneStatus, required=True)
    parent = fields.Function(
        lambda zone: zone.parent.slug if _public_zone(zone.parent) else None,
        metadata={"type": ["string", "null"], "description": "The slug of the zone it is in."},
    )
    ward = ward()
    area_ha = fields.Float(allow_none=True)
    occupancy_pct = fields.Float(allow_none=True)
    wastewater_capacity_m3_day = fields.Integer(
        allow_none=True, metadata={"description": "The central wastewater plant's capacity."}
    )
    provenance = provenance()
    updated_at = Instant(required=True)
    url = page_url("places.zone", slug="slug")


class ZoneSchema(ZoneSummarySchema):
    description = bilingual("description")
    incentives = bilingual("incentives")
    managing_agency = fields.Function(
        lambda zone: zone.managing_agency.code if zone.managing_agency else None,
        metadata={"type": ["string", "null"], "description": "The managing agency's code."},
    )
    contact = fields.String(allow_none=True)
    priority_items = fields.List(
        fields.Nested(CatalogueRefSchema), metadata={"description": "Its priority domains."}
    )
    children = PublicList(
        fields.Nested(ZoneRefSchema),
        metadata={"description": "The published parks and clusters inside it."},
    )
    firms = fields.Function(
        lambda zone: FirmSummarySchema(many=True).dump(published_firms_in_zone(zone, FIRMS_CAP)),
        metadata={
            "type": "array",
            "items": {"$ref": "#/components/schemas/FirmSummary"},
            "description": f"Published firms located in it or in a zone inside it, by name; at "
            f"most {FIRMS_CAP}.",
        },
    )


class ZoneListSchema(Schema):
    items = fields.List(fields.Nested(ZoneSummarySchema), required=True)
    total = fields.Integer(required=True)


class IncubatorSummarySchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = bilingual("name")
    host_organisation = fields.String(required=True)
    ward = ward()
    services = bilingual("services")
    capacity = fields.Integer(allow_none=True, metadata={"description": "Firms it can host."})
    provenance = provenance()
    updated_at = Instant(required=True)
    url = page_url("places.incubator", slug="slug")


class IncubatorSchema(IncubatorSummarySchema):
    description = bilingual("description")
    max_startup_age_years = fields.Integer(
        allow_none=True, metadata={"description": "The oldest a startup it takes may be."}
    )
    contact = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    focus_items = fields.List(
        fields.Nested(CatalogueRefSchema), metadata={"description": "Its focus domains."}
    )


class IncubatorListSchema(Schema):
    items = fields.List(fields.Nested(IncubatorSummarySchema), required=True)
    total = fields.Integer(required=True)


@blp.route("/zones")
class Zones(MethodView):
    @public
    @blp.response(200, ZoneListSchema)
    def get(self):
        """Published zones and clusters: economic zones, border economic zones, industrial parks,
        industrial clusters, each kind by name. A province has a few dozen, so they are returned
        whole, without pages."""
        items = [zone for zones in zones_by_kind().values() for zone in zones]
        return {"items": items, "total": len(items)}


@blp.route("/zones/<slug>")
class Zone(MethodView):
    @public
    @blp.response(200, ZoneSchema)
    def get(self, slug: str):
        """One published zone or cluster, with its priority domains, the published zones inside
        it and the published firms located there (at most 50, by name)."""
        zone = get_zone(slug)
        return zone, 200, {"Last-Modified": http_date(zone.updated_at)}


@blp.route("/incubators")
class Incubators(MethodView):
    @public
    @blp.response(200, IncubatorListSchema)
    def get(self):
        """Business incubators by name. Only a handful exist, so they are returned whole,
        without pages."""
        items = list_incubators()
        return {"items": items, "total": len(items)}


@blp.route("/incubators/<slug>")
class Incubator(MethodView):
    @public
    @blp.response(200, IncubatorSchema)
    def get(self, slug: str):
        """One business incubator: its services, focus domains, capacity and contact."""
        incubator = get_incubator(slug)
        return incubator, 200, {"Last-Modified": http_date(incubator.updated_at)}
