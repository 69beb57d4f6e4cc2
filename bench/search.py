"""Search benchmark, a fair race: our Whoosh and tantivy backends vs SQLite FTS5 (vs our
PostgreSQL backend) on one synthetic corpus, doing the same work.

Run `.venv/bin/python bench/search.py [--docs 10000] [--rounds 3] [--quality]`; see
bench/README.md. Every engine answers our own parsed query (search_index.query.parse_query with
the app's synonyms) over our own analysis (folded syllables), and the bench fails if any two
return different totals for a query. Each index is built in its own subprocess (its peak memory
is that process's); the queries then run in one process, interleaved engine by engine, timed in
CPU and wall time. The `postgres` engines need DATABASE_URL=postgresql+psycopg://… (they drop and
rebuild the search tables there).
"""

import argparse
import json
import math
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh.analysis import Filter  # noqa: E402

from app.search.engine import SYNONYMS_FILE  # noqa: E402
from search_index import Synonyms, TantivyBackend, WhooshBackend, fold, tokens  # noqa: E402
from search_index.prepare import MAX_PART_TOKENS, text_field  # noqa: E402
from search_index.query import parse_query  # noqa: E402
from search_index.spelling import SUGGEST_BELOW, Neighbours, find_typos  # noqa: E402
from search_index.whoosh_schema import TEXT_PARTS  # noqa: E402
from search_index.words import Words  # noqa: E402

# -- deterministic synthetic corpus ----------------------------------------------------------

