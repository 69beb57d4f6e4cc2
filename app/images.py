"""Uploaded images (firm logos, news articles' images, product photos): accepted only by their
content, refused before decoding when too large in bytes or declaring too large a canvas, and
re-encoded by Pillow so that nothing of the uploaded file is served as sent."""

import hashlib
import io
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from app.errors import ValidationError

# A small file can declare a huge canvas (a 420 KB PNG of 12,000 × 12,000 pixels decodes to more
# than 500 MB), so images are refused by the dimensions in their header, before any decoding.
MAX_SIDE = 4000
# Pillow's own guard, for every image this process opens: a warning above this many pixels and
# DecompressionBombError above twice as many, both raised while reading the header.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}


@dataclass(frozen=True)
class ImageRule:
    """How one kind of upload is kept: the largest file, the box it is shrunk into, and the
    format it is stored in (PNG keeps a logo's transparency; JPEG keeps photos small)."""

    max_bytes: int
    box: tuple[int, int]
    format: str  # "PNG" or "JPEG"

    @property
    def extension(self) -> str:
        return "png" if self.format == "PNG" else "jpg"

    @property
    def mimetype(self) -> str:
        return "image/png" if self.format == "PNG" else "image/jpeg"


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


def reencode(upload, rule: ImageRule, field: str) -> Encoded:
    """The uploaded image re-encoded by `rule`; a ValidationError on `field` when the file is
    too large, not an image of an accepted format, or declares too many pixels."""
    raw = upload.read(rule.max_bytes + 1)
    if len(raw) > rule.max_bytes:
        megabytes = format_number(rule.max_bytes // (1024 * 1024))
        message = _("The image is larger than %(size)s MB.", size=megabytes)
        raise ValidationError(message, {field: [message]})
    side = format_number(MAX_SIDE)
    too_large = _(
        "The image may be at most %(width)s × %(height)s pixels.", width=side, height=side
    )
    try:
        # Image.open reads only the header: format and dimensions are known before decoding.
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise UnidentifiedImageError(probe.format)
            if max(probe.size) > MAX_SIDE:
                raise ValidationError(too_large, {field: [too_large]})
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.thumbnail(rule.box)
            output = io.BytesIO()
            if rule.format == "PNG":
                image.convert("RGBA").save(output, format="PNG", optimize=True)
            else:
                image.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning arrives as an exception only where warnings are errors (tests); elsewhere
        # it is logged and the dimension check above refuses the image.
        raise ValidationError(too_large, {field: [too_large]}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        message = _("This file is not a PNG, JPEG or WebP image.")
        raise ValidationError(message, {field: [message]}) from None
    return Encoded(output.getvalue(), width, height)


def stored_name(prefix: str, data: bytes, rule: ImageRule) -> str:
    """A file name that changes with the content (so a kept copy is never stale)."""
    return f"{prefix}-{hashlib.sha256(data).hexdigest()[:16]}.{rule.extension}"
