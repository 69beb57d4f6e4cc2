"""What every API schema shares: marshmallow's messages in the user's language, problem details,
and pages of results.

marshmallow ships no Vietnamese, and formats its messages ("Must be one of: {choices}.") when it
raises them. So `Schema` binds each field's and validator's English message to `Translated`, a
string that translates itself (app/translations) at that moment; the list below marks the
messages for extraction, as `app.forms` does for WTForms.
"""

from datetime import UTC

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, fields, validate
from marshmallow import Schema as MarshmallowSchema

from app.domain.places import province_name_of_ward, ward_name
from app.models.base import Provenance
from app.urls import public_url

MARSHMALLOW_MESSAGES = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Invalid type."),
    _l("Not a valid list."),
    _l("Not a valid string."),
    _l("Not a valid utf-8 string."),
    _l("Not a valid number."),
    _l("Number too large."),
    _l("Not a valid integer."),
    _l("Not a valid boolean."),
    _l("Not a valid date."),
    _l('"{input}" cannot be formatted as a date.'),
    _l("Not a valid mapping type."),
    _l("Not a valid URL."),
    _l("Not a valid email address."),
    _l("Must be one of: {choices}."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("Must be greater than or equal to {min}."),
    _l("Must be less than or equal to {max}."),
    _l("Must be greater than or equal to {min} and less than or equal to {max}."),
    _l("Shorter than minimum length {min}."),
    _l("Longer than maximum length {max}."),
    _l("Length must be between {min} and {max}."),
    _l("Length must be {equal}."),
    _l("One or more of the choices you made was not in: {choices}."),
)
VALIDATOR_MESSAGES = ("error", "message_min", "message_max", "message_all", "message_equal")


class Translated(str):
    """An English message of marshmallow's, translated when it is formatted (raised)."""

    def format(self, *args, **kwargs):
        return gettext(str(self)).format(*args, **kwargs)


def _translated(message):
    if isinstance(message, str) and not isinstance(message, Translated):
        return Translated(message)
    return message


class Schema(MarshmallowSchema):
    """Base of every API schema: unknown query parameters are ignored (caches add their own),
    unknown body fields refused (set per schema), messages in the user's language."""

    class Meta:
        unknown = EXCLUDE

    error_messages = {
        "unknown": Translated("Unknown field."),
        "type": Translated("Invalid input type."),
    }

    def on_bind_field(self, field_name, field_obj):
        for key, message in field_obj.error_messages.items():
            field_obj.error_messages[key] = _translated(message)
        for validator in getattr(field_obj, "validators", ()):
            for name in VALIDATOR_MESSAGES:
                if isinstance(getattr(validator, name, None), str):
                    setattr(validator, name, _translated(getattr(validator, name)))


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(metadata={"description": "Always about:blank: the status says it."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages about each field or query parameter, by name."},
    )


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PageSchema(Schema):
    """One page of a list: its items and the addresses of the pages around it."""

    total = fields.Integer(required=True, metadata={"description": "How many match in all."})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(
        required=True, metadata={"description": "How many pages can be read (the cap applies)."}
    )
    next = fields.String(allow_none=True, required=True)
    prev = fields.String(allow_none=True, required=True)


def page_of(item_schema: type[MarshmallowSchema], name: str) -> type[MarshmallowSchema]:
    """A page schema whose `items` are `item_schema`s."""
    return type(
        name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)}
    )


def bilingual(name: str, **kwargs) -> fields.Field:
    """`{"vi": …, "en": …}` from a record's `<name>_vi` and `<name>_en`; with `attribute`, from
    that related record's (a Function field is given the whole object, not the attribute)."""
    related = kwargs.pop("attribute", None)

    def texts(obj):
        record = getattr(obj, related) if related else obj
        return {"vi": getattr(record, f"{name}_vi"), "en": getattr(record, f"{name}_en")}

    return fields.Function(
        texts,
        metadata={
            "type": "object",
            "properties": {
                "vi": {"type": ["string", "null"]},
                "en": {"type": ["string", "null"]},
            },
        },
        **kwargs,
    )


class Instant(fields.DateTime):
    """A moment in time, ISO 8601 in UTC (the database keeps naive UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class WardSchema(Schema):
    """A ward, dumped from its code."""

    code = fields.Function(lambda code: code, metadata={"type": "integer"})
    name = fields.Function(ward_name, metadata={"type": "string"})
    province = fields.Function(province_name_of_ward, metadata={"type": "string"})


def ward(attribute: str = "ward_code") -> fields.Field:
    """A record's ward (code, name, province) from its ward code, or null."""
    return fields.Nested(WardSchema, attribute=attribute, allow_none=True)


class Choice(fields.Enum):
    """An enumeration's value; dumped from a member or from its value (stored content)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str) and not isinstance(value, self.enum):
            value = self.enum(value)
        return super()._serialize(value, attr, obj, **kwargs)


def enum(enum_class, **kwargs) -> fields.Field:
    """An enumeration's value, documented with its values."""
    return Choice(enum_class, by_value=True, **kwargs)


def page_url(endpoint: str, **values) -> fields.Field:
    """The address of the record's page on the site (SITE_URL)."""
    return fields.Function(
        lambda obj: public_url(endpoint, **{k: getattr(obj, a) for k, a in values.items()}),
        metadata={"type": "string", "format": "uri"},
    )


class ProvenanceSchema(Schema):
    """Where a record's figures come from: sample data, a public document, or an agency's
    verification on a day."""

    kind = enum(Provenance, attribute="provenance", required=True)
    source_document = fields.String(allow_none=True)
    source_date = fields.Date(allow_none=True)
    source_url = fields.String(allow_none=True)
    verified_by = fields.Function(
        lambda record: record.verified_by_agency.code if record.verified_by_agency else None,
        metadata={"type": ["string", "null"], "description": "The verifying agency's code."},
    )
    verified_on = fields.Date(allow_none=True)


class Whole(fields.Nested):
    """A nested schema dumped from the record itself (some of its own columns, grouped); with
    `when`, null for a record where `when(record)` is false."""

    def __init__(self, nested, *, when=None, **kwargs):
        super().__init__(nested, **kwargs)
        self.when = when

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj if self.when is None or self.when(obj) else None


class PublicList(fields.List):
    """A list of related records, only those the public may see (`is_public`)."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return [record for record in super().get_value(obj, attr, accessor) if record.is_public]


def provenance() -> fields.Field:
    """A record's provenance (`ProvenanceMixin`)."""
    return Whole(ProvenanceSchema, required=True)


class CatalogueRefSchema(Schema):
    """A catalogue entry named from another record: its code, name and page."""

    code = fields.String(required=True)
    name = bilingual("name")
    url = page_url("catalogue.detail", code="code")
