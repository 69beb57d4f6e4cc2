"""PostgreSQL implementation of the search backend, in the application's own database: the
tables of postgres_schema.py, created on first use; queries parsed by query.py and compiled to
tsquery; ts_rank with the Whoosh backend's boosts and idf; facet and kind counts in one grouped
query; "did you mean" from the syllable table through pg_trgm.

Every write takes the `search_state` row lock first (apply() waits `lock_timeout` for it, then
raises IndexLocked), so writes are serialised and a rebuild is one transaction that readers see
whole or not at all.
"""

import math
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from .analysis import fold
from .backend import (
    MAX_PER_PAGE,
    Hit,
    IndexLocked,
    ResultCache,
    SearchBackend,
    SearchResult,
    as_list,
    key_of,
    search_arguments,
)
from .highlight import hit_highlights
from .postgres_schema import (
    FACET_SEPARATOR,
    INSERT,
    TABLES,
    clean,
    documents,
    facet_value,
    lexeme,
    metadata,
    prepare_row,
    state,
    terms,
)
from .query import (
    MAX_PREFIX_EXPANSION,
    MIN_PREFIX_LENGTH,
    Alternative,
    ParsedQuery,
    parse_query,
    typed_words,
)
from .spelling import SUGGEST_BELOW, TYPO_FACTOR, find_typos, likelier_reading
from .synonyms import Synonyms
from .words import Words

__all__ = ["TABLES", "PostgresBackend"]

# How much a syllable counts in a name (A), an English name (B), keywords (C) and a description
# (D): about as the Whoosh backend's saturated BM25F weights compare. ts_rank saturates repeated
# syllables as BM25 does; TITLE_WEIGHTS count names only.
WEIGHTS = "'{0.75, 0.85, 0.9, 1.0}'::real[]"  # ts_rank's order: D, C, B, A
TITLE_WEIGHTS = "'{0, 0, 1.0, 1.0}'::real[]"
# Score multipliers, as in whoosh_scoring: a name match (on the Whoosh scale, half a matched
# syllable), adjacent syllables (1.0 in a name, OTHER_PAIR elsewhere, however often), accents as
# typed. ts_rank scores one syllable in a name 1/1.645: RANK_SCALE puts an adjacent pair in a
# name on the same scale.
TITLE_BOOST = 0.75
BIGRAM_BOOST = 1.5
EXACT_BOOST = 3.0
OTHER_PAIR = 0.8
RANK_SCALE = 1 / 1.64493
# Trigram similarity a syllable of four letters or more a typo away always reaches.
TRIGRAM_THRESHOLD = 0.07
# pg_advisory_xact_lock key taken while the tables are created.
SCHEMA_LOCK = 0x5E_A2C4


def _idf(df: int, total: int) -> float:
    return math.log(1.0 + (total - df + 0.5) / (df + 0.5))


class _Compiled:
    """A parsed query compiled to tsquery text, with what ranking needs to know of its terms."""

    def __init__(self, parsed: ParsedQuery, expansions: dict[str, list[str]]):
        self.parsed = parsed
        self.expansions = expansions
        self.clauses = [self._clause(c.alternatives) for c in parsed.clauses]
        self.excluded = [self._clause(c.alternatives) for c in parsed.excluded]

    def _alternative(self, alternative: Alternative) -> str | None:
        syllables = alternative.syllables
        if alternative.mode == "prefix":
            if alternative.units:
                ((first, start),) = alternative.units
                return f"({lexeme(first)} <-> {lexeme(start)}:*)"
            found = self.expansions.get(syllables[0])
            return "(" + " | ".join(map(lexeme, found)) + ")" if found else None
        joiner = " <-> " if alternative.mode == "phrase" else " & "
        units = [f"{lexeme(a)} <-> {lexeme(b)}" for a, b in alternative.units]
        return "(" + " & ".join([joiner.join(map(lexeme, syllables)), *units]) + ")"

    def _clause(self, alternatives: tuple[Alternative, ...]) -> str | None:
        parts = [p for p in map(self._alternative, alternatives) if p]
        return "(" + " | ".join(parts) + ")" if parts else None

    def all_of(self) -> str | None:
        """Every clause and no excluded one; None when nothing can match."""
        if not self.clauses or None in self.clauses:
            return None
        excluded = [f"!{c}" for c in self.excluded if c]
        return " & ".join(self.clauses + excluded)

    def any_of(self) -> str | None:
        found = [c for c in self.clauses if c]
        return " | ".join(found) if found else None