PREFIXES = [
    "Công ty TNHH",
    "Công ty Cổ phần",
    "Công ty TNHH MTV",
    "Doanh nghiệp tư nhân",
    "Hợp tác xã",
    "Trung tâm",
]
DOMAINS = [
    "Môi trường",
    "Kỹ thuật Môi trường",
    "Xử lý Nước thải",
    "Công nghệ Xanh",
    "Tái chế",
    "Quan trắc Môi trường",
    "Năng lượng Sạch",
    "Thiết bị Lọc",
    "Xây dựng và Môi trường",
    "Dịch vụ Vệ sinh",
    "Cơ khí Môi trường",
    "Hóa chất và Môi trường",
]
NAMES = [
    "Sông Trà",
    "Thiên Ấn",
    "Dung Quất",
    "Sa Huỳnh",
    "Lý Sơn",
    "Minh Long",
    "Phúc Thịnh",
    "An Phát",
    "Hoàng Long",
    "Đại Việt",
    "Trường Sơn",
    "Bình Minh",
    "Tân Phú",
    "Việt Úc",
    "Hải Đăng",
    "Nam Việt",
    "Thành Công",
    "Hưng Thịnh",
    "Phước An",
    "Đức Phổ",
    "Tư Nghĩa",
    "Mộ Đức",
    "Nghĩa Hành",
    "Ba Tơ",
    "Trà Bồng",
    "Sơn Hà",
    "Minh Phát",
    "Kim Ngân",
]
SYLLABLES = [
    "an",
    "bình",
    "châu",
    "dũng",
    "đức",
    "gia",
    "hà",
    "hải",
    "hòa",
    "hùng",
    "khánh",
    "lâm",
    "long",
    "minh",
    "nam",
    "ngọc",
    "phát",
    "phú",
    "quang",
    "sơn",
    "tâm",
    "thành",
    "thịnh",
    "tiến",
    "trung",
    "tuấn",
    "vinh",
    "việt",
    "xuân",
    "yên",
    "lộc",
    "khang",
]
ITEMS = [
    "Hệ thống xử lý nước thải sinh hoạt bằng công nghệ MBR",
    "Hệ thống xử lý nước thải công nghiệp bằng phương pháp hóa lý",
    "Hệ thống xử lý nước thải y tế",
    "Lò đốt chất thải rắn công nghiệp",
    "Lò đốt chất thải y tế",
    "Thiết bị quan trắc khí thải tự động liên tục",
    "Trạm quan trắc nước thải tự động",
    "Hệ thống xử lý khí thải lò hơi",
    "Thiết bị lọc bụi tĩnh điện",
    "Thiết bị lọc bụi túi vải",
    "Công nghệ ủ phân hữu cơ từ chất thải sinh hoạt",
    "Dây chuyền tái chế nhựa phế liệu",
    "Dây chuyền tái chế giấy",
    "Hệ thống xử lý bùn thải bằng máy ép bùn",
    "Màng lọc MBR",
    "Màng lọc thẩm thấu ngược RO",
    "Bể phản ứng sinh học hiếu khí",
    "Hệ thống thu hồi khí biogas",
    "Công nghệ chôn lấp hợp vệ sinh",
    "Thiết bị xử lý mùi bằng than hoạt tính",
    "Hệ thống điện mặt trời áp mái",
    "Hệ thống xử lý nước cấp",
    "Thiết bị đo tiếng ồn",
    "Xe thu gom chất thải rắn",
    "Kho lưu giữ chất thải nguy hại",
    "Công nghệ hóa rắn chất thải nguy hại",
    "Hệ thống tuần hoàn nước làm mát",
    "Thiết bị tách dầu khỏi nước thải",
]
VSIC = [
    "Thu gom rác thải không độc hại",
    "Thu gom rác thải độc hại",
    "Xử lý và tiêu huỷ rác thải không độc hại",
    "Xử lý và tiêu huỷ rác thải độc hại",
    "Tái chế phế liệu",
    "Xử lý ô nhiễm và hoạt động quản lý chất thải khác",
    "Thoát nước và xử lý nước thải",
    "Khai thác, xử lý và cung cấp nước",
    "Hoạt động kiến trúc và tư vấn kỹ thuật có liên quan",
    "Sản xuất điện",
]
CODES = ["3700", "3811", "3812", "3821", "3822", "3830", "3900", "7110", "3600", "3510"]
SERVICES = [
    "xử lý nước thải",
    "xử lý khí thải",
    "thu gom chất thải rắn",
    "xử lý chất thải nguy hại",
    "tái chế phế liệu",
    "quan trắc môi trường",
    "tư vấn môi trường",
    "xử lý bùn thải",
    "cung cấp nước sạch",
    "năng lượng tái tạo",
    "lọc bụi công nghiệp",
    "xử lý mùi",
    "vệ sinh công nghiệp",
    "tái chế nhựa",
    "ủ phân hữu cơ",
]
SERVICES_EN = [
    "wastewater treatment",
    "exhaust gas treatment",
    "solid waste collection",
    "hazardous waste treatment",
    "scrap recycling",
    "environmental monitoring",
    "environmental consulting",
    "sludge treatment",
    "clean water supply",
    "renewable energy",
    "industrial dust filtration",
    "odour control",
    "industrial cleaning",
    "plastic recycling",
    "composting",
]
PLACES = [
    "Khu kinh tế Dung Quất",
    "KCN Tịnh Phong",
    "KCN VSIP Quảng Ngãi",
    "CCN Bình Nguyên",
    "CCN Đồng Dinh",
    "thành phố Quảng Ngãi",
    "huyện Bình Sơn",
    "thị xã Đức Phổ",
    "huyện Sơn Tịnh",
    "huyện Mộ Đức",
    "KCN Quảng Phú",
]
TOPICS = [
    "công nghệ sinh học",
    "màng lọc MBR",
    "lò đốt",
    "xử lý hóa lý",
    "quan trắc tự động",
    "an toàn lao động",
    "kiểm soát ô nhiễm",
    "tiết kiệm năng lượng",
    "xử lý bùn",
    "giấy phép môi trường",
]
WARDS = [
    ("21211", "phường Trần Phú"),
    ("21214", "phường Nghĩa Chánh"),
    ("21217", "phường Nghĩa Lộ"),
    ("21220", "phường Chánh Lộ"),
    ("21223", "phường Lê Hồng Phong"),
    ("21226", "phường Quảng Phú"),
    ("21229", "phường Nghĩa Dõng"),
    ("21232", "xã Tịnh Phong"),
    ("21235", "xã Bình Chánh"),
    ("21238", "xã Bình Trị"),
    ("21241", "xã Bình Thạnh"),
    ("21244", "xã Bình Đông"),
    ("21247", "xã Tịnh Ấn Tây"),
    ("21250", "xã Nghĩa Kỳ"),
    ("21253", "phường Phổ Thạnh"),
    ("21256", "xã Đức Lợi"),
    ("21259", "xã Hành Thuận"),
    ("21262", "thị trấn Châu Ổ"),
    ("21265", "xã Sơn Tịnh"),
    ("21268", "phường Trương Quang Trọng"),
]
GROUPS = ["NT", "KT", "CTR", "CTNH", "QT", "TC", "NL"]
SIZES = ["micro", "small", "medium", "large"]
TEMPLATES = [
    "{name} chuyên cung cấp giải pháp {service} cho các doanh nghiệp tại {place}.",
    "Chúng tôi có kinh nghiệm thiết kế, lắp đặt và vận hành {item}.",
    "Công ty đã thực hiện hơn {n} dự án {service} tại {place}.",
    "Đội ngũ kỹ sư được đào tạo về {topic} và {topic2}.",
    "Sản phẩm đạt tiêu chuẩn QCVN {n}:{year}/BTNMT về {service}.",
    "Địa chỉ: {ward}, tỉnh Quảng Ngãi.",
    "Nhận tư vấn lập báo cáo đánh giá tác động môi trường, giấy phép môi trường và quan trắc "
    "định kỳ.",
    "Doanh nghiệp đang tìm kiếm đối tác đầu tư để mở rộng dịch vụ {service}.",
    "Cung cấp {item} với chi phí vận hành thấp và bảo hành {n} tháng.",
    "Năng lực xử lý {n} tấn mỗi ngày, phục vụ khách hàng tại {place}.",
]
OTHER_KINDS = ["catalogue", "programme", "zone", "incubator"]


