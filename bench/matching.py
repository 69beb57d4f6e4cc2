"""Matching speed and memory: one firm against 1,000 programmes + 300 zones + 100 incubators
(and every published firm as supplier or buyer), and one programme against every firm, at
1,000, 10,000 and 20,000 synthetic firms. Prints medians, p95, the growth from one size to the
next, and the process's memory.

    .venv/bin/python bench/matching.py [--sizes 1000,10000,20000] [--runs 20]

Targets on a 2-core machine (issue 12): one programme × 10,000 firms ≤ 300 ms median, one
firm ≤ 30 ms median, cost growing linearly (10× firms ≤ 11× time), resident memory ≤ 250 MB
at 10,000 firms. Everything runs on a throw-away SQLite database and index in a temporary
folder. The first call after a change of data rebuilds the profiles (see
`app.matching.service._profiles`); the figures are for the calls after it, which is what every
visitor but the first sees.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.domain.places import wards_of_province  # noqa: E402
from app.extensions import db  # noqa: E402
from app.matching import service  # noqa: E402
from app.models import (  # noqa: E402
    Agency,
    CatalogueItem,
    CatalogueLevel,
    Firm,
    Incubator,
    Programme,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import utcnow  # noqa: E402
from app.search.sync import rebuild_index  # noqa: E402
from config import Config  # noqa: E402
from seed.loader import load_seed_data  # noqa: E402
from seed.synthetic import add_synthetic_firms  # noqa: E402


def timed(function, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]


def add_candidates(rng: random.Random, programmes: int, zones: int, incubators: int) -> None:
    items = db.session.scalars(
        db.select(CatalogueItem).where(CatalogueItem.level == CatalogueLevel.ITEM)
    ).all()
    groups = db.session.scalars(
        db.select(CatalogueItem).where(CatalogueItem.level == CatalogueLevel.GROUP)
    ).all()
    agency = db.session.scalar(db.select(Agency))
    wards = [code for code, _ in wards_of_province()]
    today = date.today()
    for n in range(programmes):
        targets = rng.sample(items, 3) if rng.random() < 0.6 else rng.sample(groups, 1)
        db.session.add(
            Programme(
                slug=f"bench-programme-{n}",
                agency=agency,
                title_vi=f"Chương trình hỗ trợ {targets[0].name_vi} số {n}",
                summary_vi="Hỗ trợ doanh nghiệp công nghiệp môi trường đầu tư công nghệ.",
                support_types=["grant"],
                eligible_size_classes=rng.choice([[], ["micro", "small"], ["small", "medium"]]),
                opens_on=(opens := today - timedelta(days=rng.randint(-60, 300))),
                closes_on=opens + timedelta(days=rng.randint(30, 500)),
                min_firm_age_years=rng.choice([None, None, 2]),
                target_items=targets,
                published_at=utcnow(),
            )
        )
    for n in range(zones):
        db.session.add(
            Zone(
                slug=f"bench-zone-{n}",
                name_vi=f"Cụm công nghiệp thử số {n}",
                kind=ZoneKind.INDUSTRIAL_CLUSTER,
                status=rng.choice(list(ZoneStatus)),
                ward_code=rng.choice(wards),
                priority_items=rng.sample(groups, 2),
                wastewater_capacity_m3_day=rng.choice([None, 2000]),
                published_at=utcnow(),
            )
        )
    for n in range(incubators):
        db.session.add(
            Incubator(
                slug=f"bench-incubator-{n}",
                name_vi=f"Vườn ươm thử số {n}",
                host_organisation="Trường đại học",
                max_startup_age_years=rng.choice([None, 5]),
                focus_items=rng.sample(groups, 2),
            )
        )
    db.session.commit()


def memory_mb() -> tuple[float, float]:
    """Resident and peak resident memory of this process, in MB (Linux)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def configured(folder: str):
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite3"
    config.SEARCH_INDEX_DIR = f"{folder}/search_index"
    config.SEARCH_SYNC = "worker"  # build the index once per size
    config.MAIL_FILE_DIR = f"{folder}/mail"
    return create_app(config)


def measure(folder: str, runs: int) -> dict:
    """Timings and memory of a fresh process serving matching, as a web worker would: the
    process that built the data is not measured (building it costs far more memory)."""
    app = configured(folder)
    with app.app_context(), app.test_request_context():
        firm_id = db.session.scalar(db.select(Firm.id).order_by(Firm.id.desc()))
        programme_id = db.session.scalar(db.select(Programme.id).order_by(Programme.id))
        counts = {k: len(v) for k, v in service.match_firm(firm_id).items()}
        firms = len(service.match_programme(programme_id))
        firm_times = timed(lambda: service.match_firm(firm_id), runs)
        programme_times = timed(lambda: service.match_programme(programme_id), max(5, runs // 2))
        resident, peak = memory_mb()
        app.extensions["search_backend"].close()
    return {
        "counts": counts,
        "firms": firms,
        "firm": firm_times,
        "programme": programme_times,
        "resident": resident,
        "peak": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,20000")
    parser.add_argument("--programmes", type=int, default=1_000)
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--incubators", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    sizes = [int(n) for n in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        app = configured(folder)
        with app.app_context():
            db.create_all()
            load_seed_data(ROOT / "seed")
            add_candidates(random.Random(7), args.programmes, args.zones, args.incubators)
            for size in sizes:
                start = time.perf_counter()
                add_synthetic_firms(size, random_seed=7)
                indexed = rebuild_index(app)
                db.session.remove()
                took = time.perf_counter() - start
                print(f"{size} firms: setup {took:.1f} s, {indexed} documents")
                worker = subprocess.run(
                    [sys.executable, __file__, "--measure", folder, "--runs", str(args.runs)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                rows.append((size, json.loads(worker.stdout.strip().splitlines()[-1])))
            app.extensions["search_backend"].close()
    print()
    print("| firms | case | median ms | p95 ms | growth vs previous size | target |")
    print("|---|---|---|---|---|---|")
    previous = None
    for size, row in rows:
        growth = {"firm": "", "programme": ""}
        if previous:
            for case in growth:
                ratio = row[case][0] / previous[1][case][0]
                growth[case] = f"{ratio:.1f}× for {size / previous[0]:.0f}× firms"
        print(
            f"| {size} | one firm ({row['counts']}) | {row['firm'][0]:.1f} | {row['firm'][1]:.1f} "
            f"| {growth['firm']} | ≤ 30 ms |"
        )
        print(
            f"| {size} | one programme × {row['firms']} firms | {row['programme'][0]:.1f} "
            f"| {row['programme'][1]:.1f} | {growth['programme']} | ≤ 300 ms at 10,000; linear |"
        )
        previous = (size, row)
    print()
    print("| firms | worker resident MB after the runs | worker peak MB | target |")
    print("|---|---|---|---|")
    for size, row in rows:
        print(f"| {size} | {row['resident']:.0f} | {row['peak']:.0f} | ≤ 250 MB at 10,000 |")


if __name__ == "__main__":
    main()
