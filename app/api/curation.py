"""Curators' work through the API, with the same actions as the review pages and the import
page: the review queue, decisions on submitted listings and on changes to published ones, and
imports (a dry run unless `apply` is asked for; an import writes all its rows or none)."""

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate

from app.api.http import PREFIX, caller, personal, requires
from app.api.schemas import Instant, PageArgs, Schema, enum
from app.curation import listings, revisions
from app.curation.queue import QueueFilters, review_queue
from app.errors import ValidationError
from app.imports import service as imports
from app.imports.kinds import KINDS
from app.labels import CHECK_LABELS
from app.models import FirmStatus, ReviewState

blp = Blueprint(
    "api_curation",
    __name__,
    url_prefix=PREFIX,
    description="Curators: reviews and imports (a personal API token is required).",
)
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TYPES = {"text/csv": "upload.csv", SPREADSHEET: "upload.xlsx"}


class QueueArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(QueueFilters.KINDS))
    group = fields.String(validate=validate.Length(max=40))
    ward = fields.Integer()


class QueueEntrySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(QueueFilters.KINDS))
    id = fields.Integer(required=True, metadata={"description": "The listing, change or claim."})
    since = Instant(required=True)
    firm_id = fields.Integer(required=True)
    firm_name = fields.String(required=True)


class QueueSchema(Schema):
    items = fields.List(fields.Nested(QueueEntrySchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class ListingDecisionArgs(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(
        required=True, validate=validate.OneOf(("approve", "request_changes", "reject"))
    )
    version = fields.Integer(required=True, metadata={"description": "The version reviewed."})
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))
    checks = fields.List(
        fields.String(validate=validate.OneOf(sorted(CHECK_LABELS))),
        load_default=list,
        metadata={"description": "With request_changes: the checks the listing failed."},
    )


class RevisionDecisionArgs(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    version = fields.Integer(
        required=True, metadata={"description": "The listing's version next to the change."}
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class ListingStateSchema(Schema):
    id = fields.Integer(required=True)
    status = enum(FirmStatus, required=True)
    version = fields.Integer(required=True)


class RevisionStateSchema(Schema):
    id = fields.Integer(required=True)
    firm_id = fields.Integer(required=True)
    state = enum(ReviewState, required=True)


class ImportArgs(Schema):
    apply = fields.Boolean(
        load_default=False,
        metadata={"description": "Write the rows (all or none). Without it: a dry run."},
    )


class RowProblemSchema(Schema):
    line = fields.Integer(required=True)
    column = fields.String(required=True)
    message = fields.String(required=True)


class ImportResultSchema(Schema):
    kind = fields.String(required=True)
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    applied = fields.Boolean(required=True, metadata={"description": "Whether rows were written."})
    problems = fields.List(fields.Nested(RowProblemSchema), required=True)


@blp.route("/reviews")
class Queue(MethodView):
    @requires("read")
    @blp.arguments(QueueArgs, location="query", as_kwargs=True)
    @blp.response(200, QueueSchema)
    def get(self, page: int, per_page: int, **_filters):
        """Submitted listings, pending changes and claims, oldest first."""
        actor = caller("read")
        found = review_queue(actor, QueueFilters.from_args(request.args), page, per_page)
        return {
            "items": [
                {
                    "kind": entry.kind,
                    "id": entry.item.id,
                    "since": entry.since,
                    "firm_id": entry.firm.id,
                    "firm_name": entry.firm.display_name,
                }
                for entry in found.entries
            ],
            "total": found.total,
            "page": found.page,
            "pages": found.pages,
            "per_page": found.per_page,
        }


@blp.route("/reviews/listings/<int:firm_id>")
class ListingDecision(MethodView):
    @requires("write")
    @blp.arguments(ListingDecisionArgs)
    @blp.response(200, ListingStateSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, args: dict, firm_id: int):
        """Publish a submitted listing, send it back with the reason and failed checks, or
        reject it (a reason is required for both)."""
        actor = caller("write")
        decision, version, reason = args["decision"], args["version"], args["reason"]
        if decision == "approve":
            return listings.approve_listing(actor, firm_id, version)
        if decision == "request_changes":
            return listings.request_changes(actor, firm_id, version, reason, args["checks"])
        return listings.reject_listing(actor, firm_id, version, reason)


@blp.route("/reviews/changes/<int:revision_id>")
class RevisionDecision(MethodView):
    @requires("write")
    @blp.arguments(RevisionDecisionArgs)
    @blp.response(200, RevisionStateSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, args: dict, revision_id: int):
        """Apply a published listing's pending change, or reject it with the reason."""
        actor = caller("write")
        if args["decision"] == "approve":
            return revisions.approve_revision(actor, revision_id, args["version"])
        return revisions.reject_revision(actor, revision_id, args["version"], args["reason"])


@blp.route("/imports/<kind>")
class Import(MethodView):
    @requires("read")
    @blp.arguments(ImportArgs, location="query", as_kwargs=True)
    @blp.response(200, ImportResultSchema)
    @blp.doc(
        parameters=[
            {"in": "path", "name": "kind", "required": True, "schema": {"enum": sorted(KINDS)}}
        ],
        requestBody={
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in FILE_TYPES
            },
        },
    )
    def post(self, kind: str, apply: bool):
        """Check a file of rows (the import page's template: CSV or XLSX, sent as the body)
        and, with `apply=true`, write them all, or none if any row has a problem."""
        actor = caller("write" if apply else "read")
        filename = FILE_TYPES.get(request.mimetype)
        if filename is None:
            message = _("Send the file as text/csv or as an XLSX spreadsheet.")
            raise ValidationError(message, {"body": message})
        sheet = imports.read_file(actor, kind, filename, request.get_data(cache=False))
        run = imports.apply_import if apply else imports.dry_run
        return run(actor, kind, sheet)


@blp.after_request
def _personal(response):
    return personal(response)