def make_corpus(count: int, seed: int = 980) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1)
    documents = []
    extra = max(1, count // 50)
    for number in range(count + extra):
        kind = "firm" if number < count else OTHER_KINDS[number % len(OTHER_KINDS)]
        if rng.random() < 0.6:
            name = rng.choice(NAMES)
        else:
            name = " ".join(rng.choice(SYLLABLES) for _ in range(2)).title()
        title = f"{rng.choice(PREFIXES)} {rng.choice(DOMAINS)} {name}"
        ward_code, ward_name = rng.choice(WARDS)
        services = rng.sample(range(len(SERVICES)), 2)
        sentences = []
        for template in rng.sample(TEMPLATES, rng.randint(3, 6)):
            sentences.append(
                template.format(
                    name=name,
                    service=SERVICES[rng.choice(services)],
                    place=rng.choice(PLACES),
                    item=rng.choice(ITEMS).lower(),
                    n=rng.randint(2, 80),
                    year=rng.choice([2011, 2015, 2021, 2024]),
                    topic=rng.choice(TOPICS),
                    topic2=rng.choice(TOPICS),
                    ward=ward_name,
                )
            )
        keywords = "; ".join(
            rng.sample(ITEMS, rng.randint(1, 4)) + rng.sample(VSIC, 1) + rng.sample(CODES, 1)
        )
        body_en = None
        if rng.random() < 0.3:
            body_en = (
                "We provide "
                + " and ".join(SERVICES_EN[s] for s in services)
                + f" in Quang Ngai since {rng.randint(1995, 2024)}."
            )
        updated = start + timedelta(minutes=rng.randint(0, 60 * 24 * 1400))
        closes = (
            date(2026, 1, 1) + timedelta(days=rng.randint(0, 500)) if kind == "programme" else None
        )
        documents.append(
            {
                "kind": kind,
                "id": number + 1,
                "title": title,
                "title_en": None,
                "keywords": keywords,
                "body": " ".join(sentences),
                "body_en": body_en,
                "facets": {
                    "group": sorted(rng.sample(GROUPS, rng.randint(1, 3))),
                    "ward": [ward_code],
                    "size": [rng.choice(SIZES)],
                    "seeking": [rng.choice(["yes", "no"])],
                },
                "sort": {"updated": updated, "closes": closes},
                "stored": {"slug": f"{kind}-{number + 1}", "ward": ward_name},
            }
        )
    return documents


# -- fixed query set -------------------------------------------------------------------------

QUERY_TEXTS = [
    "nước thải",
    "khí thải",
    "xử lý nước thải",
    "chất thải nguy hại",
    "tái chế nhựa",
    "quan trắc",
    "quan trắc khí thải tự động",
    "lò đốt",
    "bùn thải",
    "màng lọc MBR",
    "lọc bụi tĩnh điện",
    "Dung Quất",
    "Tịnh Phong",
    "điện mặt trời",
    "ủ phân hữu cơ",
    "tư vấn môi trường",
    "nuoc thai",
    "xu ly nuoc thai",
    "chat thai ran",
    "tai che",
    "quan trac moi truong",
    "lo dot chat thai",
    "bun",
    "loc bui",
    "dung quat",
    '"xử lý nước thải"',
    '"lò đốt"',
    '"quan trắc tự động"',
    '"chat thai nguy hai"',
    "XLNT",
    "CTNH",
    "KCN Tịnh Phong",
    "wastewater",
    "plastic recycling",
    "hazardous waste",
    "công ty môi trường",
    "Công ty TNHH",
    unicodedata.normalize("NFD", "nước thải sinh hoạt"),
    "hệ thống xử lý khí thải lò hơi",
    "Sa Huỳnh",
    "an phát",
    "kho lưu giữ",
    "biogas",
    "than hoạt tính",
    "NUOC THAI Y TE",
    "giấy phép môi trường",
    "xử lý",
    "môi trường",
    # typos (issue 14): a syllable the index lacks, first letter included, a real one misplaced
    "Tịnh Phòn",
    "xu ly nuoc thia",
    "hong khí thải",
    "quan traccc",
]
FACETS = ["group", "ward", "size", "seeking"]
FILTERS = [
    {"size": ["small", "medium"]},
    {"group": ["NT", "CTNH"]},
    {"ward": ["21232"], "seeking": ["yes"]},
]


def query_set() -> list[dict]:
    queries = []
    for number, text in enumerate(QUERY_TEXTS):
        if number % 2 == 0:
            queries.append({"query": text, "filters": {}, "facets": []})
        else:
            filters = FILTERS[number % len(FILTERS)] if number % 4 == 1 else {}
            queries.append({"query": text, "filters": filters, "facets": FACETS})
    return queries


# -- engines: each answers search(q) -> (total, keys of the first page) --------------------------

SYNONYMS = Synonyms.load(SYNONYMS_FILE)


class OurEngine:
    """search_index.WhooshBackend (or TantivyBackend, PostgresBackend) exactly as the app uses
    it."""

    def __init__(self, backend):
        self.backend = backend

    def search(self, q):
        result = self.backend.search(q["query"], filters=q["filters"], facets=q["facets"])
        return result.total, [f"{hit.kind}:{hit.id}" for hit in result.hits]


def build_ours(folder: Path, documents):
    WhooshBackend(folder, synonyms=SYNONYMS, cache=False).rebuild(documents)


def open_ours(folder: Path, cache: bool):
    return OurEngine(WhooshBackend(folder, synonyms=SYNONYMS, cache=cache))


def build_tantivy(folder: Path, documents):
    TantivyBackend(folder, synonyms=SYNONYMS, cache=False).rebuild(documents)


def open_tantivy(folder: Path, cache: bool):
    return OurEngine(TantivyBackend(folder, synonyms=SYNONYMS, cache=cache))


def postgres_backend(cache: bool = False):
    from search_index import PostgresBackend

    return PostgresBackend(os.environ["DATABASE_URL"], synonyms=SYNONYMS, cache=cache)


def build_postgres(folder: Path, documents):
    backend = postgres_backend()
    backend.drop_tables()
    backend.rebuild(documents)


def postgres_size_mb() -> float:
    import sqlalchemy as sa

    from search_index.postgres_backend import TABLES

    with postgres_backend().engine.connect() as connection:
        total = sum(
            connection.scalar(sa.text("SELECT pg_total_relation_size(:t)"), {"t": table})
            for table in TABLES
        )
    return total / 2**20


class FoldFilter(Filter):
    """Diacritic folding (đ→d included) for the plain-Whoosh folded field; module level so Whoosh
    can pickle the schema that uses it."""

    def __call__(self, stream):
        for token in stream:
            token.text = fold(token.text)
            yield token


class PlainWhoosh:
    """The straightforward Whoosh setup: exact + folded TEXT fields and the stock QueryParser.
    Not the same query semantics as ours (no synonyms, stock parser): never comparable."""

    def __init__(self, folder: Path):
        from whoosh import index, sorting
        from whoosh.qparser import AndGroup, MultifieldParser

        self.sorting = sorting
        self.searcher = index.open_dir(str(folder)).searcher()
        self.parser = MultifieldParser(["exact", "folded"], self.searcher.schema, group=AndGroup)

    @staticmethod
    def build(folder: Path, documents):
        from whoosh import fields, index
        from whoosh.analysis import StandardAnalyzer

        schema = fields.Schema(
            key=fields.ID(stored=True, unique=True),
            exact=fields.TEXT(analyzer=StandardAnalyzer(stoplist=None)),
            folded=fields.TEXT(analyzer=StandardAnalyzer(stoplist=None) | FoldFilter()),
            group=fields.KEYWORD(commas=True),
            ward=fields.ID(),
            size=fields.ID(),
            seeking=fields.ID(),
            stored=fields.STORED(),
            updated=fields.NUMERIC(sortable=True),
        )
        folder.mkdir(parents=True, exist_ok=True)
        writer = index.create_in(str(folder), schema).writer(limitmb=256)
        for doc in documents:
            text = " ".join(doc[f] or "" for f in ("title", "keywords", "body", "body_en"))
            text = unicodedata.normalize("NFC", text)
            writer.add_document(
                key=f"{doc['kind']}:{doc['id']}",
                exact=text,
                folded=text,
                group=",".join(doc["facets"]["group"]),
                ward=doc["facets"]["ward"][0],
                size=doc["facets"]["size"][0],
                seeking=doc["facets"]["seeking"][0],
                stored=doc["stored"],
                updated=int(doc["sort"]["updated"].timestamp()),
            )
        writer.commit()

    def search(self, q):
        from whoosh.query import And, Or, Term

        query = self.parser.parse(unicodedata.normalize("NFC", q["query"]))
        filter_query = None
        if q["filters"]:
            filter_query = And(
                [Or([Term(name, v) for v in values]) for name, values in q["filters"].items()]
            )
        groupedby = {
            name: self.sorting.FieldFacet(name, allow_overlap=name == "group")
            for name in q["facets"]
        } or None
        results = self.searcher.search(query, limit=20, filter=filter_query, groupedby=groupedby)
        keys = [hit["key"] for hit in results]
        if groupedby:
            for name in q["facets"]:
                results.groups(name)
        return len(results), keys


class Fts5Lexicon:
    """search_index.spelling.Lexicon over the FTS5 index, for the same typo tolerance: it holds
    folded syllables only, so no spellings (they change suggestions, not what is found)."""

    def __init__(self, db):
        self.db = db
        self.neighbours = None

    def frequency(self, term):
        row = self.db.execute("SELECT doc FROM vocab WHERE term = ?", [term]).fetchone()
        return row[0] if row else 0

    def pair_frequency(self, first, second):
        return self.db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT {SUGGEST_BELOW})",
            [f'"{first} {second}"'],
        ).fetchone()[0]

    def near(self, term, distance):
        if self.neighbours is None:
            self.neighbours = Neighbours(t for (t,) in self.db.execute("SELECT term FROM vocab"))
        return [(t, self.frequency(t)) for t in self.neighbours.near(term, distance)]

    def spellings(self, term):
        return []

    def spelt_pair_frequency(self, first, second):
        return 0


