"""Small text helpers for Vietnamese: NFC normalisation, diacritic folding, URL slugs.

Folding is the search engine's own (`search_index.analysis`), so that lists sorted, slugs made and
names compared here agree with what search finds.
"""

import re
import unicodedata
from functools import lru_cache

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


# Vietnamese alphabetical order (Unicode's CLDR "vi" collation, as PostgreSQL's ICU collation
# `vi-x-icu` sorts): letters first, a < ă < â < b < c < d < đ < e < ê …; then the tone marks
# (none < huyền < hỏi < ngã < sắc < nặng); then lower case before upper case.
VIETNAMESE_COLLATION = "vi-x-icu"
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_FORMS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


@lru_cache(maxsize=8192)
def vietnamese_sort_key(text: str | None) -> tuple:
    """A key that sorts like VIETNAMESE_COLLATION: whitespace and punctuation, then digits,
    then letters in the Vietnamese alphabet; tones break ties, then case. Kept for the most
    recent names: SQLite's collation asks for two keys per comparison of a sort."""
    primary, secondary, tertiary = [], [], []
    for character in nfc(text):
        lower = character.lower()
        base, *marks = unicodedata.normalize("NFD", lower)
        letter = next((_LETTER_FORMS[base, m] for m in marks if (base, m) in _LETTER_FORMS), base)
        if letter in _LETTERS:
            primary.append(3000 + _LETTERS.index(letter))
        elif base.isascii() and base.isdigit():
            primary.append(2000 + int(base))
        elif not base.isalnum():
            primary.append(1000 + ord(base) % 1000)
        else:
            primary.append(10000 + ord(base))
        secondary.append(next((_TONES[m] for m in marks if m in _TONES), 0))
        tertiary.append(character != lower)
    return tuple(primary), tuple(secondary), tuple(tertiary)
