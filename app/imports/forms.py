"""The upload form: a file for the dry run, or the signed rows of a checked file to apply."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SubmitField

from app.forms import Form


class UploadForm(Form):
    file = FileField(_l("File (CSV or XLSX, at most 1 MB)"))
    checked = HiddenField()
    check = SubmitField(_l("Check the file"))
    apply = SubmitField(_l("Import"))
