"""Flask-free Vietnamese full-text search: plain dicts in, plain data out (stdlib + Whoosh only).

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
    backend.apply(upserts=[doc, ...], deletes=["firm:3", ("zone", 4)], lock_timeout=5.0)
        # one writer commit; raises IndexLocked (nothing written) if the lock stays busy, and
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
and upper-case queries find the same documents as the accented form. Adjacent syllables, accented
syllables matching exactly (only those the user typed with diacritics), and title over keywords
over body raise the score. "quoted phrases" need adjacent syllables; `-word`/`NOT word` exclude;
`a OR b`; `prefix*`. Synonym groups expand abbreviations and English terms. A blank query matches
every document (newest first), which serves browsing by facets; a query with no usable word
matches nothing. Facet counts are OR within a facet and AND across facets, and a facet's own
counts ignore its own filter; `kind_counts` likewise ignore `kinds`. Results may come from a
cache shared between callers: treat them as read-only.

Index layout: `path/CURRENT` names the live index folder `path/ix-*`. rebuild() writes a new
folder beside it and replaces `CURRENT` with os.replace, so a reader opens either the old or the
new complete index, never a half-built one. rebuild() holds the live index's writer lock while it
builds, so concurrent apply() calls raise IndexLocked and their changes wait for the new index;
the previous folder is removed by the next rebuild, never while readers may still use it.

Each backend instance keeps one searcher, checked for a newer generation (or a swapped folder) on
every call, and serialises its calls with a lock. It caches posting lists (per segment and per
generation) and, unless `cache=False`, whole results keyed by (generation, arguments).
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
from .whoosh_backend import WhooshBackend

__all__ = [
    "KINDS",
    "Hit",
    "IndexLocked",
    "SearchBackend",
    "SearchResult",
    "Synonyms",
    "WhooshBackend",
    "document_digest",
    "document_key",
    "fold",
    "normalize",
    "tokens",
]
