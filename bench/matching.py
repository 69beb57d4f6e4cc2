"""Matching speed: one firm against 1,000 programmes + 300 zones + 100 incubators, and one
programme against 10,000 synthetic firms. Prints median and p95 over repeated runs.

    .venv/bin/python bench/matching.py [--firms 10000] [--runs 20]

Targets on a 2-core machine: one firm ≤ 50 ms median; one programme vs 10,000 firms ≤ 1 s.
Everything runs on a throw-away SQLite database and index in a temporary folder.
"""

import argparse
import random
import statistics
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
                is_sample=True,
            )
        )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--programmes", type=int, default=1_000)
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--incubators", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Config()
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite3"
        config.SEARCH_INDEX_DIR = f"{folder}/search_index"
        config.SEARCH_SYNC = "worker"  # build the index once, at the end
        config.MAIL_FILE_DIR = f"{folder}/mail"
        app = create_app(config)
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            load_seed_data(ROOT / "seed")
            add_synthetic_firms(args.firms, random_seed=7)
            add_candidates(random.Random(7), args.programmes, args.zones, args.incubators)
            indexed = rebuild_index(app)
            print(f"setup: {time.perf_counter() - start:.1f} s, {indexed} documents indexed")
            firm_id = db.session.scalar(db.select(Firm.id).order_by(Firm.id.desc()))
            programme_id = db.session.scalar(db.select(Programme.id).order_by(Programme.id))
            counts = {k: len(v) for k, v in service.match_firm(firm_id).items()}
            firms = len(service.match_programme(programme_id))
            with app.test_request_context():
                firm_median, firm_p95 = timed(lambda: service.match_firm(firm_id), args.runs)
                prog_median, prog_p95 = timed(
                    lambda: service.match_programme(programme_id), max(5, args.runs // 4)
                )
            print()
            print("| case | candidates | median ms | p95 ms | target |")
            print("|---|---|---|---|---|")
            print(f"| one firm | {counts} | {firm_median:.1f} | {firm_p95:.1f} | median ≤ 50 ms |")
            print(
                f"| one programme | {firms} firms | {prog_median:.1f} | {prog_p95:.1f} "
                "| median ≤ 1000 ms |"
            )
            app.extensions["search_backend"].close()


if __name__ == "__main__":
    main()
