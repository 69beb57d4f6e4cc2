"""Uploaded images accepted by their content only, and re-encoded: firm logos and the images of
news articles. A file is refused before it is decoded when it is too large in bytes or declares
too large a canvas; what is kept is a fresh encoding by Pillow, never the uploaded bytes."""

import io
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from app.errors import ValidationError

ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}
# A small file can declare a huge canvas (a 420 KB PNG of 12,000 × 12,000 pixels decodes to more
# than 500 MB), so images are refused by the dimensions in their header, before any decoding.
MAX_SIDE = 4000
# Pillow's own guard, for every image this process opens: a warning above this many pixels and
# DecompressionBombError above twice as many, both raised while reading the header.
Image.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


def reencode(
    upload, field: str, *, max_bytes: int, box: tuple[int, int], format: str = "PNG"
) -> Encoded:
    """Read `upload` (a file-like object), check it is a PNG, JPEG or WebP image of at most
    `max_bytes` and MAX_SIDE pixels a side, shrink it to fit `box` and encode it as `format`
    (PNG keeps transparency; JPEG for photographs). Refusals are ValidationErrors on `field`."""
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        message = _(
            "The image is larger than %(size)s MB.", size=format_number(max_bytes // 1024**2)
        )
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
            image.thumbnail(box)
            output = io.BytesIO()
            if format == "PNG":
                image.convert("RGBA").save(output, format="PNG", optimize=True)
            else:
                image.convert("RGB").save(output, format=format, quality=85, optimize=True)
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning arrives as an exception only where warnings are errors (tests); elsewhere
        # it is logged and the dimension check above refuses the image.
        raise ValidationError(too_large, {field: [too_large]}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        message = _("This file is not a PNG, JPEG or WebP image.")
        raise ValidationError(message, {field: [message]}) from None
    return Encoded(output.getvalue(), width, height)
