"""Search benchmark: our Whoosh backend vs plain Whoosh vs SQLite FTS5 vs our PostgreSQL backend
on one synthetic corpus.

Run `.venv/bin/python bench/search.py [--docs 10000] [--rounds 3]`; see bench/README.md. Each
engine runs in its own subprocess so peak memory is measured per engine. Prints a table. The
`postgres` engines need DATABASE_URL=postgresql+psycopg://… (they drop and rebuild the search
tables there).
"""

import argparse
import json
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

from search_index import Synonyms, WhooshBackend, fold  # noqa: E402

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


# -- engines -----------------------------------------------------------------------------------


class OurEngine:
    def __init__(self, folder: Path, cache: bool):
        self.folder = folder
        self.cache = cache
        self.synonyms = Synonyms.load(ROOT / "seed" / "search_synonyms.txt")
        self.backend = WhooshBackend(folder, synonyms=self.synonyms, cache=cache)

    def build(self, documents):
        self.backend.rebuild(documents)

    def reopen(self):
        self.backend.close()
        self.backend = WhooshBackend(self.folder, synonyms=self.synonyms, cache=self.cache)

    def search(self, q):
        result = self.backend.search(q["query"], filters=q["filters"], facets=q["facets"])
        return result.total


class PostgresEngine(OurEngine):
    """search_index.PostgresBackend in the database at DATABASE_URL, its tables made afresh."""

    def __init__(self, url: str, cache: bool):
        from search_index import PostgresBackend

        self.make = lambda: PostgresBackend(url, synonyms=self.synonyms, cache=cache)
        self.synonyms = Synonyms.load(ROOT / "seed" / "search_synonyms.txt")
        self.backend = self.make()
        self.backend.drop_tables()

    def reopen(self):
        self.backend.close()
        self.backend = self.make()

    def size_mb(self) -> float:
        import sqlalchemy as sa

        from search_index.postgres_backend import TABLES

        with self.backend.engine.connect() as connection:
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
    """The straightforward Whoosh setup: exact + folded TEXT fields and the stock QueryParser."""

    def __init__(self, folder: Path):
        from whoosh import fields, index, sorting
        from whoosh.analysis import StandardAnalyzer
        from whoosh.qparser import AndGroup, MultifieldParser

        self.schema = fields.Schema(
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
        self.folder = folder
        self.index = index
        self.sorting = sorting
        self.parser_class = (MultifieldParser, AndGroup)
        self.ix = None
        self.searcher = None

    def build(self, documents):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ix = self.index.create_in(str(self.folder), self.schema)
        writer = self.ix.writer(limitmb=256)
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

    def reopen(self):
        self.ix = self.index.open_dir(str(self.folder))
        self.searcher = self.ix.searcher()
        parser, group = self.parser_class
        self.parser = parser(["exact", "folded"], self.ix.schema, group=group)

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
        for hit in results:
            hit.fields()
        if groupedby:
            for name in q["facets"]:
                results.groups(name)
        return len(results)


class Fts5:
    def __init__(self, folder: Path, facets: bool = True):
        self.facets = facets
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "fts.sqlite"
        self.db = None

    def build(self, documents):
        db = sqlite3.connect(self.path)
        db.executescript("""
            CREATE VIRTUAL TABLE fts USING fts5(title, keywords, body, body_en,
                tokenize="unicode61 remove_diacritics 2");
            CREATE TABLE facet (doc INTEGER, name TEXT, value TEXT);
            CREATE TABLE doc (rowid INTEGER PRIMARY KEY, key TEXT, stored TEXT, updated INT);
        """)
        for number, doc in enumerate(documents, 1):
            db.execute(
                "INSERT INTO fts(rowid, title, keywords, body, body_en) VALUES (?,?,?,?,?)",
                (number, doc["title"], doc["keywords"], doc["body"], doc["body_en"] or ""),
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
        db.execute("CREATE INDEX facet_doc ON facet(doc, name)")
        db.execute("CREATE INDEX facet_value ON facet(name, value, doc)")
        db.commit()
        db.close()

    def reopen(self):
        self.db = sqlite3.connect(self.path)

    @staticmethod
    def match_expression(text):
        text = unicodedata.normalize("NFC", text)
        parts = text.split('"')
        terms = []
        for number, part in enumerate(parts):
            words = [w for w in "".join(c if c.isalnum() else " " for c in part).split()]
            if number % 2 == 1 and words:
                terms.append('"' + " ".join(words) + '"')
            else:
                terms.extend(f'"{w}"' for w in words)
        return " ".join(terms)

    def search(self, q):
        """Top 20 by bm25 with snippets, total, and facet counts (own filter ignored)."""
        expression = self.match_expression(q["query"])
        if not expression:
            return 0
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

        # MATERIALIZED keeps SQLite from driving the full-text search by rowid from the
        # filter list (one MATCH per filtered row), which took seconds.
        where, params = restrict()
        rows = self.db.execute(
            "WITH m(doc, score) AS MATERIALIZED "
            "(SELECT rowid, bm25(fts, 10.0, 5.0, 1.0, 1.0) FROM fts WHERE fts MATCH ?) "
            f"SELECT m.doc, count(*) OVER () FROM m WHERE 1 {where} ORDER BY m.score LIMIT 20",
            [expression, *params],
        ).fetchall()
        total = rows[0][1] if rows else 0
        if self.facets:
            # Facets without a filter of their own share one restriction and one query.
            filtered = {name for name, _ in filters}
            groups = [[n for n in q["facets"] if n not in filtered]]
            groups += [[n] for n in q["facets"] if n in filtered]
            for names in groups:
                if not names:
                    continue
                where, params = restrict(skip=names[0] if names[0] in filtered else None)
                self.db.execute(
                    "WITH m(doc) AS MATERIALIZED (SELECT rowid FROM fts WHERE fts MATCH ?) "
                    "SELECT f.name, f.value, count(*) FROM m JOIN facet f ON f.doc = m.doc "
                    f"AND f.name IN ({','.join('?' * len(names))}) WHERE 1 {where} "
                    "GROUP BY f.name, f.value",
                    [expression, *names, *params],
                ).fetchall()
        if rows:
            ids = [row[0] for row in rows]
            marks = ",".join("?" * len(ids))
            self.db.execute(
                "SELECT rowid, snippet(fts, 2, '<mark>', '</mark>', '…', 20) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})",
                [expression, *ids],
            ).fetchall()
            for (stored,) in self.db.execute(
                f"SELECT stored FROM doc WHERE rowid IN ({marks})", ids
            ):
                json.loads(stored)
        return total


# -- measurement -------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def timed_queries(engine, queries, rounds) -> list[float]:
    latencies = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            engine.search(q)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def summary(latencies):
    ordered = sorted(latencies)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)],
    }


