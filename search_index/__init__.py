"""Flask-free Vietnamese full-text search: plain dicts in, plain data out. Three backends behind one
interface: Whoosh (embedded, files in a folder), tantivy (embedded, files in a folder; see
tantivy_backend.py) and PostgreSQL (tables in the application's database, through SQLAlchemy
Core; imported only when asked for).

Document contract — the application builds one dict per searchable record::

    {"kind": "firm" | "catalogue" | "programme" | "zone" | "incubator",
     "id": int,                       # index key is f"{kind}:{id}"
     "title": str,                    # Vietnamese name, boosted most
     "title_en": str | None,
     "keywords": str,                 # catalogue item names, VSIC names, codes; boosted medium
     "body": str,                     # Vietnamese description
     "body_en": str | None,
     "facets": {str: list[str]},      # free-form facet names, e.g. {"ward": ["21211"]}
     "sort": {"updated": datetime | None, "closes": date | None},
     "stored": dict}                  # small JSON-able dict returned as-is on hits

API::

    backend = WhooshBackend(path, synonyms=Synonyms.load("seed/search_synonyms.txt"), cache=True)
    backend = TantivyBackend(path, synonyms=…, cache=True)             # same interface
    backend = PostgresBackend(engine_or_url, synonyms=…, cache=True)   # same interface
    backend.apply(upserts=[doc, ...], deletes=["firm:3", ("zone", 4)], lock_timeout=5.0)
        # one commit (transaction); raises IndexLocked (nothing written) if the writer lock stays
        # busy for lock_timeout seconds, and
        # ValueError (nothing written) for a malformed document (unknown kind, non-int id, ...)
    backend.search(query, kinds=None, filters={"ward": ["21211"]}, facets=["ward"],
                   sort="relevance" | "newest" | "closing", page=1, per_page=20) -> SearchResult
        # .total, .hits [Hit(kind, id, score, highlights {field: html}, stored)],
        # .facet_counts {facet: {value: n}}, .kind_counts {kind: n}, .suggestion, .to_dict()
    backend.suggest(prefix, kinds=None, limit=8) -> [{"kind", "id", "title", "stored"}]
    backend.rebuild(documents, progress=callback) -> count   # atomic swap
    backend.doc_ids() -> {"kind:id", ...}
    backend.digests() -> {"kind:id": digest, ...}   # document_digest(doc) as written, for checks
    backend.close()
    analysis: normalize(text) (NFC, lowercase), fold(text) (no diacritics, đ→d), tokens(text)

Query semantics: every syllable must match (AND) on diacritic-folded text, so unaccented, NFD
and upper-case queries find the same documents as the accented form. Adjacent syllables forming a
known word (words.py: "năng lượng", "Lý Sơn") must appear together, unless no document has them
together (then `SearchResult.relaxed`). Adjacent syllables, a syllable followed by a completion of
the next prefix, exact spellings (every syllable as typed once a query has diacritics; the
likelier spelling of each syllable of a query without any), and title over keywords over body
raise the score. "quoted phrases" need adjacent syllables; `-word`/`NOT word` exclude;
`a OR b`; `prefix*`. Synonym groups expand abbreviations and English terms. A blank query matches
every document (newest first), which serves browsing by facets; a query with no usable word
matches nothing. Facet counts are OR within a facet and AND across facets, and a facet's own
counts ignore its own filter; `kind_counts` likewise ignore `kinds`. Results may come from a
cache shared between callers: treat them as read-only.

Every backend answers the same queries with the same documents (ranking may differ in ties and in
scores); one contract test suite (tests/search_index/test_contract.py) holds them to this.
The tantivy backend keeps Whoosh's `CURRENT`/`ix-*` layout and swap, with one `WRITER.lock`.

Whoosh index layout: `path/CURRENT` names the live index folder `path/ix-*`. rebuild() writes a new
folder beside it and replaces `CURRENT` with os.replace, so a reader opens either the old or the
new complete index, never a half-built one. rebuild() holds the live index's writer lock while it
builds, so concurrent apply() calls raise IndexLocked and their changes wait for the new index;
the previous folder is removed by the next rebuild, never while readers may still use it.

PostgreSQL layout (see postgres_backend.py): tables `search_document` (pre-analysed tsvectors,
facets, sort values, stored JSON, digest), `search_term` (syllables and their document
frequencies, trigram-indexed for "did you mean") and `search_state` (the generation counter),
created on first use; they are derived data, not part of the application's migrations.
apply() and rebuild() are transactions that take the state row's lock first; rebuild() replaces
every row in one transaction, so readers see the old or the new index, and apply() calls made
meanwhile raise IndexLocked. Each search reads one snapshot (REPEATABLE READ).

Each Whoosh backend instance keeps one searcher, checked for a newer generation (or a swapped
folder) on every call, and serialises its calls with a lock. It caches posting lists (per segment
and per generation). Both backends cache, unless `cache=False`, whole results keyed by
(generation, arguments).
"""

from .analysis import fold, normalize, tokens
from .backend import (
    KINDS,
    Hit,
    IndexLocked,
    SearchBackend,
    SearchResult,
    document_digest,
    document_key,
)
from .synonyms import Synonyms
from .tantivy_backend import TantivyBackend
from .whoosh_backend import WhooshBackend
from .words import Words


def __getattr__(name: str):
    # The PostgreSQL backend needs SQLAlchemy: import it only for those who use it.
    if name == "PostgresBackend":
        from .postgres_backend import PostgresBackend

        return PostgresBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KINDS",
    "Hit",
    "IndexLocked",
    "PostgresBackend",
    "SearchBackend",
    "SearchResult",
    "Synonyms",
    "TantivyBackend",
    "WhooshBackend",
    "Words",
    "document_digest",
    "document_key",
    "fold",
    "normalize",
    "tokens",
]
