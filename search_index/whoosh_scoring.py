"""Relevance: BM25F over the posting weights written at index time (whoosh_schema), with boosts
for names, adjacent syllables, and syllables spelt as typed (or, in a query without diacritics,
as most documents spell them)."""

import math
from itertools import pairwise

from .query import ParsedQuery
from .spelling import TYPO_FACTOR
from .whoosh_postings import View
from .whoosh_suggestions import Vocabulary

# Score multipliers on top of the folded-syllable score. BM25 saturates term frequency, so a
# long description repeating a term can outscore a name containing it; TITLE_BOOST adds a
# separate, unsaturated bonus per query syllable found in the name.
BIGRAM_BOOST = 1.5
# A syllable typed with its marks found spelt so counts four times one found only folded ("dầu"
# in a description above "Dâu" in a name).
EXACT_BOOST = 3.0
TITLE_BOOST = 1.5

Contributions = list[tuple[float, dict[int, float]]]


def idf(df: int, total: int) -> float:
    return math.log(1.0 + (total - df + 0.5) / (df + 0.5))


def contributions(view: View, parsed: ParsedQuery) -> Contributions:
    """(factor, weights) pairs whose weighted sum is a document's relevance score."""
    total = max(view.doc_count_all, 1)
    seen: dict[tuple[str, str], tuple[float, dict[int, float]]] = {}

    def add(field: str, term: str, boost: float) -> None:
        weights = view.postings(field, term)
        factor = boost * idf(len(weights), total)
        if weights and factor > seen.get((field, term), (0.0,))[0]:
            seen[(field, term)] = (factor, weights)

    for clause in parsed.clauses:
        for alternative in clause.alternatives:
            syllables = alternative.syllables
            if alternative.mode == "prefix":
                weights = view.prefix("fold", syllables[0])
                seen[("prefix", syllables[0])] = (idf(len(weights), total), weights)
                continue
            weight = TYPO_FACTOR if alternative.typo else 1.0
            for syllable in syllables:
                add("fold", syllable, weight)
                add("tfold", syllable, TITLE_BOOST * weight)
            if alternative.mode == "phrase":
                for a, b in pairwise(syllables):
                    add("bigram", f"{a}_{b}", BIGRAM_BOOST)
    for bigram in parsed.bigrams:
        add("bigram", bigram, BIGRAM_BOOST)
    for first, start in parsed.prefix_pairs:
        weights = view.prefix("bigram", f"{first}_{start}")
        if weights:
            seen[("bigram prefix", f"{first}_{start}")] = (
                BIGRAM_BOOST * idf(len(weights), total),
                weights,
            )
    for term in parsed.exact_terms:
        add("exact", term, EXACT_BOOST)
    if parsed.unaccented_terms:
        vocabulary = view.derived("vocabulary", lambda: Vocabulary(view.reader))
        for folded in parsed.unaccented_terms:
            reading = vocabulary.likelier_reading(folded)
            if reading:
                add("exact", reading[0], EXACT_BOOST * reading[1])
    return list(seen.values())


def score(docs: set[int], contributions: Contributions) -> dict[int, float]:
    """Each of `docs` with its relevance score."""
    scores = dict.fromkeys(docs, 0.0)
    for factor, weights in contributions:
        if len(weights) < len(scores):
            for docnum, weight in weights.items():
                if docnum in scores:
                    scores[docnum] += factor * weight
        else:
            get = weights.get
            for docnum in scores:
                weight = get(docnum)
                if weight is not None:
                    scores[docnum] += factor * weight
    return scores
