"""The Whoosh schema and how a document dict becomes its field values.

Text is analysed once here (see analysis.py) into BM25F-weighted postings for the folded, exact,
bigram and title fields; Whoosh's analyzers are bypassed.
"""

import calendar
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from whoosh import columns, formats
from whoosh.fields import COLUMN, ID, STORED, FieldType, Schema

from .analysis import fold, normalize, tokens
from .backend import KINDS, document_digest, document_key
from .whoosh_internals import encode_frequency

# (document field, boost). Boosts are folded into posting weights at index time (BM25F-style).
TEXT_PARTS = (("title", 5.0), ("title_en", 3.0), ("keywords", 2.5), ("body", 1.0), ("body_en", 1.0))
MAX_PART_TOKENS = 5000
STORED_BODY_CHARS = 20_000
# BM25 with a fixed reference length: weights are final at index time and never need the corpus
# average, so a one-document commit does not change any other document's weight.
K1 = 1.2
B = 0.75
REFERENCE_LENGTH = 150.0
# Position gap between text parts so a phrase never spans the end of a title and a body.
PART_GAP = 1000

MISSING_UPDATED = -(2**62)
MISSING_CLOSES = 2**62
FACET_SEPARATOR = "\x1f"


class PreAnalyzedField(FieldType):
    """A field whose value is {term: (frequency, weight, positions)} computed by this package.

    Bypassing Whoosh analyzers lets one tokenisation pass feed every field and lets us store
    BM25F-normalised weights directly in the postings.
    """

    def __init__(self, positions: bool = False):
        fmt = formats.Positions() if positions else formats.Frequency()
        super().__init__(fmt, analyzer=None, scorable=False, stored=False)

    def index(self, value, **kwargs):
        encode = self.format.encode if isinstance(self.format, formats.Positions) else None
        for term, (freq, weight, positions) in value.items():
            vbytes = encode(positions) if encode else encode_frequency(freq)
            yield term.encode("utf-8"), freq, weight, vbytes


def schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True, sortable=True),
        kind=ID(),
        facet=PreAnalyzedField(),
        fold=PreAnalyzedField(),
        exact=PreAnalyzedField(),
        bigram=PreAnalyzedField(positions=True),
        tfold=PreAnalyzedField(),
        data=STORED(),
        updated=COLUMN(columns.NumericColumn("q", default=MISSING_UPDATED)),
        closes=COLUMN(columns.NumericColumn("q", default=MISSING_CLOSES)),
        tkey=COLUMN(columns.VarBytesColumn()),
    )


# -- documents -------------------------------------------------------------------------------


def _text(doc: dict, name: str) -> str:
    value = doc.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"document field {name!r} must be a string or None")
    return value


def _bm25(weight: float, norm: float) -> float:
    return weight * (K1 + 1.0) / (weight + norm)


def _timestamp(value: Any) -> int:
    if value is None:
        return MISSING_UPDATED
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return calendar.timegm(value.timetuple())
        return int(value.timestamp())
    if isinstance(value, date):
        return calendar.timegm(value.timetuple())
    raise ValueError("sort['updated'] must be a datetime, a date or None")


def _ordinal(value: Any) -> int:
    if value is None:
        return MISSING_CLOSES
    if isinstance(value, (date, datetime)):
        return value.toordinal()
    raise ValueError("sort['closes'] must be a date or None")


def prepare_document(doc: dict) -> dict[str, Any]:
    """Validate a document dict and turn it into Whoosh field values (raises ValueError)."""
    kind = doc.get("kind")
    if kind not in KINDS:
        raise ValueError(f"document kind must be one of {KINDS}, got {kind!r}")
    entity_id = doc.get("id")
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        raise ValueError(f"document id must be an int, got {entity_id!r}")

    fold_w: dict[str, float] = {}
    exact_w: dict[str, float] = {}
    title_w: dict[str, float] = {}
    bigrams: dict[str, list] = {}
    length = 0.0
    position = 0
    for name, boost in TEXT_PARTS:
        accented = tokens(_text(doc, name))[:MAX_PART_TOKENS]
        folded = [fold(t) for t in accented]
        length += boost * len(folded)
        for token in accented:
            # Exact postings only serve accented query terms; unaccented ones equal the fold.
            if not token.isascii():
                exact_w[token] = exact_w.get(token, 0.0) + boost
        for token in folded:
            fold_w[token] = fold_w.get(token, 0.0) + boost
        if name in ("title", "title_en"):
            for token in folded:
                title_w[token] = title_w.get(token, 0.0) + 1.0
        for offset, pair in enumerate(pairwise(folded)):
            entry = bigrams.setdefault(f"{pair[0]}_{pair[1]}", [0.0, []])
            entry[0] += boost
            entry[1].append(position + offset)
        position += len(folded) + PART_GAP

    norm = K1 * (1.0 - B + B * length / REFERENCE_LENGTH)
    facets = doc.get("facets") or {}
    if not isinstance(facets, dict):
        raise ValueError("document facets must be a dict of lists of strings")
    facet_terms = {}
    for name, values in facets.items():
        for value in [values] if isinstance(values, str) else values or ():
            facet_terms[f"{name}{FACET_SEPARATOR}{value}"] = (1, 1.0, None)
    sort = doc.get("sort") or {}
    title = _text(doc, "title")
    return {
        "key": document_key(kind, entity_id),
        "kind": kind,
        "facet": facet_terms,
        "fold": {t: (1, _bm25(w, norm), None) for t, w in fold_w.items()},
        "exact": {t: (1, _bm25(w, norm), None) for t, w in exact_w.items()},
        "bigram": {t: (len(p), _bm25(w, norm), p) for t, (w, p) in bigrams.items()},
        "tfold": {t: (1, w, None) for t, w in title_w.items()},
        "data": {
            "t": title,
            "te": doc.get("title_en"),
            "k": _text(doc, "keywords"),
            "b": _text(doc, "body")[:STORED_BODY_CHARS],
            "be": (doc.get("body_en") or "")[:STORED_BODY_CHARS] or None,
            "s": doc.get("stored") or {},
            "h": document_digest(doc),
        },
        "updated": _timestamp(sort.get("updated")),
        "closes": _ordinal(sort.get("closes")),
        "tkey": fold(normalize(title)).encode("utf-8"),
    }