def fts5_match(parsed) -> str:
    """Our parsed query as an FTS5 expression over our folded syllables: clauses AND'ed, a
    clause's alternatives OR'ed (synonyms are phrases), excluded clauses NOT'ed."""

    def alternative(a):
        quoted = '"' + " ".join(a.syllables) + '"'
        if a.mode == "all":
            units = [f'"{first} {second}"' for first, second in a.units]
            return "(" + " AND ".join([*(f'"{s}"' for s in a.syllables), *units]) + ")"
        if a.mode == "prefix" and a.units:  # the syllable before, then a completion
            return '"' + " ".join(a.units[0]) + '" *'
        return quoted + " *" if a.mode == "prefix" else quoted

    def clauses(items, joiner):
        return joiner.join("(" + " OR ".join(map(alternative, c.alternatives)) + ")" for c in items)

    expression = clauses(parsed.clauses, " AND ")
    if parsed.excluded:
        expression = f"({expression}) NOT ({clauses(parsed.excluded, ' OR ')})"
    return expression


def fts5_text(doc: dict, name: str) -> str:
    """A text part as our folded syllables, space-separated (what FTS5's ascii tokenizer splits
    back into exactly our tokens)."""
    return " ".join(fold(t) for t in tokens(text_field(doc, name))[:MAX_PART_TOKENS])


