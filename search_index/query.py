"""Turn any user-typed string into a structured query without ever failing.

Supported syntax: words (AND), "quoted phrases" (adjacent syllables), `-word` / `NOT word`
(exclude), `a OR b`, `prefix*`. The last word, while it may still be being typed, also matches
as a prefix ("tái ch" finds "tái chế"). Everything else (unbalanced quotes, `:`, control characters,
emoji) is treated as separators. Whoosh's query language is deliberately not used.
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from itertools import pairwise

from .analysis import MAX_TOKEN_LENGTH, fold, is_accented, normalize, tokens
from .synonyms import Synonyms
from .words import Words

__all__ = ["Alternative", "Clause", "ParsedQuery", "parse_query", "typed_words"]

# A 5,000-character paste should cost no more than a long sentence.
MAX_QUERY_CHARS = 512
MAX_TERMS = 24
# One-letter prefixes expand to much of the lexicon: they are matched as plain terms instead,
# unless a syllable comes just before ("màng l*": "màng" followed by a word starting with "l").
MIN_PREFIX_LENGTH = 2
# A prefix matches the documents of its first indexed completions (in code point order) only.
MAX_PREFIX_EXPANSION = 64

_ITEM_RE = re.compile(r"(?P<neg>(?<![^\s(])-)?(?P<word>[^\W_]+)(?P<star>\*)?")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a clause: "all" syllables anywhere, an adjacent "phrase", a "prefix".

    `units` must appear adjacent too, unless the query is `relaxed()`: in an "all" alternative
    the pairs of its syllables that form a known word (see words.py); in a "prefix" one, the
    syllable typed just before and the prefix ("sinh kh*": "sinh" then a word "kh…")."""

    mode: str
    syllables: tuple[str, ...]
    units: tuple[tuple[str, str], ...] = ()
    # Added for a typed syllable the index lacks, with its correction (see spelling.py).
    typo: bool = False


@dataclass(frozen=True)
class Clause:
    """A required (or excluded) part of the query; matched when any alternative matches."""

    alternatives: tuple[Alternative, ...]


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    # Folded "a_b" terms for adjacent typed syllables: they only add score.
    bigrams: list[str] = field(default_factory=list)
    # (syllable, prefix) for a syllable typed just before a prefix ("sinh kh*"): documents where
    # a completion of the prefix follows the syllable score higher.
    prefix_pairs: list[tuple[str, str]] = field(default_factory=list)
    # In a query with diacritics, every syllable as typed: matching it exactly adds score.
    exact_terms: list[str] = field(default_factory=list)
    # In a query without any, the folded syllables: their likelier reading scores higher.
    unaccented_terms: list[str] = field(default_factory=list)
    # Folded syllables to mark in results; "xyz*" marks words starting with "xyz".
    highlight: set[str] = field(default_factory=set)
    # Plain (typed, folded) terms that "did you mean" may correct, and a template to rebuild the
    # query string around corrections: each entry is a literal string or an index into `plain`.
    plain: list[tuple[str, str]] = field(default_factory=list)
    template: list[str | int] = field(default_factory=list)
    is_blank: bool = False

    @property
    def matches_nothing(self) -> bool:
        return not self.clauses and not self.is_blank

    @property
    def has_units(self) -> bool:
        return any(a.units for c in self.clauses for a in c.alternatives)

    def relaxed(self) -> "ParsedQuery":
        """This query with the syllables of known words allowed anywhere (the fallback when
        the strict form finds nothing)."""

        def loose(clause: Clause) -> Clause:
            return Clause(tuple(replace(a, units=()) for a in clause.alternatives))

        return replace(self, clauses=[loose(c) for c in self.clauses])


@dataclass
class _Item:
    kind: str  # "term", "phrase" or "op"
    text: str = ""
    syllables: tuple[str, ...] = ()
    negated: bool = False
    star: bool = False  # typed with a trailing "*"
    prefix: bool = False


def _scan(text: str) -> list[_Item]:
    items: list[_Item] = []
    parts = text.split('"')
    closed = len(parts) % 2 == 1
    for index, part in enumerate(parts):
        quoted = index % 2 == 1 and (closed or index < len(parts) - 1)
        if quoted:
            syllables = tuple(tokens(part))
            if syllables:
                items.append(_Item("phrase", syllables=syllables))
            continue
        for match in _ITEM_RE.finditer(part):
            word = match.group("word")
            if word in _OPERATORS:
                items.append(_Item("op", text=word))
            elif len(word) <= MAX_TOKEN_LENGTH:
                token = normalize(word)
                items.append(
                    _Item(
                        "term",
                        text=token,
                        syllables=(token,),
                        negated=bool(match.group("neg")),
                        star=bool(match.group("star")),
                        prefix=bool(match.group("star")) and len(fold(token)) >= MIN_PREFIX_LENGTH,
                    )
                )
        if len(items) > MAX_TERMS * 2:
            break
    return items


