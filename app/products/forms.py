"""Forms of the products area: a product, a photo, a certificate, a curator's decision, a
label. They check shape only; the service checks the rules that hold on every path."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from app.domain.text import nfc
from app.forms import Form
from app.i18n import localized
from app.labels import label as label_text
from app.models import LabelKind
from app.parsing import HiddenIntegerField, parse_id


def _strip(value):
    return nfc(value).strip() if isinstance(value, str) else value


def _id_or_none(value) -> int | None:
    return parse_id(value) if isinstance(value, str) else value


def parse_specifications(text: str) -> list[list[str]]:
    """One specification a line, "name: value" (the first colon separates them)."""
    pairs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise FieldError(_l("Write each specification on its own line as “name: value”."))
        pairs.append([name.strip(), value.strip()])
    return pairs


class ProductForm(Form):
    version = HiddenIntegerField()
    name_vi = StringField(
        _l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=200)], filters=[_strip]
    )
    name_en = StringField(
        _l("Name (English)"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    catalogue_item_id = SelectField(
        _l("Catalogue item (Decision 980)"),
        validators=[Optional()],
        description=_l("The item of the environmental-industry catalogue this product is."),
    )
    description_vi = TextAreaField(
        _l("Description (Vietnamese)"), validators=[Optional(), Length(max=5000)], filters=[_strip]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000)], filters=[_strip]
    )
    specifications = TextAreaField(
        _l("Specifications"),
        validators=[Optional(), Length(max=10000)],
        filters=[_strip],
        description=_l("One a line, as “name: value”, e.g. “Capacity: 200 m³/day”."),
    )

    def set_choices(self, items) -> None:
        self.catalogue_item_id.choices = [("", _l("— none —"))] + [
            (str(item.id), f"{item.code} · {localized(item, 'name')}") for item in items
        ]

    def validate_specifications(self, field) -> None:
        parse_specifications(field.data)

    def to_data(self) -> dict:
        return {
            "name_vi": self.name_vi.data,
            "name_en": self.name_en.data,
            "catalogue_item_id": _id_or_none(self.catalogue_item_id.data or None),
            "description_vi": self.description_vi.data,
            "description_en": self.description_en.data,
            "specifications": parse_specifications(self.specifications.data),
        }

    def fill_from(self, product) -> None:
        self.version.data = product.version
        self.name_vi.data = product.name_vi
        self.name_en.data = product.name_en
        self.catalogue_item_id.data = (
            str(product.catalogue_item_id) if product.catalogue_item_id else ""
        )
        self.description_vi.data = product.description_vi
        self.description_en.data = product.description_en
        self.specifications.data = "\n".join(
            f"{name}: {value}" for name, value in product.specifications or []
        )


class PhotoForm(Form):
    photo = FileField(_l("Photo (PNG, JPEG or WebP, up to 5 MB)"), validators=[FileRequired()])
    alt_vi = StringField(
        _l("What the photo shows (Vietnamese)"),
        validators=[InputRequired(), Length(max=200)],
        filters=[_strip],
        description=_l("Read aloud to people who cannot see the photo."),
    )
    alt_en = StringField(
        _l("What the photo shows (English)"),
        validators=[Optional(), Length(max=200)],
        filters=[_strip],
    )


class RemovePhotoForm(Form):
    photo_id = HiddenIntegerField(validators=[InputRequired()])


class VersionForm(Form):
    """A button that acts on a record as the page showed it (delete, verify)."""

    version = HiddenIntegerField()


class CertificateForm(Form):
    version = HiddenIntegerField()
    label_id = SelectField(_l("Label or certification"), validators=[InputRequired()])
    number = StringField(
        _l("Certificate number"), validators=[InputRequired(), Length(max=100)], filters=[_strip]
    )
    issuer = StringField(
        _l("Issuing body"), validators=[InputRequired(), Length(max=200)], filters=[_strip]
    )
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(
        _l("Valid until"),
        validators=[Optional()],
        description=_l("Leave empty if the certificate does not expire."),
    )
    document_url = URLField(
        _l("Link to the certificate"),
        validators=[Optional(), Length(max=300)],
        filters=[_strip],
        description=_l("Where a curator can check it, e.g. the issuing body's register."),
    )

    def set_choices(self, labels) -> None:
        self.label_id.choices = [("", _l("— choose —"))] + [
            (str(label.id), localized(label, "name")) for label in labels
        ]

    def to_data(self) -> dict:
        return {
            "label_id": _id_or_none(self.label_id.data or None),
            "number": self.number.data,
            "issuer": self.issuer.data,
            "valid_from": self.valid_from.data,
            "valid_until": self.valid_until.data,
            "document_url": self.document_url.data,
        }

    def fill_from(self, certificate) -> None:
        self.version.data = certificate.version
        self.label_id.data = str(certificate.label_id)
        self.number.data = certificate.number
        self.issuer.data = certificate.issuer
        self.valid_from.data = certificate.valid_from
        self.valid_until.data = certificate.valid_until
        self.document_url.data = certificate.document_url


class DecisionForm(Form):
    version = HiddenIntegerField()
    reason = TextAreaField(
        _l("Reason (sent to the firm)"),
        validators=[Optional(), Length(max=2000)],
        filters=[_strip],
    )


class LabelForm(Form):
    version = HiddenIntegerField()
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=40)],
        filters=[_strip],
        description=_l("Capital letters, digits and underscores, e.g. VN_GREEN_LABEL."),
    )
    name_vi = StringField(
        _l("Name (Vietnamese)"), validators=[InputRequired(), Length(max=200)], filters=[_strip]
    )
    name_en = StringField(
        _l("Name (English)"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    kind = SelectField(_l("What it certifies"), validators=[InputRequired()])
    issuer = StringField(
        _l("Usual issuing body"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    basis = StringField(
        _l("Legal basis"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    url = URLField(_l("Web page"), validators=[Optional(), Length(max=300)], filters=[_strip])
    description_vi = TextAreaField(
        _l("Description (Vietnamese)"), validators=[Optional(), Length(max=5000)], filters=[_strip]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000)], filters=[_strip]
    )
    active = BooleanField(_l("Firms can choose it"), default=True)

    def set_choices(self) -> None:
        self.kind.choices = [("", _l("— choose —"))] + [
            (kind.value, label_text(kind)) for kind in LabelKind
        ]

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in self._fields if name != "csrf_token"}

    def fill_from(self, label) -> None:
        for name in self._fields:
            if name not in ("csrf_token", "kind"):
                getattr(self, name).data = getattr(label, name)
        self.kind.data = str(label.kind)
