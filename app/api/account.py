"""The token holder's own data: the account, its firms, a firm's listing and matches; and the
business's writes, through the same actions as its pages: editing the listing (a pending
revision once it is public) and registering interest in a programme, zone or incubator."""

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate

from app.api.http import PREFIX, caller, personal, requires
from app.api.schemas import Instant, Schema, enum
from app.catalogue.service import catalogue_tree, group_names
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup
from app.errors import ValidationError
from app.firms import self_service
from app.firms.forms import FirmForm
from app.firms.service import current_industry_codes
from app.matching import interests
from app.matching import service as matching
from app.matching.engine import SECTIONS
from app.matching.permissions import TARGET_MODELS
from app.matching.reasons import reason_text
from app.models import FirmStatus, InvestmentType
from app.places.service import public_zones

blp = Blueprint(
    "api_account",
    __name__,
    url_prefix=f"{PREFIX}/me",
    description="The token holder's account and firms (a personal API token is required).",
)
MATCH_KINDS = ("programme", "zone", "incubator", "supplier", "buyer")


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    language = fields.String(attribute="preferred_language", allow_none=True)


class MyFirmSummarySchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(attribute="display_name", required=True)
    status = enum(FirmStatus, required=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back to edit."})
    updated_at = Instant(required=True)


class LinkSchema(Schema):
    class Meta:
        unknown = RAISE

    item_id = fields.Integer(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=300))


class IndustryCodeLinkSchema(Schema):
    class Meta:
        unknown = RAISE

    industry_code_id = fields.Integer(required=True)
    primary = fields.Boolean(load_default=False)


class CertificationEntrySchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    issuer = fields.String(load_default="", validate=validate.Length(max=200))
    year = fields.Integer(allow_none=True, load_default=None)


class ListingSchema(Schema):
    """A listing's content, as the business's form edits it (app.firms.data)."""

    class Meta:
        unknown = RAISE

    legal_name = fields.String()
    trade_name = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    founded_year = fields.Integer(allow_none=True)
    enterprise_type = enum(EnterpriseType, allow_none=True)
    sector_group = enum(SectorGroup, allow_none=True)
    insured_employees = fields.Integer(allow_none=True)
    revenue_vnd = fields.Integer(allow_none=True, metadata={"description": "đồng"})
    capital_vnd = fields.Integer(allow_none=True, metadata={"description": "đồng"})
    size_year = fields.Integer(allow_none=True)
    address_line = fields.String(allow_none=True)
    ward_code = fields.Integer(allow_none=True)
    zone_id = fields.Integer(allow_none=True)
    website = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    contact_person = fields.String(allow_none=True)
    show_contact = fields.Boolean()
    description_vi = fields.String(allow_none=True)
    description_en = fields.String(allow_none=True)
    seeking_investment = fields.Boolean()
    investment_types = fields.List(enum(InvestmentType))
    investment_min_vnd = fields.Integer(allow_none=True, metadata={"description": "đồng"})
    investment_max_vnd = fields.Integer(allow_none=True, metadata={"description": "đồng"})
    investment_purpose = fields.String(allow_none=True)
    offers = fields.List(fields.Nested(LinkSchema), validate=validate.Length(max=500))
    needs = fields.List(fields.Nested(LinkSchema), validate=validate.Length(max=500))
    industry_codes = fields.List(
        fields.Nested(IndustryCodeLinkSchema), validate=validate.Length(max=100)
    )
    certifications = fields.List(
        fields.Nested(CertificationEntrySchema), validate=validate.Length(max=50)
    )


class ListingEditSchema(ListingSchema):
    """The fields to change (the others keep their values) and the version they were read at."""

    version = fields.Integer(required=True, metadata={"description": "As read from GET."})


class MyFirmSchema(MyFirmSummarySchema):
    pending_review = fields.Boolean(
        required=True,
        metadata={"description": "Changes wait for a curator; the public sees the approved ones."},
    )
    listing = fields.Nested(ListingSchema, required=True)


class ReasonSchema(Schema):
    code = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "met, not_met, unknown, info"})
    mark = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "In the language asked for."})


class MatchSchema(Schema):
    kind = fields.String(required=True)
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    score = fields.Float(required=True)
    section = fields.String(required=True, validate=validate.OneOf(SECTIONS))
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class MatchesSchema(Schema):
    programme = fields.List(fields.Nested(MatchSchema), required=True)
    zone = fields.List(fields.Nested(MatchSchema), required=True)
    incubator = fields.List(fields.Nested(MatchSchema), required=True)
    supplier = fields.List(fields.Nested(MatchSchema), required=True)
    buyer = fields.List(fields.Nested(MatchSchema), required=True)


