"""The public statistics: the figures of /statistics, each a titled list of (label, value) rows,
the same rows as the page's tables and CSV downloads."""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.http import PREFIX, public
from app.api.schemas import Schema
from app.backoffice.statistics import public_figures
from app.urls import public_url

blp = Blueprint(
    "api_statistics",
    __name__,
    url_prefix=f"{PREFIX}/statistics",
    description="Public statistics of the published firms, programmes and events.",
)


class RowSchema(Schema):
    label = fields.String(required=True)
    value = fields.Function(lambda bar: bar.value, metadata={"type": "number"})
    lang = fields.Function(
        lambda bar: bar.lang or None,
        metadata={
            "type": ["string", "null"],
            "description": "The label's language where it is not the answer's (a ward: vi).",
        },
    )


class FigureSchema(Schema):
    key = fields.String(required=True, metadata={"description": "Stable."})
    title = fields.String(required=True, metadata={"description": "In the language asked for."})
    label_heading = fields.String(required=True, metadata={"description": "What a label is."})
    rows = fields.List(fields.Nested(RowSchema), required=True)
    total = fields.Function(lambda figure: figure.total, metadata={"type": "number"})
    note = fields.Function(
        lambda figure: figure.note or None, metadata={"type": ["string", "null"]}
    )
    csv = fields.Function(
        lambda figure: public_url("backoffice.figure_csv", key=figure.key),
        metadata={"type": "string", "format": "uri", "description": "The same rows as CSV."},
    )


class StatisticsSchema(Schema):
    figures = fields.List(fields.Nested(FigureSchema), required=True)


@blp.route("")
class Statistics(MethodView):
    @public
    @blp.response(200, StatisticsSchema)
    def get(self):
        """The public figures (published firms by catalogue group, ward, zone, size class,
        verification and year; public programmes by kind of support and status; confirmed event
        registrations by kind of event), with titles
        and labels in the language asked for."""
        return {"figures": public_figures()}