class Fts5:
    """SQLite FTS5 over our analysis (folded syllables) and our parsed query, tuned as its
    documentation recommends: optimize after the build, mmap, a 64 MB page cache, and one MATCH
    per query into a temporary table that the total, page and facet counts are read from."""

    PARTS = [name for name, _ in TEXT_PARTS]
    # bm25 column weights = our field boosts (title 5, title_en 3, keywords 2.5, bodies 1).
    BM25 = ", ".join(str(boost) for _, boost in TEXT_PARTS)

    def __init__(self, folder: Path):
        self.db = sqlite3.connect(folder / "fts.sqlite")
        self.db.executescript("""
            PRAGMA mmap_size = 1073741824;
            PRAGMA cache_size = -65536;
            PRAGMA temp_store = MEMORY;
            CREATE TEMP TABLE m (doc INTEGER PRIMARY KEY, score REAL);
            CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, fts, row);
        """)
        self.lexicon = Fts5Lexicon(self.db)

    @classmethod
    def build(cls, folder: Path, documents):
        folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(folder / "fts.sqlite")
        db.executescript(f"""
            CREATE VIRTUAL TABLE fts USING fts5({", ".join(cls.PARTS)}, tokenize="ascii");
            CREATE TABLE facet (doc INTEGER, name TEXT, value TEXT,
                PRIMARY KEY (doc, name, value)) WITHOUT ROWID;
            CREATE TABLE doc (rowid INTEGER PRIMARY KEY, key TEXT, stored TEXT, updated INT);
        """)
        for number, doc in enumerate(documents, 1):
            db.execute(
                f"INSERT INTO fts(rowid, {', '.join(cls.PARTS)}) VALUES (?,?,?,?,?,?)",
                (number, *(fts5_text(doc, name) for name in cls.PARTS)),
            )
            db.execute(
                "INSERT INTO doc VALUES (?,?,?,?)",
                (
                    number,
                    f"{doc['kind']}:{doc['id']}",
                    json.dumps(doc["stored"]),
                    int(doc["sort"]["updated"].timestamp()),
                ),
            )
            db.executemany(
                "INSERT INTO facet VALUES (?,?,?)",
                [(number, name, v) for name, values in doc["facets"].items() for v in values],
            )
        db.execute("CREATE INDEX facet_value ON facet(name, value, doc)")
        db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        db.commit()
        db.close()

    def search(self, q):
        """Top 20 by bm25 with snippets, total, and facet counts (own filter ignored)."""
        parsed = parse_query(q["query"], SYNONYMS, Words.bundled())
        parsed = find_typos(parsed, self.lexicon).apply(parsed)
        db = self.db
        db.execute("DELETE FROM m")
        if parsed.is_blank:
            db.execute("INSERT INTO m SELECT rowid, 0 FROM doc")
        elif parsed.clauses:
            # Our backends' fallback: a known word's syllables apart when none has them together.
            for attempt in (parsed, parsed.relaxed()) if parsed.has_units else (parsed,):
                expression = fts5_match(attempt)
                db.execute(
                    f"INSERT INTO m SELECT rowid, bm25(fts, {self.BM25}) FROM fts"
                    " WHERE fts MATCH ?",
                    [expression],
                )
                if db.execute("SELECT EXISTS (SELECT 1 FROM m)").fetchone()[0]:
                    break
        filters = list(q["filters"].items())

        def restrict(skip=None):
            sql, params = "", []
            for name, values in filters:
                if name != skip:
                    marks = ",".join("?" * len(values))
                    sql += (
                        " AND m.doc IN (SELECT doc FROM facet "
                        f"WHERE name = ? AND value IN ({marks}))"
                    )
                    params += [name, *values]
            return sql, params

        where, params = restrict()
        page = db.execute(
            f"SELECT m.doc, count(*) OVER () FROM m WHERE 1 {where} ORDER BY m.score LIMIT 20",
            params,
        ).fetchall()
        total = page[0][1] if page else 0
        ids = [row[0] for row in page]
        marks = ",".join("?" * len(ids))
        # Facets without a filter of their own share one restriction and one query.
        filtered = {name for name, _ in filters}
        groups = [[n for n in q["facets"] if n not in filtered]]
        groups += [[n] for n in q["facets"] if n in filtered]
        for names in groups:
            if names:
                where, params = restrict(skip=names[0] if names[0] in filtered else None)
                db.execute(
                    "SELECT f.name, f.value, count(*) FROM m JOIN facet f ON f.doc = m.doc "
                    f"AND f.name IN ({','.join('?' * len(names))}) WHERE 1 {where} "
                    "GROUP BY f.name, f.value",
                    [*names, *params],
                ).fetchall()
        if ids and parsed.clauses:
            db.execute(
                "SELECT rowid, snippet(fts, -1, '<mark>', '</mark>', '…', 20) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})",
                [expression, *ids],
            ).fetchall()
        found = db.execute(f"SELECT rowid, key, stored FROM doc WHERE rowid IN ({marks})", ids)
        hits = {doc: (key, json.loads(stored)) for doc, key, stored in found.fetchall()}
        return total, [hits[doc][0] for doc in ids]