def parse_query(
    query: str, synonyms: Synonyms | None = None, words: Words | None = None
) -> ParsedQuery:
    """Parse `query`; never raises for any string. Adjacent plain syllables forming one of
    `words` become one clause whose syllables must appear together (`Alternative.units`)."""
    if not isinstance(query, str):
        query = "" if query is None else str(query)
    text = unicodedata.normalize("NFC", query[:MAX_QUERY_CHARS]).translate(_QUOTES)
    parsed = ParsedQuery(is_blank=not text.strip())
    items = _scan(text)
    synonyms = synonyms or Synonyms()
    words = words or Words()

    negate_next = or_next = False
    previous_plain: str | None = None
    open_word: tuple[str | None, str] | None = None  # (syllable before, last word) if open
    spelt: list[str] = []  # syllables as typed, but prefixes
    i = 0
    term_count = 0
    while i < len(items) and term_count < MAX_TERMS:
        item = items[i]
        if item.kind == "op":
            negate_next = negate_next or item.text == "NOT"
            or_next = item.text == "OR" and bool(parsed.clauses)
            previous_plain = None
            open_word = None
            i += 1
            continue
        negated = item.negated or negate_next
        follows = previous_plain if not negated else None  # the syllable just before
        if item.star and follows is not None:
            item.prefix = True
        folded = tuple(fold(s) for s in item.syllables)
        consumed = 1
        if item.kind == "phrase":
            clause = Clause((Alternative("phrase", folded),))
            parsed.template.append('"' + " ".join(item.syllables) + '"')
        elif item.prefix:
            # After a syllable, strictly: that syllable followed by a completion ("sinh kh*").
            units = ((follows, folded[0]),) if follows is not None else ()
            clause = Clause((Alternative("prefix", folded, units),))
            parsed.template.append(item.text + "*")
        else:
            run = [fold(item.text)]
            for follower in items[i + 1 :]:
                if negated or follower.kind != "term" or follower.negated or follower.star:
                    break
                run.append(fold(follower.text))
            length, alternatives = (0, ()) if negated else synonyms.find(run, 0)
            if not length:
                length = 1
                while length < len(run) and words.joins(run[length - 1], run[length]):
                    length += 1
            consumed = length
            span = tuple(run[:consumed])
            units = tuple(pair for pair in pairwise(span) if words.joins(*pair))
            clause = Clause(
                (Alternative("all", span, units),)
                + tuple(Alternative("phrase", a) for a in alternatives)
            )
            for offset in range(consumed):
                typed = items[i + offset].text
                parsed.template.append("-" + typed if negated else len(parsed.plain))
                if not negated:
                    parsed.plain.append((typed, fold(typed)))
        if negated:
            parsed.excluded.append(clause)
            previous_plain = open_word = None
        else:
            if or_next and parsed.clauses:
                merged = parsed.clauses[-1].alternatives + clause.alternatives
                parsed.clauses[-1] = Clause(merged)
                parsed.template.insert(len(parsed.template) - consumed, "OR")
            else:
                parsed.clauses.append(clause)
            typed_syllables = (
                item.syllables
                if item.kind == "phrase"
                else tuple(items[i + k].text for k in range(consumed))
            )
            if not item.prefix:
                spelt.extend(typed_syllables)
            for alternative in clause.alternatives:
                if alternative.mode == "prefix":
                    parsed.highlight.add(alternative.syllables[0] + "*")
                else:
                    parsed.highlight.update(alternative.syllables)
            folded_typed = [fold(s) for s in typed_syllables]
            if item.kind == "term" and previous_plain is not None:
                if item.prefix:
                    parsed.prefix_pairs.append((previous_plain, folded_typed[0]))
                else:
                    parsed.bigrams.append(f"{previous_plain}_{folded_typed[0]}")
            parsed.bigrams.extend(f"{a}_{b}" for a, b in pairwise(folded_typed))
            is_plain = item.kind == "term" and not item.prefix
            open_word = (previous_plain, folded_typed[0]) if is_plain and consumed == 1 else None
            previous_plain = folded_typed[-1] if is_plain else None
        negate_next = or_next = False
        term_count += consumed
        i += consumed
    if open_word and i == len(items) and not text[-1:].isspace():
        _open_last_word(parsed, *open_word)
    parsed.bigrams = list(dict.fromkeys(parsed.bigrams))
    spelt = list(dict.fromkeys(spelt))
    if any(map(is_accented, spelt)):
        parsed.exact_terms = spelt
    else:
        parsed.unaccented_terms = spelt
    return parsed


def _open_last_word(parsed: ParsedQuery, before: str | None, word: str) -> None:
    """Let the last clause, a word typed on its own (not part of a known word with the one
    before it), also match as a prefix, as `word*` typed after `before` would: search as you
    type. Whole-word matches score the word itself besides the prefix, so they rank first."""
    if len(word) < MIN_PREFIX_LENGTH and before is None:
        return
    units = ((before, word),) if before is not None else ()
    clause = parsed.clauses[-1]
    parsed.clauses[-1] = Clause((*clause.alternatives, Alternative("prefix", (word,), units)))
    if before is not None:
        parsed.prefix_pairs.append((before, word))
    parsed.highlight.add(word + "*")


def rebuild_query(parsed: ParsedQuery, corrections: dict[int, str]) -> str:
    """The query string with plain terms replaced by `corrections` (index into `parsed.plain`)."""
    words = []
    for part in parsed.template:
        if isinstance(part, int):
            words.append(corrections.get(part, parsed.plain[part][0]))
        else:
            words.append(part)
    return " ".join(words)


def typed_words(prefix: str) -> list[str]:
    """The folded syllables of what is being typed (at most 8)."""
    return [fold(t) for t in tokens(prefix[:200])][:8]
