"""Suggestions from the index: completions of what is being typed (titles starting with it), and
"did you mean" when a query finds little (the most frequent indexed syllables a typo away)."""

import heapq
from typing import Any

from .analysis import fold
from .backend import split_key
from .spelling import SUGGEST_BELOW, Neighbours
from .whoosh_postings import View


def completions(
    view: View, words: list[str], last_is_prefix: bool, kinds: list[str], limit: int
) -> list[dict[str, Any]]:
    """Documents whose title has every typed syllable, the last one as a prefix while it is
    being typed; titles starting with the typed text first, then shorter ones."""
    sets = [view.postings("tfold", w).keys() for w in words[:-1]]
    last = words[-1]
    sets.append(
        view.prefix("tfold", last).keys() if last_is_prefix else view.postings("tfold", last).keys()
    )
    sets.sort(key=len)
    docs = sets[0]
    for other in sets[1:]:
        docs = docs & other
    docs = set(docs) - view.deleted
    if kinds:
        docs &= view.kinds_filter(kinds)
    titles = view.column("tkey")
    typed = " ".join(words).encode("utf-8")
    top = heapq.nsmallest(
        limit, docs, key=lambda d: (not titles[d].startswith(typed), len(titles[d]), d)
    )
    results = []
    for docnum in top:
        stored = view.searcher.stored_fields(docnum)
        kind, entity_id = split_key(stored["key"])
        data = stored["data"]
        results.append(
            {
                "kind": kind,
                "id": entity_id,
                "title": data["t"],
                "title_en": data.get("te"),
                "stored": data["s"],
            }
        )
    return results


class WhooshLexicon:
    """spelling.Lexicon over one generation: live documents only, as the PostgreSQL backend
    counts them."""

    def __init__(self, view: View):
        self.view = view
        self.vocabulary = view.derived("vocabulary", lambda: Vocabulary(view.reader))

    def _live(self, docs) -> int:
        deleted = self.view.deleted
        return len(docs) - len(deleted & docs.keys()) if deleted else len(docs)

    def frequency(self, term: str) -> int:
        return self._live(self.view.postings("fold", term))

    def pair_frequency(self, first: str, second: str) -> int:
        return min(self._live(self.view.postings("bigram", f"{first}_{second}")), SUGGEST_BELOW)

    def near(self, term: str, distance: int) -> list[tuple[str, int]]:
        found = ((t, self.frequency(t)) for t in self.vocabulary.neighbours.near(term, distance))
        return [(t, df) for t, df in found if df]

    def spellings(self, term: str) -> list[str]:
        return [spelling for spelling, _ in self.vocabulary.spellings(term)]

    def spelt_pair_frequency(self, first: str, second: str) -> int:
        view = self.view
        docs = view.postings("bigram", f"{fold(first)}_{fold(second)}").keys()
        for spelling in (first, second):
            if docs:
                docs = docs & view.postings("exact", spelling).keys()
        return min(len(docs - view.deleted), SUGGEST_BELOW)


class Vocabulary:
    """The indexed syllables of one generation: the folded ones (for typos), and the spellings
    of each with their documents."""

    def __init__(self, reader) -> None:
        self.neighbours = Neighbours(
            term.decode("utf-8") if isinstance(term, bytes) else term
            for term in reader.lexicon("fold")
        )
        spellings: dict[str, list[tuple[int, str]]] = {}
        for term, info in reader.iter_field("exact"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            spellings.setdefault(fold(term), []).append((info.doc_frequency(), term))
        self._spellings: dict[str, list[tuple[str, int]]] = {}
        for folded, found in spellings.items():
            found.sort(key=lambda pair: (-pair[0], pair[1]))  # most frequent first, then A-Z
            self._spellings[folded] = [(term, df) for df, term in found]

    def spellings(self, folded: str) -> list[tuple[str, int]]:
        """The spellings of `folded` with their documents, the most frequent first."""
        return self._spellings.get(folded, [])
