"""Small text helpers for Vietnamese: NFC normalisation, diacritic folding, URL slugs.

Folding is the search engine's own (`search_index.analysis`), so that lists sorted, slugs made and
names compared here agree with what search finds.
"""

import re
import unicodedata

from search_index.analysis import fold as _fold
from search_index.analysis import normalize


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str | None) -> str:
    """Lowercase and strip diacritics; `đ` becomes `d`."""
    return _fold(normalize(text or ""))


def slugify(text: str, max_length: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "item"