# Each index is built once (in its own process, for its peak memory); engines open them.
BUILDERS = {
    "ours": build_ours,
    "tantivy": build_tantivy,
    "fts5": Fts5.build,
    "plain": PlainWhoosh.build,
    "postgres": build_postgres,
}
ENGINES = {
    # name: (index it reads, opener, label)
    "ours": ("ours", lambda f: open_ours(f, cache=False), "(a) ours, cache off"),
    "ours-cached": ("ours", lambda f: open_ours(f, cache=True), "(b) ours, cache on"),
    "plain": ("plain", PlainWhoosh, "(c) plain Whoosh [not comparable]"),
    "fts5": ("fts5", Fts5, "(d) SQLite FTS5, fair"),
    "postgres": ("postgres", lambda f: OurEngine(postgres_backend()), "(e) PostgreSQL, cache off"),
    "postgres-cached": (
        "postgres",
        lambda f: OurEngine(postgres_backend(cache=True)),
        "(f) PostgreSQL, cache on",
    ),
    "tantivy": ("tantivy", lambda f: open_tantivy(f, cache=False), "(g) tantivy, cache off"),
    "tantivy-cached": ("tantivy", lambda f: open_tantivy(f, cache=True), "(h) tantivy, cache on"),
}
# Different query language and no synonyms: its totals are shown, never compared.
NOT_COMPARABLE = {"plain"}


