"""Spelling correction shared by the backends' "did you mean": which indexed syllable a typed one
most likely meant, and when to look for one."""

from collections.abc import Iterable

__all__ = ["SUGGEST_BELOW", "best_correction", "edit_distance", "max_distance"]

# A query finding fewer documents than this gets a "did you mean", and a typed syllable found in
# fewer documents than this may be corrected.
SUGGEST_BELOW = 3


def max_distance(term: str) -> int:
    return 1 if len(term) <= 4 else 2


def best_correction(term: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """Among (syllable, document frequency) `candidates` sharing the first letter of `term`, in
    sorted order, the most frequent one within `max_distance(term)` edits (the first on ties)."""
    limit = max_distance(term)
    best: tuple[int, int, str] | None = None
    for candidate, df in candidates:
        if candidate == term or abs(len(candidate) - len(term)) > limit:
            continue
        distance = edit_distance(term, candidate, limit)
        if distance <= limit and (best is None or (distance, -df) < best[:2]):
            best = (distance, -df, candidate)
    return best[2] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (transpositions count 1), capped at limit + 1."""
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
