"""Vietnamese tax codes (mã số thuế): enterprise codes via python-stdnum, personal IDs by format.

Stored as digits only; displayed with the branch hyphen (`0314409058-002`).
"""

import re

from flask_babel import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.vn import mst

PERSONAL_ID = re.compile(r"^\d{12}$")


class TaxCodeError(ValueError):
    """Raised with a message that tells the user *why* the code is wrong."""


def normalize_tax_code(raw: str) -> str:
    """Return the stored (digits only) form of a valid tax code, or raise TaxCodeError."""
    text = (raw or "").strip().replace(" ", "").replace(".", "")
    if not text:
        raise TaxCodeError(_("Enter a tax code."))
    digits = text.replace("-", "")
    if PERSONAL_ID.match(digits) and "-" not in text:
        return digits
    if not re.fullmatch(r"\d{10}(-?\d{3})?", text):
        raise TaxCodeError(
            _(
                "A tax code has 10 digits, or 13 with a branch suffix written "
                "0123456789-001; a household business uses its 12-digit personal ID."
            )
        )
    try:
        return mst.validate(digits)
    except InvalidChecksum as error:
        raise TaxCodeError(
            _("This tax code's check digit is wrong: please check for a typing mistake.")
        ) from error
    except (InvalidComponent, ValidationError) as error:
        raise TaxCodeError(_("This tax code is not a number that is ever issued.")) from error


def format_tax_code(stored: str) -> str:
    if len(stored) == 13:
        return f"{stored[:10]}-{stored[10:]}"
    return stored
