"""The forms of news and success stories: the article (with a preview), its publication and its
images. They check the shape of the input; the service enforces the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.forms import Form, RecordForm, VersionField
from app.i18n import localized
from app.labels import label
from app.models import ArticleKind

MARKDOWN_HINT = _l(
    "Markdown: ## heading, - list item, **bold**, [link text](https://…), "
    "![what the image shows](image address). HTML is shown as text."
)


class ArticleForm(RecordForm):
    agency_id = SelectField(_l("Agency"), coerce=int, validators=[Optional()])
    kind = RadioField(_l("Kind"), default=ArticleKind.NEWS.value)
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    summary_vi = TextAreaField(_l("Summary (Vietnamese)"), validators=[Length(max=600)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=600)])
    body_vi = TextAreaField(_l("Text (Vietnamese)"), description=MARKDOWN_HINT)
    body_en = TextAreaField(_l("Text (English)"), description=MARKDOWN_HINT)
    firm_slugs = TextAreaField(_l("Firms (address names, e.g. cong-ty-xanh)"))
    item_codes = TextAreaField(_l("Catalogue items (codes)"))
    programme_slugs = TextAreaField(_l("Programmes (address names)"))
    zone_slugs = TextAreaField(_l("Zones and clusters (address names)"))

    def set_choices(self, agencies) -> None:
        self.kind.choices = [SelectChoice(kind.value, label(kind)) for kind in ArticleKind]
        if agencies is None:
            del self.agency_id
        else:
            self.agency_id.choices = [
                (a.id, f"{a.code} · {localized(a, 'name')}") for a in agencies
            ]


class PublicationForm(Form):
    """Publish now or at a time, unpublish, archive or restore an article."""

    version = VersionField()
    publish_at = DateTimeLocalField(
        _l("Publish at (Quảng Ngãi time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    reason = TextAreaField(_l("Reason"), validators=[Length(max=4000)])


class ImageForm(Form):
    image = FileField(_l("Image (PNG, JPEG or WebP, up to 5 MB)"), validators=[FileRequired()])
    alt_vi = StringField(_l("What the image shows (Vietnamese)"), validators=[Length(max=300)])
    alt_en = StringField(_l("What the image shows (English)"), validators=[Length(max=300)])
