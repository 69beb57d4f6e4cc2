"""Public support programmes: the list with the filters of /programmes, and one programme with
its eligibility criteria, support and dates (as on /programmes/<slug>)."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate
from werkzeug.http import http_date

from app.api.http import PREFIX, public
from app.api.places import ZoneRefSchema
from app.api.schemas import (
    CatalogueRefSchema,
    Instant,
    PublicList,
    Schema,
    WardSchema,
    Whole,
    bilingual,
    enum,
    page_url,
    provenance,
)
from app.domain import clock
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SizeClass
from app.errors import ValidationError
from app.models import Criterion, GeographicScope, ProgrammeStatus, SupportType
from app.programmes.service import (
    PUBLIC_STATUSES,
    ProgrammeFilters,
    get_public_programme,
    programmes_by_status,
)

blp = Blueprint(
    "api_programmes",
    __name__,
    url_prefix=f"{PREFIX}/programmes",
    description="Public support programmes.",
)


class ProgrammeArgs(Schema):
    """The filters of /programmes; an agency with no public programme is refused."""

    status = fields.String(
        validate=validate.OneOf([status.value for status in PUBLIC_STATUSES]),
        metadata={"description": "The status on today's date."},
    )
    agency = fields.String(
        validate=validate.Length(max=20), metadata={"description": "An agency's code."}
    )
    support = enum(SupportType, metadata={"description": "A kind of support it offers."})


class AgencySchema(Schema):
    code = fields.String(required=True)
    name = bilingual("name")
    website = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class EligibilitySchema(Schema):
    """Who may apply. An empty list restricts nothing; every criterion is required unless it
    is listed in `preferred`, which only moves a firm's score in matching."""

    enterprise_types = fields.List(
        enum(EnterpriseType), attribute="eligible_enterprise_types", required=True
    )
    size_classes = fields.List(enum(SizeClass), attribute="eligible_size_classes", required=True)
    geographic_scope = enum(GeographicScope, required=True)
    wards = fields.List(
        fields.Nested(WardSchema),
        attribute="eligible_ward_codes",
        metadata={"description": "Where the scope is `wards`."},
    )
    zones = PublicList(
        fields.Nested(ZoneRefSchema),
        metadata={"description": "Where the scope is `zones` (the published ones)."},
    )
    min_firm_age_years = fields.Integer(allow_none=True)
    max_firm_age_years = fields.Integer(allow_none=True)
    target_items = fields.List(
        fields.Nested(CatalogueRefSchema),
        metadata={"description": "The catalogue groups and items it is for (its domains)."},
    )
    preferred = fields.List(enum(Criterion), attribute="preferred_criteria", required=True)
    other_conditions = bilingual("other_conditions")


class ProgrammeSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = bilingual("title")
    summary = bilingual("summary")
    status = enum(ProgrammeStatus, required=True, metadata={"description": "On today's date."})
    agency = fields.Nested(AgencySchema, required=True)
    basis_document = fields.String(allow_none=True, metadata={"description": "Legal basis."})
    basis_date = fields.Date(allow_none=True)
    support_types = fields.List(enum(SupportType), required=True)
    max_amount_vnd = fields.Integer(allow_none=True, metadata={"description": "đồng"})
    cofinancing_pct = fields.Integer(
        allow_none=True,
        metadata={"description": "The share of the eligible cost the programme pays, in %."},
    )
    opens_on = fields.Date(allow_none=True)
    closes_on = fields.Date(allow_none=True)
    rolling = fields.Boolean(required=True, metadata={"description": "No deadline."})
    official_url = fields.String(allow_none=True, metadata={"description": "The official call."})
    eligibility = Whole(EligibilitySchema, required=True)
    provenance = provenance()
    published_at = Instant(allow_none=True)
    updated_at = Instant(required=True)
    url = page_url("programmes.detail", slug="slug")


class ProgrammeDetailSchema(ProgrammeSchema):
    description = bilingual("description")
    contact = fields.String(allow_none=True)


class ProgrammeListSchema(Schema):
    items = fields.List(fields.Nested(ProgrammeSchema), required=True)
    total = fields.Integer(required=True)


@blp.route("")
class Programmes(MethodView):
    @public
    @blp.arguments(ProgrammeArgs, location="query", as_kwargs=True)
    @blp.response(200, ProgrammeListSchema)
    def get(self, **filters):
        """Public programmes (archived ones are not), with their status on today's date: open
        ones by closing date, then upcoming ones by opening date, then closed ones, latest
        first. A few dozen at most, so returned whole, without pages."""
        listing = programmes_by_status(ProgrammeFilters.from_args(request.args), clock.today())
        if filters.get("agency") and listing.filters.agency is None:
            raise ValidationError("", {"agency": [_("No public programme is run by this agency.")]})
        items = [programme for found in listing.grouped.values() for programme in found]
        return {"items": items, "total": len(items)}


@blp.route("/<slug>")
class Programme(MethodView):
    @public
    @blp.response(200, ProgrammeDetailSchema)
    def get(self, slug: str):
        """One public programme: who may apply, what it gives, when, and who runs it."""
        programme = get_public_programme(slug)
        return programme, 200, {"Last-Modified": http_date(programme.updated_at)}
