"""Suggestions from the index: completions of what is being typed (titles starting with it), and
"did you mean" when a query finds little (the most frequent indexed syllables a typo away)."""

import heapq
from collections.abc import Callable
from typing import Any

from .analysis import fold, is_accented
from .backend import split_key
from .query import ParsedQuery, rebuild_query
from .spelling import SUGGEST_BELOW, best_correction
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
        results.append({"kind": kind, "id": entity_id, "title": data["t"], "stored": data["s"]})
    return results


def did_you_mean(
    view: View, parsed: ParsedQuery, matched: int, parse: Callable[[str], ParsedQuery]
) -> str | None:
    """The query with its rare syllables corrected, if that (parsed by `parse`) finds more
    than `matched`."""
    corrections = {}
    # Answer in the user's style: with diacritics only if they typed some.
    accented = any(is_accented(typed) for typed, _ in parsed.plain)
    vocabulary = view.derived("vocabulary", lambda: Vocabulary(view.reader))
    for index_, (_typed, folded) in enumerate(parsed.plain):
        if len(view.postings("fold", folded)) >= SUGGEST_BELOW:
            continue
        candidate = vocabulary.correct(folded)
        if candidate:
            corrections[index_] = vocabulary.display_form(candidate) if accented else candidate
    if not corrections:
        return None
    suggestion = rebuild_query(parsed, corrections)
    if len(view.match(parse(suggestion))) > matched:
        return suggestion
    return None


class Vocabulary:
    """The indexed syllables of one generation: folded ones by first letter with their document
    frequency, and the most frequent spelling of each (its likelier reading) with its share of
    the documents of all spellings."""

    def __init__(self, reader) -> None:
        self._folded: dict[str, list[tuple[str, int]]] = {}
        for term, info in reader.iter_field("fold"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            self._folded.setdefault(term[:1], []).append((term, info.doc_frequency()))
        spellings: dict[str, tuple[int, str, int]] = {}  # folded: (best df, best, all dfs)
        for term, info in reader.iter_field("exact"):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            df = info.doc_frequency()
            folded = fold(term)
            best_df, best, total = spellings.get(folded, (0, "", 0))
            if df > best_df:
                best_df, best = df, term
            spellings[folded] = (best_df, best, total + df)
        self._readings = {f: (best, df / total) for f, (df, best, total) in spellings.items()}

    def correct(self, term: str) -> str | None:
        """The most frequent indexed syllable within a small edit distance of `term`."""
        return best_correction(term, self._folded.get(term[:1], ()))

    def display_form(self, folded: str) -> str:
        return self._readings.get(folded, (folded,))[0]

    def likelier_reading(self, folded: str) -> tuple[str, float] | None:
        """The most frequent spelling of `folded` and its share of their documents."""
        return self._readings.get(folded)
