"""Published firms: the directory with the same filters as /firms, and one firm."""

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from werkzeug.http import http_date

from app.api.http import PREFIX, page_args, page_body, public
from app.api.schemas import (
    Instant,
    PageArgs,
    Schema,
    Whole,
    bilingual,
    enum,
    page_of,
    page_url,
    ward,
)
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup, SizeClass
from app.errors import ValidationError
from app.firms.service import FirmFilters, firm_groups, get_published_firm, list_published_firms
from app.models import InvestmentType

blp = Blueprint("api_firms", __name__, url_prefix=f"{PREFIX}/firms", description="Published firms.")


class FirmArgs(PageArgs):
    """The directory's filters (as on /firms); a value that names nothing is refused."""

    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words."})
    group = fields.List(
        fields.String(validate=validate.Length(max=40)),
        validate=validate.Length(max=20),
        metadata={"description": "Catalogue group codes (any of them)."},
    )
    ward = fields.Integer(metadata={"description": "A ward's code."})
    size = enum(SizeClass)
    zone = fields.String(validate=validate.Length(max=100), metadata={"description": "Zone slug."})
    seeking = fields.Boolean(metadata={"description": "Only firms seeking investment."})
    invest_type = enum(InvestmentType)
    amount_min = fields.Integer(validate=validate.Range(min=0), metadata={"description": "đồng"})
    amount_max = fields.Integer(validate=validate.Range(min=0), metadata={"description": "đồng"})
    verified = fields.Boolean(metadata={"description": "Only firms Sở Công Thương verified."})
    since = fields.Date(metadata={"description": "Only firms updated on or after this day."})


class CatalogueLinkSchema(Schema):
    code = fields.String(attribute="item.code", required=True)
    name = bilingual("name", attribute="item")
    note = fields.String(allow_none=True)


class FirmSummarySchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(attribute="display_name", required=True)
    legal_name = fields.String(required=True)
    trade_name = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    enterprise_type = enum(EnterpriseType, allow_none=True)
    size_class = enum(SizeClass, allow_none=True)
    ward = ward()
    zone = fields.Function(
        lambda firm: firm.zone.slug if firm.zone else None,
        metadata={"type": ["string", "null"], "description": "The zone's slug."},
    )
    groups = fields.Function(
        lambda firm: [group.code for group in firm_groups(firm)],
        metadata={"type": "array", "items": {"type": "string"}, "description": "Supplied."},
    )
    seeking_investment = fields.Boolean(required=True)
    verified = fields.Function(
        lambda firm: firm.verified_at is not None, metadata={"type": "boolean"}
    )
    published_at = Instant(allow_none=True)
    updated_at = Instant(required=True)
    url = page_url("firms.detail", slug="slug")


class IndustryCodeSchema(Schema):
    code = fields.String(attribute="industry_code.code", required=True)
    version = fields.String(attribute="industry_code.version", required=True)
    name = bilingual("name", attribute="industry_code")
    primary = fields.Boolean(attribute="is_primary", required=True)


class CertificationSchema(Schema):
    name = fields.String(required=True)
    issuer = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)


class ContactSchema(Schema):
    website = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    person = fields.String(attribute="contact_person", allow_none=True)


class InvestmentSchema(Schema):
    types = fields.List(fields.String(), attribute="investment_types")
    min_vnd = fields.Integer(attribute="investment_min_vnd", allow_none=True)
    max_vnd = fields.Integer(attribute="investment_max_vnd", allow_none=True)
    purpose = fields.String(attribute="investment_purpose", allow_none=True)


class FirmSchema(FirmSummarySchema):
    tax_code = fields.String(required=True)
    founded_year = fields.Integer(allow_none=True)
    sector_group = enum(SectorGroup, allow_none=True)
    size_year = fields.Integer(allow_none=True, metadata={"description": "Year of the figures."})
    address_line = fields.String(allow_none=True)
    description = bilingual("description")
    offers = fields.List(fields.Nested(CatalogueLinkSchema), attribute="offerings")
    needs = fields.List(fields.Nested(CatalogueLinkSchema))
    industry_codes = fields.List(fields.Nested(IndustryCodeSchema))
    certifications = fields.List(fields.Nested(CertificationSchema))
    investment = Whole(InvestmentSchema, when=lambda firm: firm.seeking_investment, allow_none=True)
    contact = Whole(
        ContactSchema,
        when=lambda firm: firm.show_contact,
        allow_none=True,
        metadata={"description": "Only where the firm chose to show it."},
    )
    verified_at = Instant(allow_none=True)


FirmPage = page_of(FirmSummarySchema, "FirmPage")


def directory_filters(args) -> FirmFilters:
    """The directory's filters from the query, parsed as /firms parses them; a value /firms
    would ignore (an unknown zone or group) is an error here."""
    filters = FirmFilters.from_args(args)
    if filters.ignored:
        raise ValidationError(
            "",
            {str(what): [str(value)] for what, value in filters.ignored},
        )
    return filters


@blp.route("")
class Firms(MethodView):
    @public
    @blp.arguments(FirmArgs, location="query", as_kwargs=True)
    @blp.response(200, FirmPage)
    def get(self, page: int, per_page: int, **_filters):
        """Published firms, newest first, with the directory's filters."""
        page_args(page, per_page)
        filters = directory_filters(request.args)
        found = list_published_firms(filters, page, per_page)
        return page_body(found.items, found.total, page, per_page)


@blp.route("/<slug>")
class Firm(MethodView):
    @public
    @blp.response(200, FirmSchema)
    def get(self, slug: str):
        """One published firm, with its catalogue items, VSIC codes, ward, size class and the
        contacts it shows."""
        firm = get_published_firm(slug)
        return firm, 200, {"Last-Modified": http_date(firm.updated_at)}
