"""The tantivy schema and how a document dict becomes a tantivy Document.

All analysis happens here in Python (analysis.py, prepare.py), as for the other backends: tantivy
receives space-joined folded, exact and bigram tokens and its "whitespace" tokenizer keeps them as
they are. Facets go in one JSON field keyed by a hex form of their name, so that any facet name
is a valid path.
"""

import json
from itertools import pairwise
from typing import Any

import tantivy

from .analysis import fold, normalize, tokens
from .backend import KINDS, document_digest, json_date
from .prepare import (
    MAX_PART_TOKENS,
    STORED_BODY_CHARS,
    closes_ordinal,
    facet_pairs,
    text_field,
    updated_timestamp,
    valid_key,
)

TEXT_PARTS = ("title", "title_en", "keywords", "body", "body_en")
TITLE_PARTS = ("title", "title_en")
# Titles longer than this are matched on their start only by suggest()'s "starts with" test
# (typed text is at most 8 syllables of 64 letters).
TITLE_KEY_CHARS = 1024
TOKENS = "whitespace"


def facet_path(name: str) -> str:
    """The JSON path of a facet (any string is a facet name; paths must not contain dots)."""
    return "f" + name.encode("utf-8").hex()


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("kindnum", fast=True)
    builder.add_integer_field("entity", fast=True)
    # Every text part as its own value: tantivy leaves a position gap between values, so a
    # phrase never spans the end of a title and the start of a body.
    builder.add_text_field("fold", tokenizer_name=TOKENS, index_option="position")
    builder.add_text_field("title", tokenizer_name=TOKENS, index_option="freq")
    builder.add_text_field("keywords", tokenizer_name=TOKENS, index_option="freq")
    builder.add_text_field("exact", tokenizer_name=TOKENS, index_option="freq")
    builder.add_text_field("bigram", tokenizer_name=TOKENS, index_option="freq")
    builder.add_json_field("facets", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("updated", fast=True)
    builder.add_integer_field("closes", fast=True)
    builder.add_text_field("tkey", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("tlen", fast=True)
    builder.add_bytes_field("data", stored=True)
    return builder.build()


def prepare_document(doc: dict) -> tuple[str, tantivy.Document]:
    """Validate a document dict and turn it into (key, tantivy Document) (raises ValueError)."""
    key = valid_key(doc)
    if not -(2**63) <= doc["id"] < 2**63:
        raise ValueError(f"document id {doc['id']} does not fit in 64 bits")
    texts = {name: text_field(doc, name) for name in TEXT_PARTS}
    folded_parts, exact, bigrams, titles = [], [], [], []
    for name in TEXT_PARTS:
        accented = tokens(texts[name])[:MAX_PART_TOKENS]
        folded = [fold(t) for t in accented]
        folded_parts.append(" ".join(folded))
        exact.extend(accented)
        bigrams.extend(f"{a}_{b}" for a, b in pairwise(folded))
        if name in TITLE_PARTS:
            titles.extend(folded)
    facets: dict[str, list[str]] = {}
    for name, value in facet_pairs(doc):
        facets.setdefault(facet_path(str(name)), []).append(str(value))
    sort = doc.get("sort") or {}
    data = {
        "t": texts["title"],
        "te": doc.get("title_en"),
        "k": texts["keywords"],
        "b": texts["body"][:STORED_BODY_CHARS],
        "be": texts["body_en"][:STORED_BODY_CHARS] or None,
        "s": doc.get("stored") or {},
        "h": document_digest(doc),
    }
    title_key = fold(normalize(texts["title"]))
    document = tantivy.Document()
    document.add_text("key", key)
    document.add_text("kind", doc["kind"])
    document.add_integer("kindnum", KINDS.index(doc["kind"]))
    document.add_integer("entity", doc["id"])
    for part in folded_parts:
        document.add_text("fold", part)
    document.add_text("title", " ".join(titles))
    document.add_text("keywords", folded_parts[TEXT_PARTS.index("keywords")])
    # Each spelling once: whether a document spells a syllable so (how often is the fold's
    # business; a spelling repeated in a description would outweigh one in a name).
    document.add_text("exact", " ".join(dict.fromkeys(exact)))
    document.add_text("bigram", " ".join(bigrams))
    document.add_json("facets", facets)
    document.add_integer("updated", updated_timestamp(sort.get("updated")))
    document.add_integer("closes", closes_ordinal(sort.get("closes")))
    document.add_text("tkey", title_key[:TITLE_KEY_CHARS])
    document.add_integer("tlen", len(title_key.encode("utf-8")))
    document.add_bytes("data", json.dumps(data, ensure_ascii=False, default=json_date).encode())
    return key, document


def stored_data(document: tantivy.Document) -> dict[str, Any]:
    return json.loads(document.get_first("data"))