class _Lexicon:
    """spelling.Lexicon over the tables, on one connection."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection

    def frequency(self, term: str) -> int:
        found = self.connection.scalar(
            sa.select(terms.c.df).where(terms.c.field == "f", terms.c.term == term)
        )
        return found or 0

    def _count_upto(self, where: str, params: dict) -> int:
        return self.connection.scalar(
            sa.text(
                f"SELECT count(*) FROM (SELECT 1 FROM search_document WHERE {where}"
                f" LIMIT {SUGGEST_BELOW}) AS found"
            ),
            params,
        )

    def pair_frequency(self, first: str, second: str) -> int:
        pair = f"{lexeme(first)} <-> {lexeme(second)}"
        return self._count_upto("fold @@ CAST(:pair AS tsquery)", {"pair": pair})

    def near(self, term: str, distance: int) -> list[tuple[str, int]]:
        """Candidates of a close length sharing a few trigrams with `term`, as every syllable
        of four letters or more a typo away does; a three-letter one may share none ("osn",
        "son"), so for those every syllable of a close length is a candidate."""
        self.connection.execute(
            sa.text(f"SET LOCAL pg_trgm.similarity_threshold = {TRIGRAM_THRESHOLD}")
        )
        shares_trigrams = terms.c.term.op("%")(term) if len(term) > 3 else sa.true()
        return self.connection.execute(
            sa.select(terms.c.term, terms.c.df).where(
                terms.c.field == "f",
                terms.c.df > 0,
                terms.c.term != term,
                shares_trigrams,
                sa.func.length(terms.c.term).between(len(term) - distance, len(term) + distance),
            )
        ).all()

    def spellings(self, term: str) -> list[str]:
        return list(
            self.connection.scalars(
                sa.select(terms.c.term)
                .where(terms.c.field == "e", terms.c.folded == term, terms.c.df > 0)
                .order_by(terms.c.df.desc(), terms.c.term)
            )
        )

    def spelt_pair_frequency(self, first: str, second: str) -> int:
        return self._count_upto(
            "fold @@ CAST(:pair AS tsquery) AND exact @@ CAST(:both AS tsquery)",
            {
                "pair": f"{lexeme(fold(first))} <-> {lexeme(fold(second))}",
                "both": f"{lexeme(first)} & {lexeme(second)}",
            },
        )


class PostgresBackend(SearchBackend):
    """Search in PostgreSQL tables beside the application's own (see the module docstring)."""

    def __init__(
        self,
        engine_or_url: sa.Engine | str,
        synonyms: Synonyms | None = None,
        words: Words | None = None,
        cache: bool = True,
        cache_size: int = 256,
    ):
        self._owns_engine = isinstance(engine_or_url, str)
        self.engine = (
            sa.create_engine(engine_or_url, pool_pre_ping=True)
            if self._owns_engine
            else engine_or_url
        )
        if self.engine.dialect.name != "postgresql":
            raise ValueError(
                f"PostgresBackend needs a PostgreSQL database, not {self.engine.dialect.name}"
            )
        self.synonyms = synonyms or Synonyms()
        self.words = words or Words.bundled()
        self._results = ResultCache(cache_size if cache else 0)
        self._ready = False

    # the tables

    def _ensure_tables(self) -> None:
        if self._ready:
            return
        with self.engine.begin() as connection:
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(SCHEMA_LOCK)))
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            metadata.create_all(connection, checkfirst=True)
            # Looked up first: inserting would wait for a writer holding the row.
            if connection.scalar(sa.select(state.c.id).where(state.c.id == 1)) is None:
                connection.execute(
                    pg_insert(state)
                    .values(id=1, token=secrets.token_hex(4), generation=0, documents=0)
                    .on_conflict_do_nothing()
                )
        self._ready = True

    def close(self) -> None:
        self._results.clear()
        self._ready = False
        if self._owns_engine:
            self.engine.dispose()

    def drop_tables(self) -> None:
        """Remove the index's tables (tests; the next call creates them again)."""
        with self.engine.begin() as connection:
            metadata.drop_all(connection, checkfirst=True)
        self.close()

    # writing

    def _begin_write(self, connection: sa.Connection, lock_timeout: float) -> None:
        """Take the write lock (the state row), waiting at most `lock_timeout` seconds."""
        milliseconds = max(1, int(lock_timeout * 1000))
        connection.execute(sa.text(f"SET LOCAL lock_timeout = {milliseconds}"))
        try:
            connection.execute(
                sa.update(state).where(state.c.id == 1).values(generation=state.c.generation + 1)
            )
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) == "55P03":  # lock_not_available
                raise IndexLocked("search index is being written by another process") from None
            raise
        connection.execute(sa.text("SET LOCAL lock_timeout = 0"))

    @staticmethod
    def _insert(connection: sa.Connection, rows: list[dict]) -> None:
        if rows:
            connection.execute(
                INSERT, [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
            )

    @staticmethod
    def _add_frequencies(connection: sa.Connection, delta: Counter) -> None:
        changes = sorted((field, term, n) for (field, term), n in delta.items() if n)
        for start in range(0, len(changes), 1000):
            part = changes[start : start + 1000]
            insert = pg_insert(terms).values(
                [
                    {"field": f, "term": t, "folded": fold(t) if f == "e" else t, "df": n}
                    for f, t, n in part
                ]
            )
            unused = connection.execute(
                insert.on_conflict_do_update(
                    index_elements=[terms.c.field, terms.c.term],
                    set_={"df": terms.c.df + insert.excluded.df},
                ).returning(terms.c.field, terms.c.term, terms.c.df)
            ).all()
            unused = [(f, t) for f, t, df in unused if df <= 0]
            if unused:
                connection.execute(
                    sa.delete(terms).where(sa.tuple_(terms.c.field, terms.c.term).in_(unused))
                )

    def apply(
        self,
        upserts: list[dict],
        deletes: Iterable[str | tuple[str, int]] = (),
        lock_timeout: float = 5.0,
    ) -> None:
        delete_keys = {key_of(item) for item in deletes}
        prepared = {}
        for doc in upserts:
            row = prepare_row(doc)
            if row["key"] not in delete_keys:
                prepared[row["key"]] = row  # the last of two upserts of one document wins
        if not prepared and not delete_keys:
            return
        self._ensure_tables()
        with self.engine.begin() as connection:
            self._begin_write(connection, lock_timeout)
            removed = connection.execute(
                sa.delete(documents)
                .where(documents.c.key.in_(sorted(delete_keys | prepared.keys())))
                .returning(
                    sa.func.tsvector_to_array(documents.c.fold),
                    sa.func.tsvector_to_array(documents.c.exact),
                )
            ).all()
            delta: Counter = Counter()
            for folded, exact in removed:
                delta.subtract(("f", t) for t in folded)
                delta.subtract(("e", t) for t in exact)
            rows = list(prepared.values())
            for row in rows:
                delta.update(row["_terms"])
            self._insert(connection, rows)
            self._add_frequencies(connection, delta)
            connection.execute(
                sa.update(state)
                .where(state.c.id == 1)
                .values(documents=state.c.documents + len(rows) - len(removed))
            )

    def rebuild(
        self,
        documents_: Iterable[dict],
        progress: Callable[[int], None] | None = None,
        lock_timeout: float = 60.0,
    ) -> int:
        """Replace every document in one transaction: readers see the old index until it
        commits; concurrent apply() calls wait for it, then raise IndexLocked."""
        self._ensure_tables()
        seen: set[str] = set()
        count = 0
        frequencies: Counter = Counter()
        with self.engine.begin() as connection:
            self._begin_write(connection, lock_timeout)
            connection.execute(sa.delete(documents))
            connection.execute(sa.delete(terms))
            batch: list[dict] = []
            for doc in documents_:
                row = prepare_row(doc)
                if row["key"] in seen:
                    raise ValueError(f"duplicate document key {row['key']!r} in rebuild")
                seen.add(row["key"])
                frequencies.update(row["_terms"])
                batch.append(row)
                count += 1
                if len(batch) == 500:
                    self._insert(connection, batch)
                    batch = []
                if progress and count % 500 == 0:
                    progress(count)
            self._insert(connection, batch)
            self._add_frequencies(connection, frequencies)
            connection.execute(sa.update(state).where(state.c.id == 1).values(documents=count))
            if progress:
                progress(count)
        return count

    # reading

    def _read(self) -> sa.Connection:
        """A connection reading one snapshot (every statement of a search sees the same index)."""
        self._ensure_tables()
        return self.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )

    @staticmethod
    def _state(connection: sa.Connection) -> tuple[str, int]:
        token, generation, count = connection.execute(
            sa.select(state.c.token, state.c.generation, state.c.documents).where(state.c.id == 1)
        ).one()
        return f"{token}:{generation}", count

    def generation(self) -> str:
        # One statement: no snapshot to hold, so none of _read's isolation round trips (this is
        # read on every page a worker serves from its page cache).
        self._ensure_tables()
        with self.engine.connect() as connection:
            return self._state(connection)[0]

    def doc_ids(self) -> set[str]:
        with self._read() as connection:
            return set(connection.scalars(sa.select(documents.c.key)))

    def digests(self) -> dict[str, str | None]:
        with self._read() as connection:
            return dict(connection.execute(sa.select(documents.c.key, documents.c.digest)).all())

    def _parse(self, query: str) -> ParsedQuery:
        return parse_query(query, self.synonyms, self.words)

    @staticmethod
    def _matches_any(connection: sa.Connection, matching: str) -> bool:
        exists = "SELECT EXISTS (SELECT 1 FROM search_document WHERE fold @@ CAST(:m AS tsquery))"
        return connection.scalar(sa.text(exists), {"m": matching})

    def _compile(self, connection: sa.Connection, parsed: ParsedQuery) -> _Compiled:
        expansions = {}
        for clause in parsed.clauses + parsed.excluded:
            for alternative in clause.alternatives:
                if alternative.mode == "prefix":
                    start = alternative.syllables[0]
                    expansions[start] = self._expand(connection, start)
        return _Compiled(parsed, expansions)

    @staticmethod
    def _expand(connection: sa.Connection, start: str) -> list[str]:
        """The first indexed folded syllables starting with `start`, in code point order."""
        upper = start[:-1] + chr(ord(start[-1]) + 1)
        return list(
            connection.scalars(
                sa.select(terms.c.term)
                .where(terms.c.field == "f", terms.c.term >= start, terms.c.term < upper)
                .order_by(terms.c.term)
                .limit(MAX_PREFIX_EXPANSION)
            )
        )

    @staticmethod
    def _frequencies(connection: sa.Connection, wanted: set[tuple[str, str]]) -> dict:
        if not wanted:
            return {}
        rows = connection.execute(
            sa.select(terms.c.field, terms.c.term, terms.c.df).where(
                sa.tuple_(terms.c.field, terms.c.term).in_(sorted(wanted))
            )
        ).all()
        return {(field, term): df for field, term, df in rows}

    def _score(self, connection: sa.Connection, compiled: _Compiled, total: int):
        """A SQL expression for a document's relevance, with its bound parameters."""
        parsed = compiled.parsed
        syllables: dict[str, float] = {}  # how much each counts (a typo's correction less)
        pairs: dict[tuple[str, str], None] = {}
        prefixes = []
        for clause in parsed.clauses:
            for alternative in clause.alternatives:
                if alternative.mode == "prefix":
                    found = compiled.expansions.get(alternative.syllables[0])
                    if found and len(alternative.syllables[0]) >= MIN_PREFIX_LENGTH:
                        prefixes.append(found)
                    continue
                weight = TYPO_FACTOR if alternative.typo else 1.0
                for syllable in alternative.syllables:
                    syllables[syllable] = max(weight, syllables.get(syllable, 0.0))
                if alternative.mode == "phrase":
                    pairs.update(dict.fromkeys(pairwise(alternative.syllables)))
        for bigram in parsed.bigrams:
            first, _, second = bigram.partition("_")
            pairs[(first, second)] = None
        wanted = {("f", s) for s in syllables} | {("e", t) for t in parsed.exact_terms}
        wanted |= {("f", t) for found in prefixes for t in found}
        df = self._frequencies(connection, wanted)
        total = max(total, 1)

        def idf(field: str, term: str) -> float:
            return _idf(df.get((field, term), 0), total)

        parts, params = [], {}

        def add(template: str, query: str, factor: float) -> None:
            name = f"q{len(params)}"
            params[name] = query
            parts.append(
                f"{factor!r}::float8 * " + template.replace("QUERY", f"CAST(:{name} AS tsquery)")
            )

        indexed = [s for s in syllables if df.get(("f", s))]
        for syllable in indexed:
            factor = syllables[syllable] * idf("f", syllable)
            add(f"ts_rank({WEIGHTS}, fold, QUERY)", lexeme(syllable), factor)
        # One call for all the names (and one for all the accents): ts_rank averages its terms'
        # scores, so their count times their mean idf stands for the sum of each idf-weighted.
        if indexed:
            query = " | ".join(map(lexeme, indexed))
            factor = TITLE_BOOST * sum(syllables[s] * idf("f", s) for s in indexed)
            add(f"ts_rank({TITLE_WEIGHTS}, fold, QUERY)", query, factor)
        exact = [t for t in parsed.exact_terms if df.get(("e", t))]
        if exact:
            factor = EXACT_BOOST * sum(idf("e", t) for t in exact)
            add(f"ts_rank({WEIGHTS}, exact, QUERY)", " | ".join(map(lexeme, exact)), factor)
        for reading, share, frequency in self._likelier_readings(connection, parsed):
            factor = EXACT_BOOST * share * _idf(frequency, total)
            add(f"ts_rank({WEIGHTS}, exact, QUERY)", lexeme(reading), factor)
        for found in prefixes:
            frequency = max(df.get(("f", t), 0) for t in found)
            query = " | ".join(map(lexeme, found))
            add(f"ts_rank({WEIGHTS}, fold, QUERY)", query, _idf(frequency, total))
        # (first syllable, what may follow it, that one's idf): typed pairs, and a syllable
        # followed by any completion of a prefix ("sinh kh*").
        adjacent = [
            (first, [second], idf("f", second))
            for first, second in pairs
            if df.get(("f", first)) and df.get(("f", second))
        ]
        for first, start in parsed.prefix_pairs:
            found = compiled.expansions.get(start)
            if df.get(("f", first)) and found:
                frequency = max(df.get(("f", t), 0) for t in found)
                adjacent.append((first, found, _idf(frequency, total)))
        for first, seconds, second_idf in adjacent:
            factor = BIGRAM_BOOST * RANK_SCALE * max(idf("f", first), second_idf)
            in_name, anywhere = f"q{len(params)}", f"q{len(params) + 1}"
            for name, label in ((in_name, ":AB"), (anywhere, "")):
                followers = " | ".join(lexeme(t) + label for t in seconds)
                params[name] = f"{lexeme(first)}{label} <-> ({followers})"
            parts.append(
                f"{factor!r}::float8 * (CASE WHEN fold @@ CAST(:{in_name} AS tsquery) "
                f"THEN 1.0 WHEN fold @@ CAST(:{anywhere} AS tsquery) THEN {OTHER_PAIR} "
                "ELSE 0.0 END)"
            )
        return (" + ".join(parts) if parts else "0.0::float8"), params

    @staticmethod
    def _likelier_readings(connection: sa.Connection, parsed: ParsedQuery) -> list:
        """(spelling, how much it counts, its document frequency) of the spelling to rank first
        of each unaccented syllable of `parsed` (see spelling.likelier_reading)."""
        if not parsed.unaccented_terms:
            return []
        rows = connection.execute(
            sa.select(terms.c.folded, terms.c.term, terms.c.df)
            .where(terms.c.field == "e", terms.c.folded.in_(parsed.unaccented_terms))
            .order_by(terms.c.folded, terms.c.df.desc(), terms.c.term)
        ).all()
        spellings: dict[str, list[tuple[str, int]]] = {}
        for folded, term, frequency in rows:
            if frequency > 0:
                spellings.setdefault(folded, []).append((term, frequency))
        readings = []
        for folded, found in spellings.items():
            spelling, share = likelier_reading(folded, found)
            readings.append((spelling, share, dict(found)[spelling]))
        return readings

    def relevance(self, query: str, kinds: Iterable[str] | None = None) -> dict[str, float]:
        parsed = self._parse(query if isinstance(query, str) else "").relaxed()
        with self._read() as connection:
            _, total = self._state(connection)
            compiled = self._compile(connection, parsed)
            matching = compiled.any_of()
            if matching is None:
                return {}
            score, params = self._score(connection, compiled, total)
            where = ["fold @@ CAST(:match AS tsquery)"]
            params["match"] = matching
            if kinds is not None:
                where.append("kind = ANY(:kinds)")
                params["kinds"] = [clean(str(k)) for k in as_list(kinds)]
            rows = connection.execute(
                sa.text(f"SELECT key, {score} FROM search_document WHERE {' AND '.join(where)}"),
                params,
            ).all()
            return dict(rows)

    def search(
        self,
        query: str,
        kinds: Iterable[str] | None = None,
        filters: dict[str, list[str]] | None = None,
        facets: Iterable[str] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult:
        arguments = search_arguments(query, kinds, filters, facets, sort, page, per_page)
        with self._read() as connection:
            generation, total = self._state(connection)
            key = (generation, *arguments)
            return self._results.fetch(key, lambda: self._search(connection, total, *arguments))

    def _search(
        self, connection, total, query, kinds, filters, facets, sort, page, per_page
    ) -> SearchResult:
        typed = self._parse(query)
        lexicon = _Lexicon(connection)
        typos = find_typos(typed, lexicon)
        parsed = typos.apply(typed)
        compiled = self._compile(connection, parsed)
        matching = None if parsed.is_blank else compiled.all_of()
        relaxed = parsed.has_units and (
            matching is None or not self._matches_any(connection, matching)
        )
        if relaxed:
            parsed = parsed.relaxed()
            compiled = self._compile(connection, parsed)
            matching = compiled.all_of()
        if matching is None and not parsed.is_blank:
            return SearchResult(
                total=0,
                hits=[],
                facet_counts={name: {} for name in facets},
                kind_counts={},
                page=page,
                per_page=per_page,
            )
        params: dict[str, Any] = {}
        match_sql = "TRUE"
        if matching is not None:
            match_sql = "fold @@ CAST(:match AS tsquery)"
            params["match"] = matching
        kind_sql = "TRUE"
        if kinds is not None:
            kind_sql = "kind = ANY(:kinds)"
            params["kinds"] = [clean(str(k)) for k in kinds]
        filter_sql = {}
        for index, (name, values) in enumerate(filters):
            params[f"f{index}"] = [facet_value(name, v) for v in values]
            filter_sql[name] = f"facets && CAST(:f{index} AS text[])"

        def all_filters(skip: str | None = None) -> str:
            return " AND ".join([sql for n, sql in filter_sql.items() if n != skip] or ["TRUE"])

        # One pass over the matching documents: how many match, how many pass every filter,
        # the kind counts (ignoring `kinds`) and the facet counts (each ignoring its own filter).
        flags = ", ".join(f"({sql}) AS f{i}" for i, sql in enumerate(filter_sql.values()))
        flag_of = {name: f"f{i}" for i, name in enumerate(filter_sql)}

        def flags_except(skip: str | None = None) -> str:
            return " AND ".join([f for n, f in flag_of.items() if n != skip] or ["TRUE"])

        facet_conditions = []
        for index, name in enumerate(facets):
            params[f"p{index}"] = facet_value(name, "")
            facet_conditions.append(
                f"(starts_with(value, :p{index}) AND k AND {flags_except(name)})"
            )
        statements = [
            "SELECT 0 AS part, '' AS label, count(*) AS n FROM m",
            f"SELECT 1, '', count(*) FROM m WHERE k AND {flags_except()}",
            f"SELECT 2, kind, count(*) FROM m WHERE {flags_except()} GROUP BY kind",
        ]
        if facet_conditions:
            statements.append(
                "SELECT 3, value, count(*) FROM m CROSS JOIN LATERAL unnest(m.facets) AS value "
                f"WHERE {' OR '.join(facet_conditions)} GROUP BY value"
            )
        counts = connection.execute(
            sa.text(
                f"WITH m AS MATERIALIZED (SELECT kind, facets, ({kind_sql}) AS k"
                f"{', ' + flags if flags else ''} FROM search_document WHERE {match_sql}) "
                + " UNION ALL ".join(statements)
            ),
            params,
        ).all()
        matched = final = 0
        kind_counts: dict[str, int] = {}
        facet_counts: dict[str, dict[str, int]] = {name: {} for name in facets}
        for part, label, n in counts:
            if part == 0:
                matched = n
            elif part == 1:
                final = n
            elif part == 2:
                kind_counts[label] = n
            else:
                name, _, value = label.partition(FACET_SEPARATOR)
                for facet in facets:
                    if clean(facet) == name:
                        facet_counts[facet][value] = n
        facet_counts = {
            name: dict(sorted(c.items(), key=lambda item: (-item[1], item[0])))
            for name, c in facet_counts.items()
        }
        kind_counts = {kind: kind_counts[kind] for kind in sorted(kind_counts)}

        score_sql, score_params = "0.0::float8", {}
        if sort == "newest" or (sort == "relevance" and parsed.is_blank):
            order = "updated DESC, kind, entity_id"
        elif sort == "closing":
            order = "closes, kind, entity_id"
        else:
            score_sql, score_params = self._score(connection, compiled, total)
            order = "score DESC, kind, entity_id"
        hits = []
        if final:
            rows = connection.execute(
                sa.text(
                    "SELECT kind, entity_id, title, title_en, keywords, body, body_en, stored, "
                    f"{score_sql} AS score FROM search_document "
                    f"WHERE {match_sql} AND {kind_sql} AND {all_filters()} "
                    f"ORDER BY {order} LIMIT :limit OFFSET :offset"
                ),
                {**params, **score_params, "limit": per_page, "offset": (page - 1) * per_page},
            ).mappings()
            terms_ = frozenset(parsed.highlight)
            hits = [
                Hit(
                    row["kind"],
                    row["entity_id"],
                    round(row["score"], 4),
                    hit_highlights(row, terms_),
                    row["stored"],
                )
                for row in rows
            ]
        suggestion = typos.offer(typed, lexicon, lambda q: self._count(connection, q))
        return SearchResult(
            total=final,
            hits=hits,
            facet_counts=facet_counts,
            kind_counts=kind_counts,
            suggestion=suggestion,
            relaxed=relaxed and matched > 0,
            page=page,
            per_page=per_page,
        )

    def _count(self, connection: sa.Connection, query: str) -> int:
        """How many documents `query` matches."""
        matching = self._compile(connection, self._parse(query)).all_of()
        if matching is None:
            return 0
        return connection.scalar(
            sa.text("SELECT count(*) FROM search_document WHERE fold @@ CAST(:q AS tsquery)"),
            {"q": matching},
        )

    def suggest(
        self, prefix: str, kinds: Iterable[str] | None = None, limit: int = 8
    ) -> list[dict[str, Any]]:
        words = typed_words(prefix) if isinstance(prefix, str) else []
        limit = min(limit, MAX_PER_PAGE)
        if not words or limit <= 0:
            return []
        last_is_prefix = not prefix[-1:].isspace()
        query = " & ".join(map(lexeme, words))
        if last_is_prefix:
            query += ":*"
        params = {"q": query, "typed": " ".join(words), "limit": limit}
        kind_sql = "TRUE"
        if kinds:
            kind_sql = "kind = ANY(:kinds)"
            params["kinds"] = [clean(str(k)) for k in as_list(kinds)]
        with self._read() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT kind, entity_id, title, title_en, stored FROM search_document "
                    f"WHERE title_words @@ CAST(:q AS tsquery) AND {kind_sql} "
                    "ORDER BY NOT starts_with(title_key, :typed), octet_length(title_key), "
                    "kind, entity_id LIMIT :limit"
                ),
                params,
            ).all()
        return [
            {"kind": kind, "id": entity_id, "title": title, "title_en": title_en, "stored": stored}
            for kind, entity_id, title, title_en, stored in rows
        ]
