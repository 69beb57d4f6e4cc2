"""Known words of two or more syllables, for telling a word typed as several syllables from
syllables that merely sit next to each other in a query.

Vietnamese writes every syllable apart: "năng lượng tái tạo" is two words of two syllables each.
A query's adjacent syllables that form a known word must appear together in a document ("năng
lượng" does not match "năng suất … lượng"); the others may appear anywhere ("thải tỉnh"). Words
are compared folded (see analysis.fold), so an unaccented query has the same words.

The bundled list (data/vi_words.txt) is pyvi's Vietnamese word list; the application adds its
own proper names (wards, provinces) with `extended`.
"""

from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from os import PathLike
from pathlib import Path

from .analysis import fold, tokens

__all__ = ["Words"]

BUNDLED = Path(__file__).resolve().parent / "data" / "vi_words.txt"


class Words:
    """A set of known words, kept as the folded pairs of adjacent syllables they contain."""

    def __init__(self, words: Iterable[str] = ()):
        self._pairs: frozenset[tuple[str, str]] = frozenset(_pairs(words))

    @classmethod
    def load(cls, path: str | PathLike[str]) -> "Words":
        """One word per line; blank lines and lines starting with `#` are skipped."""
        with open(path, encoding="utf-8") as file:
            return cls(line for line in file if line.strip() and not line.startswith("#"))

    @staticmethod
    @cache
    def bundled() -> "Words":
        return Words.load(BUNDLED)

    def extended(self, words: Iterable[str]) -> "Words":
        """These words and `words`."""
        joined = Words()
        joined._pairs = self._pairs | frozenset(_pairs(words))
        return joined

    def joins(self, first: str, second: str) -> bool:
        """Whether the folded syllables `first` `second` belong to one known word."""
        return (first, second) in self._pairs

    def __len__(self) -> int:
        return len(self._pairs)


def _pairs(words: Iterable[str]) -> Iterable[tuple[str, str]]:
    for word in words:
        yield from pairwise(fold(t) for t in tokens(word))