class MatchArgs(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class InterestArgs(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(sorted(TARGET_MODELS)))
    target_id = fields.Integer(required=True)
    message = fields.String(load_default="", validate=validate.Length(max=2000))


class InterestSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(attribute="target_kind", required=True)
    target_id = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(allow_none=True)
    created_at = Instant(required=True)


def _my_firm(firm) -> dict:
    return {
        "id": firm.id,
        "slug": firm.slug,
        "display_name": firm.display_name,
        "status": firm.status,
        "version": firm.version,
        "updated_at": firm.updated_at,
        "pending_review": self_service.pending_revision(firm) is not None,
        "listing": self_service.current_content(firm),
    }


def edited_listing(firm, changes: dict) -> dict:
    """The firm's content with `changes`, parsed and checked by the listing's form."""
    content = {**self_service.current_content(firm), **changes}
    form = FirmForm(formdata=FirmForm.formdata_of(content), meta={"csrf": False})
    form.set_choices(catalogue_tree(), current_industry_codes(), public_zones())
    if not form.validate():
        errors = {
            ("industry_codes" if name == "primary_industry_code" else name): messages
            for name, messages in form.errors.items()
        }
        raise ValidationError(
            _("Some of the data sent is not valid; the errors say which."), errors
        )
    return form.to_data(FirmForm.formdata_of(content))


@blp.route("")
class Me(MethodView):
    @requires("read")
    @blp.response(200, AccountSchema)
    def get(self):
        """The account the token belongs to."""
        return caller("read")


@blp.route("/firms")
class MyFirms(MethodView):
    @requires("read")
    @blp.response(200, MyFirmSummarySchema(many=True))
    def get(self):
        """The firms the account manages, in any state."""
        return self_service.my_firms(caller("read"))


@blp.route("/firms/<int:firm_id>")
class MyFirm(MethodView):
    @requires("read")
    @blp.response(200, MyFirmSchema)
    def get(self, firm_id: int):
        """The listing as its business edits it: the pending change if there is one."""
        return _my_firm(self_service.get_my_firm(caller("read"), firm_id))

    @requires("write")
    @blp.arguments(ListingEditSchema)
    @blp.response(200, MyFirmSchema)
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, changes: dict, firm_id: int):
        """Change the listing, as its edit page does: saved at once while it is not public, a
        pending revision for a curator once it is. A stale `version` is a conflict."""
        actor = caller("write")
        firm = self_service.get_my_firm(actor, firm_id)
        version = changes.pop("version")
        self_service.update_firm(actor, firm, edited_listing(firm, changes), version)
        return _my_firm(firm)


@blp.route("/firms/<int:firm_id>/matches")
class Matches(MethodView):
    @requires("read")
    @blp.arguments(MatchArgs, location="query", as_kwargs=True)
    @blp.response(200, MatchesSchema)
    def get(self, firm_id: int, limit: int):
        """Programmes, zones, incubators, suppliers and buyers that fit the firm, best first,
        each with its score, section (eligible, not eligible, closed) and reasons."""
        firm = self_service.get_my_firm(caller("read"), firm_id)
        names = group_names()
        results = matching.match_firm(firm.id)
        return {
            kind: [
                {
                    "kind": match.kind,
                    "id": match.id,
                    "name": match.name,
                    "score": round(match.score, 4),
                    "section": match.section,
                    "reasons": [
                        {
                            "code": r.code,
                            "state": r.state,
                            "mark": r.mark,
                            "text": reason_text(r, names),
                        }
                        for r in match.reasons
                    ],
                }
                for match in results[kind][:limit]
            ]
            for kind in MATCH_KINDS
        }


@blp.route("/firms/<int:firm_id>/interests")
class Interests(MethodView):
    @requires("write")
    @blp.arguments(InterestArgs)
    @blp.response(201, InterestSchema)
    def post(self, args: dict, firm_id: int):
        """Ask a programme, zone or incubator to contact the firm (its agency is told)."""
        actor = caller("write")
        firm = self_service.get_my_firm(actor, firm_id)
        return interests.register_interest(
            actor, firm, args["kind"], args["target_id"], args["message"]
        )


@blp.after_request
def _personal(response):
    return personal(response)
