"""Query-time synonym groups (abbreviations, English ↔ Vietnamese domain terms) loaded from a data
file such as `seed/search_synonyms.txt`: one group per line, comma-separated, `#` starts a comment.
"""

from collections.abc import Iterable
from os import PathLike

from .analysis import fold, tokens

__all__ = ["Synonyms"]


class Synonyms:
    """Equivalent terms, each stored as a tuple of folded syllables.

    Matching is on folded syllables so that an accented and an unaccented query expand
    identically (full recall does not depend on how the user typed).
    """

    def __init__(self, groups: Iterable[Iterable[str]] = ()):
        self._groups: list[tuple[tuple[str, ...], ...]] = []
        self._group_of: dict[tuple[str, ...], int] = {}
        for group in groups:
            members = []
            for term in group:
                key = tuple(fold(t) for t in tokens(term))
                if key and key not in members:
                    members.append(key)
            if len(members) < 2:
                continue
            index = len(self._groups)
            self._groups.append(tuple(members))
            for key in members:
                # A term listed in two groups keeps its first group: later lines cannot silently
                # widen an earlier, more specific line.
                self._group_of.setdefault(key, index)
        self.max_length = max((len(k) for k in self._group_of), default=0)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> "Synonyms":
        groups = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.split("#", 1)[0].strip()
                if line:
                    groups.append([term.strip() for term in line.split(",") if term.strip()])
        return cls(groups)

    def __len__(self) -> int:
        return len(self._groups)

    def alternatives(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Other members of the group containing `key` (folded syllables), or ()."""
        index = self._group_of.get(key)
        if index is None:
            return ()
        return tuple(member for member in self._groups[index] if member != key)

    def find(self, folded: list[str], start: int) -> tuple[int, tuple[tuple[str, ...], ...]]:
        """Longest synonym term starting at `folded[start]`: (length, alternatives) or (0, ())."""
        for length in range(min(self.max_length, len(folded) - start), 0, -1):
            alternatives = self.alternatives(tuple(folded[start : start + length]))
            if alternatives:
                return length, alternatives
        return 0, ()
