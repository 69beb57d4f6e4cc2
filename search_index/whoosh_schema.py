"""The Whoosh schema and how a document dict becomes its field values.

Text is analysed once here (see analysis.py) into BM25F-weighted postings for the folded, exact,
bigram and title fields; Whoosh's analyzers are bypassed.
"""

from itertools import pairwise
from typing import Any

from whoosh import columns, formats
from whoosh.fields import COLUMN, ID, STORED, FieldType, Schema

from .analysis import fold, normalize, tokens
from .backend import document_digest
from .prepare import (
    MAX_PART_TOKENS,
    MISSING_CLOSES,
    MISSING_UPDATED,
    STORED_BODY_CHARS,
    closes_ordinal,
    facet_pairs,
    text_field,
    updated_timestamp,
    valid_key,
)
from .whoosh_internals import encode_frequency

# (document field, boost). Boosts are folded into posting weights at index time (BM25F-style).
TEXT_PARTS = (("title", 5.0), ("title_en", 3.0), ("keywords", 2.5), ("body", 1.0), ("body_en", 1.0))
# BM25 with a fixed reference length: weights are final at index time and never need the corpus
# average, so a one-document commit does not change any other document's weight.
K1 = 1.2
B = 0.75
REFERENCE_LENGTH = 150.0
# Position gap between text parts so a phrase never spans the end of a title and a body.
PART_GAP = 1000

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


def _bm25(weight: float, norm: float) -> float:
    return weight * (K1 + 1.0) / (weight + norm)


def prepare_document(doc: dict) -> dict[str, Any]:
    """Validate a document dict and turn it into Whoosh field values (raises ValueError)."""
    key = valid_key(doc)

    fold_w: dict[str, float] = {}
    exact_w: dict[str, float] = {}
    title_w: dict[str, float] = {}
    bigrams: dict[str, list] = {}
    length = 0.0
    position = 0
    for name, boost in TEXT_PARTS:
        accented = tokens(text_field(doc, name))[:MAX_PART_TOKENS]
        folded = [fold(t) for t in accented]
        length += boost * len(folded)
        for token in accented:
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
    facet_terms = {
        f"{name}{FACET_SEPARATOR}{value}": (1, 1.0, None) for name, value in facet_pairs(doc)
    }
    sort = doc.get("sort") or {}
    title = text_field(doc, "title")
    return {
        "key": key,
        "kind": doc["kind"],
        "facet": facet_terms,
        "fold": {t: (1, _bm25(w, norm), None) for t, w in fold_w.items()},
        "exact": {t: (1, _bm25(w, norm), None) for t, w in exact_w.items()},
        "bigram": {t: (len(p), _bm25(w, norm), p) for t, (w, p) in bigrams.items()},
        "tfold": {t: (1, w, None) for t, w in title_w.items()},
        "data": {
            "t": title,
            "te": doc.get("title_en"),
            "k": text_field(doc, "keywords"),
            "b": text_field(doc, "body")[:STORED_BODY_CHARS],
            "be": (doc.get("body_en") or "")[:STORED_BODY_CHARS] or None,
            "s": doc.get("stored") or {},
            "h": document_digest(doc),
        },
        "updated": updated_timestamp(sort.get("updated")),
        "closes": closes_ordinal(sort.get("closes")),
        "tkey": fold(normalize(title)).encode("utf-8"),
    }