# -- measurement -------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def build_worker(index: str, folder: Path, docs: int) -> dict:
    """Build one index and run the query set once over it; the process's peak memory is the
    index's (build and queries)."""
    documents = make_corpus(docs)
    base_rss = peak_rss_mb()
    started = time.perf_counter()
    BUILDERS[index](folder, documents)
    build_s = time.perf_counter() - started
    engine = next(opener for i, opener, _ in ENGINES.values() if i == index)(folder)
    for q in query_set():
        engine.search(q)
    size = postgres_size_mb() if index == "postgres" else folder_size_mb(folder)
    return {
        "build_s": build_s,
        "size_mb": size,
        "peak_rss_mb": peak_rss_mb(),
        "rss_over_corpus_mb": peak_rss_mb() - base_rss,
    }


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def compare_totals(totals: dict[str, list[int]], queries: list[dict]) -> list[str]:
    """Queries on which the comparable engines disagree, one line each."""
    compared = [name for name in totals if name not in NOT_COMPARABLE]
    lines = []
    for number, q in enumerate(queries):
        found = {name: totals[name][number] for name in compared}
        if len(set(found.values())) > 1:
            lines.append(f"  {q['query']!r} {q['filters'] or ''}: {found}")
    print(f"same totals on {len(queries) - len(lines)} of {len(queries)} queries")
    return lines


def race(engines: dict, queries: list[dict], rounds: int) -> dict:
    """Every query on every engine in turn (the order rotating from query to query), so that
    whatever else the machine does falls on all engines alike. Wall and CPU time in ms."""
    times = {name: {"wall": [], "cpu": []} for name in engines}
    names = list(engines)
    for round_ in range(rounds):
        for number, q in enumerate(queries):
            shift = (round_ + number) % len(names)
            for name in names[shift:] + names[:shift]:
                wall, cpu = time.perf_counter(), time.process_time()
                engines[name].search(q)
                times[name]["cpu"].append((time.process_time() - cpu) * 1000)
                times[name]["wall"].append((time.perf_counter() - wall) * 1000)
    return times


def edit_visible(backend, documents: list[dict]) -> dict:
    """Time from apply() of one changed document until a search finds the change."""
    timings = []
    for attempt in range(5):
        doc = dict(documents[attempt * 97], title=f"Công ty đổi tên zqxedit{attempt}")
        started = time.perf_counter()
        backend.apply([doc])
        while backend.search(f"zqxedit{attempt}").total != 1:
            time.sleep(0.001)
        timings.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(timings), "max_ms": max(timings)}


def judged_set(documents: list[dict]) -> list[tuple[dict, set[str]]]:
    """Each catalogue item and each service, typed without diacritics; relevant: the documents
    generated with it (its text is in their keywords or body)."""
    judged = []
    for phrase in ITEMS + SERVICES:
        needle = phrase.lower()
        relevant = {
            f"{d['kind']}:{d['id']}"
            for d in documents
            if needle in f"{d['keywords']} {d['body']}".lower()
        }
        judged.append(({"query": fold(needle), "filters": {}, "facets": []}, relevant))
    return judged


