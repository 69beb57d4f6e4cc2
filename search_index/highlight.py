"""HTML highlighting of matched syllables: escapes everything, wraps matches in <mark>."""

import re
import unicodedata
from functools import lru_cache
from html import escape
from typing import Any

from .analysis import fold_aligned

__all__ = ["highlight", "hit_highlights"]

_MAX_TERMS = 64


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(
        re.escape(t[:-1]) + r"[^\W_]*" if t.endswith("*") else re.escape(t)
        for t in sorted(terms, key=len, reverse=True)
    )
    return re.compile(rf"(?<![^\W_])(?:{alternation})(?![^\W_])")


def highlight(text: str | None, terms: frozenset[str], max_chars: int | None = None) -> str | None:
    """Return escaped HTML with folded `terms` ("abc*" = prefix) marked, or None if none match.

    With `max_chars`, return a window of about that length starting shortly before the first
    match, with "…" where the text was cut.
    """
    if not text or not terms:
        return None
    text = unicodedata.normalize("NFC", text)
    pattern = _pattern(tuple(sorted(terms))[:_MAX_TERMS])
    folded = fold_aligned(text)
    first = pattern.search(folded)
    if first is None:
        return None
    start, end = 0, len(text)
    if max_chars and len(text) > max_chars:
        start = max(0, first.start() - max_chars // 5)
        if start:
            # Begin at a word boundary so the snippet does not open mid-syllable.
            space = text.find(" ", start, first.start())
            start = space + 1 if space != -1 else start
        end = min(len(text), start + max_chars)
        if end < len(text):
            space = text.rfind(" ", first.end(), end)
            end = space if space != -1 else end
    parts = ["…"] if start else []
    position = start
    for match in pattern.finditer(folded, start, end):
        parts.append(escape(text[position : match.start()]))
        parts.append("<mark>" + escape(text[match.start() : match.end()]) + "</mark>")
        position = match.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def hit_highlights(fields: dict[str, Any], terms: frozenset[str]) -> dict[str, str]:
    """A hit's highlights: its titles always, the Vietnamese one and the English one when it
    has one (marked where they match: a page in English shows the English title whatever
    matched), and snippets of the other text `fields` (keywords, body, body_en) where they
    match."""
    highlights = {}
    for field in ("title", "title_en"):
        title = fields.get(field) or ""
        if title or field == "title":
            highlights[field] = highlight(title, terms) or escape(title)
    for field, size in (("keywords", 200), ("body", 240), ("body_en", 240)):
        marked = highlight(fields.get(field), terms, size)
        if marked:
            highlights[field] = marked
    return highlights
