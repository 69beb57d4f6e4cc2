"""Typos, shared by the backends: which indexed syllable a typed one most likely meant, judged by
its neighbours in the query, for typo-tolerant matching and for "did you mean".

Like Meilisearch, a word may be a typo only if it is long enough, and typo matches rank below
exact ones. Vietnamese is written in syllables of at most seven letters, so the lengths count the
folded letters of a syllable: one edit from three letters, two from six (Meilisearch: five and
nine letters of a word); the neighbours keep short syllables from being "corrected" at random.
An edit is an insertion, deletion, substitution or transposition, the first letter included.

A typed syllable is taken as meant when the index has it next to its typed neighbours, or has it
often when it stands alone. Otherwise the candidate that most often sits next to those neighbours
(then the nearest, then the most frequent) is its correction; a syllable the index lacks matches
its correction's documents (see `Typos.apply`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from .query import Alternative, Clause, ParsedQuery, rebuild_query

__all__ = [
    "SUGGEST_BELOW",
    "TYPO_FACTOR",
    "NO_TYPOS",
    "Lexicon",
    "Neighbours",
    "Typos",
    "deletions",
    "edit_distance",
    "find_typos",
    "typo_distance",
]

# A query finding fewer documents than this may get a "did you mean", and a syllable found in at
# least this many documents, or next to its neighbour in that many, is taken as meant.
SUGGEST_BELOW = 3
# How much a syllable matched through its correction counts against one typed right.
TYPO_FACTOR = 0.5


def typo_distance(term: str) -> int:
    """How many edits a typed (folded) syllable of this length may contain."""
    return 0 if len(term) < 3 else 1 if len(term) < 6 else 2


class Lexicon(Protocol):
    """What a backend tells about its index, for folded syllables."""

    def frequency(self, term: str) -> int:
        """Documents containing `term`."""

    def pair_frequency(self, first: str, second: str) -> int:
        """Documents containing `first` immediately followed by `second`, counted up to
        SUGGEST_BELOW (more makes no difference)."""

    def near(self, term: str, distance: int) -> Iterable[tuple[str, int]]:
        """Indexed syllables (other than `term`) within `distance` edits, with their document
        frequency; a superset is fine (they are checked with edit_distance)."""

    def spellings(self, term: str) -> list[str]:
        """How documents spell a folded syllable, the most frequent spelling first."""

    def spelt_pair_frequency(self, first: str, second: str) -> int:
        """Documents with both spellings and their folded forms adjacent, counted up to
        SUGGEST_BELOW."""


@dataclass(frozen=True)
class Typos:
    """Corrections of a query's plain syllables: index into `ParsedQuery.plain` → folded."""

    corrections: dict[int, str]
    # The corrected syllables the index lacks entirely: they match through their correction.
    missing: frozenset[int]

    def apply(self, parsed: ParsedQuery) -> ParsedQuery:
        """`parsed` where each missing syllable also matches its correction (typo alternatives
        score TYPO_FACTOR of a typed match)."""
        replaced = {parsed.plain[i][1]: self.corrections[i] for i in self.missing}
        if not replaced:
            return parsed

        def corrected(bigram: str) -> str:
            first, _, second = bigram.partition("_")
            return f"{replaced.get(first, first)}_{replaced.get(second, second)}"

        def widened(clause: Clause) -> Clause:
            extra = []
            for alternative in clause.alternatives:
                if alternative.mode == "all" and replaced.keys() & set(alternative.syllables):
                    syllables = tuple(replaced.get(s, s) for s in alternative.syllables)
                    units = tuple(
                        (replaced.get(a, a), replaced.get(b, b)) for a, b in alternative.units
                    )
                    extra.append(Alternative("all", syllables, units, typo=True))
            return Clause(clause.alternatives + tuple(extra)) if extra else clause

        return replace(
            parsed,
            clauses=[widened(c) for c in parsed.clauses],
            bigrams=list(dict.fromkeys(parsed.bigrams + [corrected(b) for b in parsed.bigrams])),
            highlight=parsed.highlight | set(replaced.values()),
        )

    def suggestion(self, parsed: ParsedQuery, lexicon: "Lexicon") -> str | None:
        """The query as typed with its corrections, or None when there are none. When the user
        typed diacritics, a correction is spelt as documents spell it next to the typed
        neighbours ("tràn dầu", not the commoner "đầu"), else as most documents do."""
        if not self.corrections:
            return None
        shown = dict(self.corrections)
        if parsed.exact_terms:
            typed = [word for word, _ in parsed.plain]
            for index, folded in self.corrections.items():
                spellings = lexicon.spellings(folded) or [folded]
                before = typed[index - 1] if index else None
                after = typed[index + 1] if index + 1 < len(typed) else None

                def fit(spelling: str, before=before, after=after) -> int:
                    left = lexicon.spelt_pair_frequency(before, spelling) if before else 0
                    return left + (lexicon.spelt_pair_frequency(spelling, after) if after else 0)

                shown[index] = max(spellings, key=fit)  # the most frequent of the best fits
        return rebuild_query(parsed, shown)