def run_engine(name: str, docs: int, rounds: int) -> dict:
    documents = make_corpus(docs)
    queries = query_set()
    base_rss = peak_rss_mb()
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    engine = None
    try:
        if name == "plain":
            engine = PlainWhoosh(folder / "ix")
        elif name in ("fts5", "fts5-nofacets"):
            engine = Fts5(folder, facets=name == "fts5")
        elif name in ("postgres", "postgres-cached"):
            engine = PostgresEngine(os.environ["DATABASE_URL"], cache=name == "postgres-cached")
        else:
            engine = OurEngine(folder / "ix", cache=name == "ours-cached")
        started = time.perf_counter()
        engine.build(documents)
        build_s = time.perf_counter() - started
        engine.reopen()
        size = engine.size_mb() if hasattr(engine, "size_mb") else folder_size_mb(folder)
        report = {"engine": name, "build_s": build_s, "size_mb": size}
        if name in ("ours", "postgres"):
            report["cold"] = summary(timed_queries(engine, queries, 1))
        else:
            timed_queries(engine, queries, 1)
        report.update(summary(timed_queries(engine, queries, rounds)))
        if name in ("ours", "postgres"):
            report["totals"] = {q["query"]: engine.search(q) for q in queries[:6]}
            report["edit_visible_ms"] = edit_visible(engine.backend, documents)
        report["peak_rss_mb"] = peak_rss_mb()
        report["rss_over_corpus_mb"] = peak_rss_mb() - base_rss
        return report
    finally:
        if isinstance(engine, PostgresEngine):
            engine.backend.drop_tables()
        shutil.rmtree(folder, ignore_errors=True)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the query set")
    engines = "fts5,fts5-nofacets,ours,ours-cached,plain"
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        engines += ",postgres,postgres-cached"
    parser.add_argument("--engines", default=engines)
    parser.add_argument("--save", help="also write the raw figures to this JSON file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_engine(args.worker, args.docs, args.rounds)))
        return

    print(
        f"corpus: {args.docs} firm docs + {max(1, args.docs // 50)} others; "
        f"{len(query_set())} queries x {args.rounds} rounds; cpus: {os.cpu_count()}"
    )
    reports = {}
    for name in args.engines.split(","):
        completed = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                name,
                "--docs",
                str(args.docs),
                "--rounds",
                str(args.rounds),
            ],
            capture_output=True,
            text=True,
        )
        if completed.returncode:
            sys.exit(f"{name} failed:\n{completed.stderr}")
        output = completed.stdout
        reports[name] = json.loads(output.strip().splitlines()[-1])
        if args.save:
            Path(args.save).write_text(json.dumps(reports, indent=1, default=str))
        print(f"  finished {name}", file=sys.stderr)
    reference = reports.get("fts5")
    labels = {
        "fts5-nofacets": "(d') FTS5, no facets",
        "ours": "(a) ours, cache off",
        "ours-cached": "(b) ours, cache on",
        "plain": "(c) plain Whoosh",
        "fts5": "(d) SQLite FTS5",
        "postgres": "(e) PostgreSQL, cache off",
        "postgres-cached": "(f) PostgreSQL, cache on",
    }
    header = (
        f"{'engine':26} {'build s':>8} {'size MB':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'peak RSS MB':>12} {'RSS+ MB':>8} {'med/FTS5':>9} {'p95/FTS5':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, r in reports.items():
        ratios = ("", "")
        if reference:
            ratios = (
                f"{r['median_ms'] / reference['median_ms']:.2f}x",
                f"{r['p95_ms'] / reference['p95_ms']:.2f}x",
            )
        print(
            f"{labels.get(name, name):26} {r['build_s']:8.1f} {r['size_mb']:8.1f} "
            f"{r['median_ms']:10.2f} {r['p95_ms']:8.2f} {r['peak_rss_mb']:12.0f} "
            f"{r['rss_over_corpus_mb']:8.0f} {ratios[0]:>9} {ratios[1]:>9}"
        )
    ours = reports.get("ours")
    if ours:
        print(
            f"(a) first pass after opening (posting lists not yet read): median "
            f"{ours['cold']['median_ms']:.2f} ms, p95 {ours['cold']['p95_ms']:.2f} ms"
        )
        print(
            f"edit visible (apply one doc -> found by search): median "
            f"{ours['edit_visible_ms']['median_ms']:.0f} ms, max "
            f"{ours['edit_visible_ms']['max_ms']:.0f} ms"
        )
        if "fts5-nofacets" in reports:
            bare = reports["fts5-nofacets"]
            print(
                f"(a) vs (d') FTS5 without facet counts: median "
                f"{ours['median_ms'] / bare['median_ms']:.2f}x, p95 "
                f"{ours['p95_ms'] / bare['p95_ms']:.2f}x"
            )
        if "plain" in reports:
            print(
                f"(a) vs (c): median {reports['plain']['median_ms'] / ours['median_ms']:.1f}x "
                f"faster, p95 {reports['plain']['p95_ms'] / ours['p95_ms']:.1f}x faster"
            )
        print("hits for first queries:", json.dumps(ours["totals"], ensure_ascii=False))
    postgres = reports.get("postgres")
    if postgres:
        print(
            f"(e) first pass after opening: median {postgres['cold']['median_ms']:.2f} ms, "
            f"p95 {postgres['cold']['p95_ms']:.2f} ms; edit visible: median "
            f"{postgres['edit_visible_ms']['median_ms']:.0f} ms, max "
            f"{postgres['edit_visible_ms']['max_ms']:.0f} ms"
        )
        if ours:
            print(
                f"(e) vs (a): median {postgres['median_ms'] / ours['median_ms']:.2f}x, p95 "
                f"{postgres['p95_ms'] / ours['p95_ms']:.2f}x; same hit counts for the first "
                f"queries: {postgres['totals'] == ours['totals']}"
            )


if __name__ == "__main__":
    main()