def quality(engines: dict, documents: list[dict]) -> None:
    judged = judged_set(documents)
    totals = {name: [] for name in engines}
    print(f"precision@10 over {len(judged)} judged queries (catalogue items and services)")
    for name, engine in engines.items():
        precision = []
        for q, relevant in judged:
            total, keys = engine.search(q)
            totals[name].append(total)
            top = keys[:10]
            precision.append(sum(key in relevant for key in top) / len(top) if top else 0.0)
        print(f"  {ENGINES[name][2]:36} P@10 {statistics.mean(precision):.3f}")
    differ = compare_totals(totals, [q for q, _ in judged])
    if differ:
        sys.exit("totals differ:\n" + "\n".join(differ))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the query set")
    engines = "fts5,ours,ours-cached,tantivy,tantivy-cached"
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        engines += ",postgres,postgres-cached"
    parser.add_argument("--engines", default=engines, help=f"of {','.join(ENGINES)}")
    parser.add_argument("--quality", action="store_true", help="precision@10, no timings")
    parser.add_argument("--save", help="also write the raw figures to this JSON file")
    parser.add_argument("--build", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build_worker(args.build, Path(args.folder), args.docs)))
        return

    names = args.engines.split(",")
    indexes = list(dict.fromkeys(ENGINES[name][0] for name in names))
    queries = query_set()
    print(
        f"corpus: {args.docs} firm docs + {max(1, args.docs // 50)} others; "
        f"{len(queries)} queries x {args.rounds} rounds, interleaved; cpus: {os.cpu_count()}"
    )
    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        builds = {}
        for index in indexes:
            command = [sys.executable, __file__, "--docs", str(args.docs)]
            command += ["--build", index, "--folder", str(root / index)]
            completed = subprocess.run(command, capture_output=True, text=True)
            if completed.returncode:
                sys.exit(f"building {index} failed:\n{completed.stderr}")
            builds[index] = json.loads(completed.stdout.strip().splitlines()[-1])
            print(f"  built {index}", file=sys.stderr)
        engines = {name: ENGINES[name][1](root / ENGINES[name][0]) for name in names}
        if args.quality:
            quality(engines, make_corpus(args.docs))
            return
        totals = {name: [engine.search(q)[0] for q in queries] for name, engine in engines.items()}
        differ = compare_totals(totals, queries)
        if differ:
            sys.exit("FAIL: the engines return different totals on:\n" + "\n".join(differ))
        times = race(engines, queries, args.rounds)
        report(builds, times, args.save)
        documents = make_corpus(args.docs)
        for name in ("ours", "tantivy", "postgres"):
            if name in engines:
                visible = edit_visible(engines[name].backend, documents)
                print(
                    f"{ENGINES[name][2]}: edit visible (apply one doc -> found by search): "
                    f"median {visible['median_ms']:.0f} ms, max {visible['max_ms']:.0f} ms"
                )
    finally:
        if "postgres" in indexes:
            postgres_backend().drop_tables()
        shutil.rmtree(root, ignore_errors=True)


def report(builds: dict, times: dict, save: str | None) -> None:
    header = f"{'index':10} {'build s':>8} {'size MB':>8} {'peak RSS MB':>12} {'RSS+ MB':>8}"
    print(header + "\n" + "-" * len(header))
    for index, b in builds.items():
        print(
            f"{index:10} {b['build_s']:8.1f} {b['size_mb']:8.1f} {b['peak_rss_mb']:12.0f} "
            f"{b['rss_over_corpus_mb']:8.0f}"
        )
    figures = {
        name: {kind: summary(values) for kind, values in t.items()} for name, t in times.items()
    }
    reference = figures.get("fts5")
    header = (
        f"{'engine':36} {'CPU med':>8} {'CPU p95':>8} {'wall med':>9} {'wall p95':>9} "
        f"{'CPU med/FTS5':>13} {'CPU p95/FTS5':>13}"
    )
    print(header + "\n" + "-" * len(header))
    for name, f in figures.items():
        ratios = ["", ""]
        if reference:
            ratios = [f"{f['cpu'][i] / reference['cpu'][i]:.2f}x" for i in (0, 1)]
        print(
            f"{ENGINES[name][2]:36} {f['cpu'][0]:8.2f} {f['cpu'][1]:8.2f} {f['wall'][0]:9.2f} "
            f"{f['wall'][1]:9.2f} {ratios[0]:>13} {ratios[1]:>13}"
        )
    print("(ms per query; CPU = time.process_time of this process: PostgreSQL's server not in it)")
    if save:
        Path(save).write_text(json.dumps({"builds": builds, "times": figures}, indent=1))


if __name__ == "__main__":
    main()
