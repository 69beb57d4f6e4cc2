"""Query-time synonyms (abbreviations, everyday words, English ↔ Vietnamese domain terms) loaded
from a data file such as `seed/search_synonyms.txt`, one rule per line, `#` starts a comment:

- `a, b, c` — a group: each term also matches the others;
- `a, b => c, d` — one way: a query for `a` or `b` also matches `c` and `d`, not the reverse (for
  an everyday word such as "rác" whose documents would be noise for the official term).
"""

from collections.abc import Iterable
from os import PathLike

from .analysis import fold, tokens

__all__ = ["Synonyms"]

ONE_WAY = "=>"

Key = tuple[str, ...]


def _keys(terms: Iterable[str]) -> list[Key]:
    keys: list[Key] = []
    for term in terms:
        key = tuple(fold(t) for t in tokens(term))
        if key and key not in keys:
            keys.append(key)
    return keys


class Synonyms:
    """Terms and what else they match, each stored as a tuple of folded syllables.

    Matching is on folded syllables so that an accented and an unaccented query expand
    identically (full recall does not depend on how the user typed).
    """

    def __init__(self, rules: Iterable[tuple[Iterable[str], Iterable[str]]] = ()):
        """`rules`: (terms, also matched) pairs in file order; a group is a pair of one list."""
        self._alternatives: dict[Key, tuple[Key, ...]] = {}
        self._count = 0
        for terms, matched in rules:
            sources, targets = _keys(terms), _keys(matched)
            if len(set(sources) | set(targets)) < 2:
                continue
            self._count += 1
            for key in sources:
                # A term listed in two rules keeps its first: later lines cannot silently widen
                # an earlier, more specific line.
                self._alternatives.setdefault(key, tuple(t for t in targets if t != key))
        self.max_length = max((len(k) for k in self._alternatives), default=0)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> "Synonyms":
        rules = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                terms, one_way, matched = line.partition(ONE_WAY)
                sources = [term.strip() for term in terms.split(",") if term.strip()]
                targets = [term.strip() for term in matched.split(",") if term.strip()]
                rules.append((sources, targets if one_way else sources))
        return cls(rules)

    def __len__(self) -> int:
        return self._count

    def alternatives(self, key: Key) -> tuple[Key, ...]:
        """What else `key` (folded syllables) matches, or ()."""
        return self._alternatives.get(key, ())

    def find(self, folded: list[str], start: int) -> tuple[int, tuple[Key, ...]]:
        """Longest synonym term starting at `folded[start]`: (length, alternatives) or (0, ())."""
        for length in range(min(self.max_length, len(folded) - start), 0, -1):
            alternatives = self.alternatives(tuple(folded[start : start + length]))
            if alternatives:
                return length, alternatives
        return 0, ()
