"""Vietnamese text analysis shared by indexing and querying: NFC normalisation, diacritic
folding and syllable tokenisation. No stop words and no stemming: Vietnamese syllables are short
and many common ones (xử, lý) carry meaning in domain terms.
"""

import re
import unicodedata
from collections.abc import Iterator

__all__ = ["fold", "is_accented", "normalize", "token_spans", "tokens"]

# Syllables are runs of letters and digits; underscore is a word character for `re` but never part
# of a Vietnamese word, and we use it ourselves to join bigram terms.
_TOKEN_RE = re.compile(r"[^\W_]+")

# Longest token kept; longer runs are garbage (hashes, pasted binaries) and would bloat the lexicon.
MAX_TOKEN_LENGTH = 64

_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "ø": "o", "ł": "l", "ß": "ss"})


def normalize(text: str) -> str:
    """NFC-normalise and lowercase `text` (composes NFD input typed on some keyboards)."""
    return unicodedata.normalize("NFC", text).lower()


def _fold_uncached(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.translate(_FOLD_EXTRA))


_fold_cache: dict[str, str] = {}


def fold(text: str) -> str:
    """Remove diacritics (tone and vowel marks, đ→d) from already-normalised text."""
    if text.isascii():
        return text
    folded = _fold_cache.get(text)
    if folded is None:
        folded = _fold_uncached(text)
        # Syllables repeat endlessly while indexing; a bounded memo makes folding nearly free.
        if len(text) <= 16 and len(_fold_cache) < 200_000:
            _fold_cache[text] = folded
    return folded


def is_accented(token: str) -> bool:
    """True when a normalised token carries any diacritic (so its exact form is meaningful)."""
    return fold(token) != token


def tokens(text: str) -> list[str]:
    """Split text into normalised (accented, lowercased) syllable tokens."""
    return [t for t in _TOKEN_RE.findall(normalize(text)) if len(t) <= MAX_TOKEN_LENGTH]


def token_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, folded token) over the original text, for highlighting.

    Offsets refer to the NFC form of `text`, which callers should use for slicing.
    """
    for match in _TOKEN_RE.finditer(text):
        token = match.group().lower()
        if len(token) <= MAX_TOKEN_LENGTH:
            yield match.start(), match.end(), fold(token)


class _CharFolder(dict):
    """str.translate table folding one character to one character, filled on first use."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        folded = fold(normalize(char))
        # Keep offsets aligned with the original text: characters whose lowercase or folded form
        # is longer (ß, İ) stay as they are.
        value = folded if len(folded) == 1 else char
        self[codepoint] = value
        return value


_CHAR_FOLDER = _CharFolder()


def fold_aligned(text: str) -> str:
    """Lowercase and fold NFC `text` character by character, so offsets match the input."""
    return text.translate(_CHAR_FOLDER)
