"""The PostgreSQL search backend's tables and how a document dict becomes a row of them.

Text is analysed here in Python (analysis.py, the same syllables as the Whoosh backend) and stored
pre-analysed: `fold` is a tsvector of folded syllables with positions and weight labels (A title,
B title_en, C keywords, D body) for matching, phrases and ranking; `exact` holds the syllables as
written; `title_words` the folded title syllables for completions. `search_term` keeps each
indexed syllable's document frequency (idf, prefix expansion, "did you mean" through pg_trgm),
`search_state` the generation counter. The tables are derived data, outside the migrations.
"""

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from .analysis import fold, normalize, tokens
from .backend import document_digest, json_date
from .prepare import (
    MAX_PART_TOKENS,
    STORED_BODY_CHARS,
    closes_ordinal,
    facet_pairs,
    text_field,
    updated_timestamp,
    valid_key,
)

__all__ = [
    "INSERT",
    "TABLES",
    "clean",
    "documents",
    "facet_value",
    "lexeme",
    "metadata",
    "prepare_row",
    "state",
    "terms",
]

# (document field, tsvector weight label).
TEXT_PARTS = (("title", "A"), ("title_en", "B"), ("keywords", "C"), ("body", "D"), ("body_en", "D"))
# tsvector positions stop at 16383 and keep 256 per lexeme; parts are one position apart so that
# a phrase never spans two parts.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
FACET_SEPARATOR = "\x1f"

metadata = sa.MetaData()
documents = sa.Table(
    "search_document",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False, index=True),
    sa.Column("entity_id", sa.BigInteger, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_en", sa.Text),
    sa.Column("keywords", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("body_en", sa.Text),
    sa.Column("stored", JSONB, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("facets", ARRAY(sa.Text), nullable=False),
    sa.Column("updated", sa.BigInteger, nullable=False),
    sa.Column("closes", sa.BigInteger, nullable=False),
    sa.Column("title_key", sa.Text, nullable=False),
    sa.Column("fold", TSVECTOR, nullable=False),
    sa.Column("exact", TSVECTOR, nullable=False),
    sa.Column("title_words", TSVECTOR, nullable=False),
    sa.Index("search_document_fold", "fold", postgresql_using="gin"),
    sa.Index("search_document_title_words", "title_words", postgresql_using="gin"),
    sa.Index("search_document_facets", "facets", postgresql_using="gin"),
    sa.Index("search_document_updated", "updated"),
)
# Every search reads `fold` several times per matching row: keep the tsvectors inside the row
# (MAIN) rather than in TOAST, where each read costs an index lookup, and let rows grow to a page
# before anything is moved out (the text columns go first).
sa.event.listen(
    documents,
    "after_create",
    sa.DDL(
        "ALTER TABLE search_document ALTER COLUMN fold SET STORAGE MAIN,"
        " ALTER COLUMN exact SET STORAGE MAIN, ALTER COLUMN title_words SET STORAGE MAIN,"
        " SET (toast_tuple_target = 8160)"
    ),
)
terms = sa.Table(
    "search_term",
    metadata,
    # "f": a folded syllable; "e": an accented syllable as written (`folded` is its fold).
    sa.Column("field", sa.String(1), primary_key=True),
    sa.Column("term", sa.Text(collation="C"), primary_key=True),
    sa.Column("folded", sa.Text(collation="C"), nullable=False),
    sa.Column("df", sa.Integer, nullable=False),
    sa.Index(
        "search_term_trigrams",
        "term",
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
        postgresql_where=sa.text("field = 'f'"),
    ),
    sa.Index("search_term_folded", "folded", postgresql_where=sa.text("field = 'e'")),
)
state = sa.Table(
    "search_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
    sa.Column("documents", sa.BigInteger, nullable=False),
)
TABLES = tuple(metadata.tables)


def clean(text: str) -> str:
    """`text` as PostgreSQL can store it: no NUL characters, no lone surrogates."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    return value


def lexeme(term: str) -> str:
    """`term` quoted for a tsvector or tsquery literal."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(entries: dict[str, list[str]]) -> str:
    """A tsvector literal from {lexeme: ["3A", "9D", …]} (an empty list: no positions)."""
    return " ".join(
        lexeme(term) + (":" + ",".join(positions) if positions else "")
        for term, positions in entries.items()
    )


def facet_value(name: str, value: str) -> str:
    """A facet value as stored in `facets` and compared by filters."""
    return clean(f"{name}{FACET_SEPARATOR}{value}")


def prepare_row(doc: dict) -> dict[str, Any]:
    """Validate a document dict and turn it into a `search_document` row (raises ValueError)."""
    key = valid_key(doc)
    fold_positions: dict[str, list[str]] = {}
    exact_positions: dict[str, list[str]] = {}
    title_words: dict[str, list[str]] = {}
    position = 1
    for name, label in TEXT_PARTS:
        accented = tokens(text_field(doc, name))[:MAX_PART_TOKENS]
        for token in accented:
            folded = fold(token)
            for target, term in ((fold_positions, folded), (exact_positions, token)):
                positions = target.setdefault(term, [])
                if position <= MAX_POSITION and len(positions) < MAX_POSITIONS_PER_LEXEME:
                    positions.append(f"{position}{label}")
            if name in ("title", "title_en"):
                title_words[folded] = []
            position += 1
        position += 1
    facets = sorted({facet_value(name, value) for name, value in facet_pairs(doc)})
    sort = doc.get("sort") or {}
    title = text_field(doc, "title")
    stored = doc.get("stored") or {}
    try:
        stored_json = json.dumps(_clean_json(stored), ensure_ascii=False, default=json_date)
    except (TypeError, ValueError) as error:
        raise ValueError(f"document stored values must be JSON: {error}") from None
    return {
        "key": key,
        "kind": doc["kind"],
        "entity_id": doc["id"],
        "title": clean(title),
        "title_en": clean(text_field(doc, "title_en")) or None,
        "keywords": clean(text_field(doc, "keywords")),
        "body": clean(text_field(doc, "body")[:STORED_BODY_CHARS]),
        "body_en": clean(text_field(doc, "body_en")[:STORED_BODY_CHARS]) or None,
        "stored": stored_json,
        "digest": document_digest(doc),
        "facets": facets,
        "updated": updated_timestamp(sort.get("updated")),
        "closes": closes_ordinal(sort.get("closes")),
        "title_key": clean(fold(normalize(title))),
        "fold": _tsvector(fold_positions),
        "exact": _tsvector(exact_positions),
        "title_words": _tsvector(title_words),
        # Not columns: the syllables whose document frequencies this document adds to.
        "_terms": [("f", t) for t in fold_positions] + [("e", t) for t in exact_positions],
    }


INSERT = sa.insert(documents).values(
    {
        **{c.name: sa.bindparam(c.name) for c in documents.columns},
        "stored": sa.cast(sa.bindparam("stored", type_=sa.Text), JSONB),
        "fold": sa.cast(sa.bindparam("fold", type_=sa.Text), TSVECTOR),
        "exact": sa.cast(sa.bindparam("exact", type_=sa.Text), TSVECTOR),
        "title_words": sa.cast(sa.bindparam("title_words", type_=sa.Text), TSVECTOR),
    }
)