NO_TYPOS = Typos({}, frozenset())
# Queries of more plain syllables are not checked for typos.
MAX_CHECKED = 6


def find_typos(parsed: ParsedQuery, lexicon: Lexicon) -> Typos:
    """The likely typos among the plain syllables of `parsed` and their corrections."""
    if len(parsed.plain) > MAX_CHECKED:
        return NO_TYPOS
    plain = [folded for _, folded in parsed.plain]
    corrections: dict[int, str] = {}
    missing = set()
    for index, term in enumerate(plain):
        limit = typo_distance(term)
        if not limit or not term.isalpha():
            continue
        before = plain[index - 1] if index else None
        after = plain[index + 1] if index + 1 < len(plain) else None

        def context(candidate: str, before=before, after=after) -> int:
            """How often `candidate` sits next to the typed neighbours (each capped)."""
            left = lexicon.pair_frequency(before, candidate) if before else 0
            return left + (lexicon.pair_frequency(candidate, after) if after else 0)

        neighbours = before is not None or after is not None
        frequency = lexicon.frequency(term)
        own = context(term) if neighbours and frequency else 0
        if own or (frequency >= SUGGEST_BELOW and not neighbours):
            continue
        best = None
        for candidate, candidate_frequency in lexicon.near(term, limit):
            distance = edit_distance(term, candidate, limit)
            if candidate == term or distance > limit:
                continue
            fit = context(candidate) if neighbours else 0
            key = (-fit, distance, -candidate_frequency, candidate)
            if best is None or key < best[0]:
                best = (key, candidate)
        if best is None:
            continue
        (fit, _, candidate_frequency, _), candidate = best
        # A syllable the index has is corrected only towards a clearly likelier one: one that
        # often sits next to the typed neighbours, or (alone) is ten times as frequent.
        # One the index lacks, towards one that sits next to a neighbour at least once.
        if frequency:
            fits = -fit >= SUGGEST_BELOW if neighbours else -candidate_frequency > 10 * frequency
        else:
            fits = -fit > 0 or not neighbours
        if not fits:
            continue
        corrections[index] = candidate
        if not frequency:
            missing.add(index)
    return Typos(corrections, frozenset(missing))


class Neighbours:
    """Finds the syllables of a vocabulary that may be a few edits from a given one: through a
    symmetric-delete index for one edit (built on first use), by length for more."""

    def __init__(self, vocabulary: Iterable[str]):
        self._terms = list(vocabulary)
        self._by_deletion: dict[str, list[str]] | None = None

    def near(self, term: str, distance: int) -> set[str]:
        """The vocabulary's syllables that may be within `distance` edits of `term` (a
        superset), `term` left out."""
        if distance > 1:  # six letters or more: every syllable of a close length
            return {t for t in self._terms if abs(len(t) - len(term)) <= distance and t != term}
        if self._by_deletion is None:
            self._by_deletion = {}
            for t in self._terms:
                for key in deletions(t):
                    self._by_deletion.setdefault(key, []).append(t)
        found = set()
        for key in deletions(term):
            found.update(self._by_deletion.get(key, ()))
        found.discard(term)
        return found


def deletions(term: str, distance: int = 1) -> set[str]:
    """`term` with up to `distance` letters left out (itself included): two words within
    `distance` edits share one (the symmetric-delete method of SymSpell)."""
    found = {term}
    frontier = {term}
    for _ in range(distance):
        frontier = {word[:i] + word[i + 1 :] for word in frontier for i in range(len(word))}
        found |= frontier
    return found


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (transpositions count 1), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
