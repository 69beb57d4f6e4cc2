"""Server figures under gunicorn: every public page against a bare route (issue 13), and the home
page while clients download exports (issue 10, item 4: --mode exports).

    .venv/bin/python bench/load.py [--instance DIR] [--database-url URL] [--search-backend NAME]
                                   [--seconds 10] [--rounds 2] [--clients 8] [--client-procs 2]
    .venv/bin/python bench/load.py --profile [--instance DIR] …   # where the time goes, per page
    .venv/bin/python bench/load.py --mode exports [--seconds 20] [--impatient] [--no-rate-limit]

Seeds an instance with 10,000 synthetic firms (`flask seed --synthetic 10000 --random-seed 7`;
a temporary folder unless --instance names one, which is seeded once and reused; on PostgreSQL
the firms are counted in the database, so a fresh database is seeded again), gives
--editors business accounts a synthetic firm each, and starts gunicorn with
deploy/gunicorn.conf.py and --workers workers on bench/harness.py's app (the real one plus
`/bench/bare`, a route returning a constant). --database-url and --search-backend set
DATABASE_URL and SEARCH_BACKEND for the seeding and the server; otherwise the environment
decides (APP_CONFIG, DATABASE_URL, … pass through).

Pages mode (the default) measures each page alone for --seconds, --rounds times in turn (so
drift in the machine's load hits every page alike), with --clients concurrent clients spread
over --client-procs processes (threads and http.client; each request a new connection, as
gunicorn's sync workers close them): a static file, the bare route, `/`, `/firms`, 20 firm
pages in turn, two searches, a suggestion, `/firms?page=1..50` (the deepest pages the result
window lets anyone browse), then a mixed profile: 90 % of requests are those pages at random,
10 % are edits by a logged-in business user of its own firm (the real edit form read, its CSRF
token and version sent back with a changed description; the save is a POST answered 302).

For each page: requests/s, p50 and p99 latency, the ratio of its throughput to the bare route's,
and the targets: 0 errors (anything but 2xx, and for an edit anything but its 200 form and 302
save), throughput >= 25 % of the bare route's, p99 <= 10 × p50. The client runs on the same
cores as the server: what it spends is not spent serving, which lowers the cheap routes most.

--profile serves the same pages in this process through Flask's test client under cProfile
(no gunicorn, one request at a time) and prints, per page, the time per request and where it
goes: own time by package and the costliest functions of our code (cumulative).
"""

import argparse
import cProfile
import multiprocessing
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from harness import (
    BARE,
    ROOT,
    Browser,
    bench_env,
    edited,
    ensure_editors,
    fetch,
    form_fields,
    prepare,
    start_server,
    stop_process,
)

EXPORTS = "/exports/firms.xlsx,/exports/firms.csv"
FIRM_PAGES = 20
DEEP_PAGES = 50  # RESULT_WINDOW 1000 / FIRMS_PER_PAGE 20: page 51 answers 404 by design
GROUP = "TC"  # Tái chế chất thải: 1,588 hits for "nhựa" at 10,000 firms
RATIO_TARGET = 0.25
SPREAD_TARGET = 10.0


def pages(firm_slugs: list[str]) -> list[tuple[str, list[str]]]:
    """(label, paths requested in turn) of every page measured."""
    return [
        ("static file", ["/static/css/site.css"]),
        ("bare route", [BARE]),
        ("/", ["/"]),
        ("/firms", ["/firms"]),
        (f"firm page ({len(firm_slugs)} firms)", [f"/firms/{slug}" for slug in firm_slugs]),
        ("/search?q=xu ly nuoc thai", ["/search?q=xu+ly+nuoc+thai"]),
        (f"/search?q=nhựa&group={GROUP}", [f"/search?q=nh%E1%BB%B1a&group={GROUP}"]),
        ("/search/suggest?q=nuoc", ["/search/suggest?q=nuoc"]),
        (f"/firms?page=1..{DEEP_PAGES}", [f"/firms?page={n}" for n in range(1, DEEP_PAGES + 1)]),
    ]


# Measuring -------------------------------------------------------------------------------------


@dataclass
class Result:
    statuses: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: "Result") -> None:
        self.statuses.update(other.statuses)
        self.latencies.extend(other.latencies)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    def errors(self, allowed: tuple = ()) -> int:
        return sum(
            n
            for status, n in self.statuses.items()
            if not (status in allowed or (isinstance(status, int) and 200 <= status < 300))
        )


@dataclass
class Job:
    """What one client process does: `threads` clients from `start` for `seconds`."""

    port: int
    paths: list
    threads: int
    start: float
    seconds: float
    editors: list = field(default_factory=list)  # (email, firm id), one per thread
    edit_share: float = 0.0
    seed: int = 0


def _client_process(job: Job) -> tuple[Result, Result]:
    """Run the job's client threads; (reads, edit requests) completed inside the window."""
    end = job.start + job.seconds
    reads, edits, lock = Result(), Result(), threading.Lock()

    def record(result: Result, status, started: float) -> None:
        finished = time.time()
        if started >= job.start and finished <= end:
            with lock:
                result.statuses[status] += 1
                result.latencies.append(finished - started)

    def client(index: int) -> None:
        rng = random.Random(job.seed * 1000 + index)
        browser = None
        if job.editors:
            email, firm_id = job.editors[index % len(job.editors)]
            browser = Browser(job.port)
            browser.login(email)
            edit_path = f"/my/firms/{firm_id}/edit"
        time.sleep(max(0.0, job.start - time.time()))
        turn = index
        while time.time() < end:
            if browser is not None and rng.random() < job.edit_share:
                started = time.time()
                status, page, _ = browser.request("GET", edit_path)
                record(edits, status, started)
                if status != 200:
                    continue
                fields = edited(form_fields(page, edit_path), f"{os.getpid()}-{index}-{turn}")
                started = time.time()
                status, _, _ = browser.request("POST", edit_path, fields)
                record(edits, "saved" if status == 302 else status, started)
            else:
                path = rng.choice(job.paths) if job.edit_share else job.paths[turn % len(job.paths)]
                started = time.time()
                status = fetch(job.port, path)[0]
                record(reads, status, started)
            turn += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(job.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reads, edits


def measure(
    port: int,
    paths: list[str],
    seconds: float,
    clients: int,
    procs: int,
    editors: list | None = None,
    edit_share: float = 0.0,
) -> tuple[Result, Result]:
    """`clients` clients over `procs` processes for `seconds`: (reads, edit requests)."""
    procs = max(1, min(procs, clients))
    start = time.time() + (3.0 if editors else 1.0)  # processes up, editors logged in
    jobs = []
    for number in range(procs):
        threads = clients // procs + (1 if number < clients % procs else 0)
        mine = (editors or [])[number::procs]
        jobs.append(Job(port, paths, threads, start, seconds, mine, edit_share, seed=number))
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        outcomes = pool.map(_client_process, jobs)
    reads, edits = Result(seconds=seconds), Result(seconds=seconds)
    for read, edit in outcomes:
        reads.add(read)
        edits.add(edit)
    return reads, edits


# Reporting -------------------------------------------------------------------------------------


def row(label: str, result: Result, bare_rate: float, allowed=(), target: bool = True) -> str:
    p50, p99 = result.percentile(0.50), result.percentile(0.99)
    spread = p99 / p50 if p50 else 0.0
    ratio = result.rate / bare_rate if bare_rate else 0.0
    errors = result.errors(allowed)
    misses = []
    if errors:
        misses.append("errors")
    if target and ratio < RATIO_TARGET:
        misses.append(f"<{RATIO_TARGET:.0%} of bare")
    if spread > SPREAD_TARGET:
        misses.append(f"p99>{SPREAD_TARGET:g}×p50")
    return (
        f"{label:<32} {result.rate:8.1f} {p50 * 1000:8.1f} {p99 * 1000:8.1f} {spread:7.1f}"
        f" {ratio:7.3f} {errors:6d}  {'MISS ' + ', '.join(misses) if misses else 'ok'}"
    )


HEADER = (
    f"{'page':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>7} {'÷ bare':>7}"
    f" {'errors':>6}  targets"
)


def firm_slugs(port: int, count: int) -> list[str]:
    browser = Browser(port)
    _, page, _ = browser.request("GET", "/firms")
    slugs = re.findall(r'href="/firms/([a-z0-9-]+)"', page)
    slugs = [s for s in dict.fromkeys(slugs) if s not in ("size-class",)]
    return slugs[:count]


def run_pages(args, env: dict, instance: Path) -> None:
    editors = ensure_editors(env, args.editors) if args.editors else []
    server = start_server(env, args.port, args.workers, instance / "gunicorn.log")
    try:
        slugs = firm_slugs(args.port, FIRM_PAGES)
        measured = pages(slugs)
        for _, paths in measured:  # warm every worker on every page
            measure(args.port, paths, 2.0, args.clients, args.client_procs)
        totals = {label: Result() for label, _ in measured}
        for number in range(1, args.rounds + 1):
            line = []
            for label, paths in measured:
                reads, _ = measure(args.port, paths, args.seconds, args.clients, args.client_procs)
                totals[label].add(reads)
                totals[label].seconds += args.seconds
                line.append(f"{label.split(' (')[0]} {reads.rate:.1f}")
            print(f"round {number} req/s: " + "; ".join(line), flush=True)
        # Every page but the static file and the bare route, equally likely.
        reads_paths = [paths[i % len(paths)] for _, paths in measured[2:] for i in range(5)]
        mixed_reads, mixed_edits = measure(
            args.port,
            reads_paths,
            args.seconds * args.rounds,
            args.clients,
            args.client_procs,
            editors=editors,
            edit_share=0.10,
        )
    finally:
        stop_process(server)

    bare = totals["bare route"].rate
    print(
        f"\ngunicorn -c deploy/gunicorn.conf.py, {args.workers} workers, {args.firms:,} firms, "
        f"database {env.get('DATABASE_URL', 'sqlite (instance)').split('@')[-1]}, search "
        f"{env.get('SEARCH_BACKEND', 'whoosh')}; {args.clients} clients in {args.client_procs} "
        f"processes; {args.rounds} × {args.seconds:g} s per page; {os.cpu_count()} cores shared "
        f"by server and client; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(HEADER)
    print("-" * len(HEADER))
    for label, _ in measured:
        print(row(label, totals[label], bare, target=label not in ("bare route",)))
    mixed = Result(seconds=args.seconds * args.rounds)
    mixed.add(mixed_reads)
    mixed.add(mixed_edits)
    print(row("mixed: 90 % reads, 10 % edits", mixed, bare, allowed=("saved",)))
    print(row("  of which reads", mixed_reads, bare, target=False))
    print(row("  of which edit requests", mixed_edits, bare, allowed=("saved",), target=False))
    print(f"edit requests: {dict(mixed_edits.statuses)} ('saved' = the POST answered 302)")
    errors = sum(r.errors() for r in totals.values()) + mixed.errors(allowed=("saved",))
    print(f"errors in all: {errors}")


# Profiling -------------------------------------------------------------------------------------

LIBRARIES = (
    ("/sqlalchemy/", "sqlalchemy"),
    ("/jinja2/", "jinja2"),
    ("/whoosh/", "whoosh"),
    ("/psycopg", "psycopg"),
    ("/werkzeug/", "werkzeug"),
    ("/flask", "flask & extensions"),
    ("/babel/", "babel"),
    ("/wtforms/", "wtforms"),
    ("/markupsafe/", "markupsafe"),
)


def _group(filename: str) -> str:
    """Where a function's own time is counted: our packages, a library, or the rest."""
    if filename.startswith(("~", "<")):
        return "builtins (C)"
    if "site-packages" not in filename:
        if "/app/" in filename:
            return "app (ours)"
        if "/search_index/" in filename:
            return "search_index (ours)"
        return "standard library"
    return next((name for marker, name in LIBRARIES if marker in filename), "other libraries")


class SqlTimer:
    """Statements run and the time spent in them (driver included), by statement text."""

    def __init__(self):
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.on = False
        self.count = 0
        self.by_statement: dict[str, float] = defaultdict(float)
        event.listen(Engine, "before_cursor_execute", self.before)
        event.listen(Engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.count += 1
            self.by_statement[statement] += time.perf_counter() - conn.info["bench_started"]


def run_profile(args, env: dict) -> None:
    os.environ.update(env)
    # The views' own cost: with the page cache on, every repeat would be a kept page.
    os.environ["PAGE_CACHE_BYTES"] = "0"
    sys.path.insert(0, str(ROOT))
    from harness import bench_app

    app = bench_app()
    client = app.test_client()
    sql = SqlTimer()
    slugs = re.findall(r'href="/firms/([a-z0-9-]+)"', client.get("/firms").get_data(as_text=True))
    slugs = list(dict.fromkeys(s for s in slugs if s != "size-class"))[:FIRM_PAGES]
    requests = args.profile_requests
    for label, paths in pages(slugs):
        for path in paths[:3]:
            client.get(path)  # warm: caches, first reads of the index
        # Timed without the profiler first (its overhead inflates Python-heavy pages).
        sql.on, sql.count, sql.by_statement = True, 0, defaultdict(float)
        started = time.perf_counter()
        for turn in range(requests):
            client.get(paths[turn % len(paths)]).close()
        plain = (time.perf_counter() - started) / requests * 1000
        sql.on = False
        profiler = cProfile.Profile()
        for turn in range(requests):
            profiler.enable()
            response = client.get(paths[turn % len(paths)])
            profiler.disable()
            response.close()
        stats = pstats.Stats(profiler)
        own: dict[str, float] = defaultdict(float)
        total = 0.0
        ours, hottest = [], []
        for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():
            own[_group(filename)] += tottime
            total += tottime
            short = filename.split("/h-serve/")[-1].split("/work/main/")[-1]
            short = short.split("site-packages/")[-1]
            hottest.append((tottime, f"{short}:{line} {name}"))
            if (
                "site-packages" not in filename
                and ("/app/" in filename or "/search_index/" in filename)
                and cumtime / requests > 0.0005
            ):
                ours.append((cumtime, calls, f"{short}:{line} {name}"))
        sql_ms = sum(sql.by_statement.values()) / requests * 1000
        print(
            f"\n{label}: {plain:.1f} ms per request in one process without the profiler; "
            f"SQL {sql.count / requests:.1f} statements, {sql_ms:.1f} ms"
        )
        for statement, seconds in sorted(sql.by_statement.items(), key=lambda kv: -kv[1])[:2]:
            text = " ".join(statement.split())
            print(f"  SQL {seconds / requests * 1000:6.1f} ms  {text[:150]}")
        shares = sorted(own.items(), key=lambda item: -item[1])
        print(
            "  own time (profiled): "
            + ", ".join(f"{name} {t / total:.0%}" for name, t in shares[:7] if total)
        )
        for tottime, where in sorted(hottest, reverse=True)[:4]:
            print(f"  own {tottime / requests * 1000:6.1f} ms  {where}")
        for cumtime, calls, where in sorted(ours, reverse=True)[: args.profile_top]:
            print(f"  {cumtime / requests * 1000:7.1f} ms  {calls / requests:7.1f} calls  {where}")


# Exports (issue 10, item 4) --------------------------------------------------------------------


class Tally:
    """Statuses, latencies and bytes of the requests that completed inside the current phase
    (a tally adds up the phases it is used in)."""

    def __init__(self):
        self.until = 0.0
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []
        self.bytes = 0
        self.lock = threading.Lock()

    def record(self, status, started: float, size: int) -> None:
        finished = time.perf_counter()
        if finished > self.until:
            return
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(finished - started)
            self.bytes += size

    def count(self) -> int:
        return sum(self.statuses.values())

    def errors(self, allowed=()) -> int:
        return sum(
            n
            for status, n in self.statuses.items()
            if not (isinstance(status, int) and (200 <= status < 300 or status in allowed))
        )


def export_client(
    port: int, paths: list[str], stop: threading.Event, tally: Tally, patient: bool
) -> None:
    """Requests back to back; a patient client waits as long as a 429's Retry-After says."""
    turn = 0
    while not stop.is_set():
        started = time.perf_counter()
        status, size, retry_after = fetch(port, paths[turn % len(paths)])
        tally.record(status, started, size)
        turn += 1
        if status == 429 and patient:
            stop.wait(retry_after)


def run_phase(
    port: int, seconds: float, groups: list[tuple[int, list[str], Tally]], patient: bool = True
) -> None:
    """Each group: that many client threads cycling through its paths for `seconds`, counted
    in its tally."""
    stop = threading.Event()
    until = time.perf_counter() + seconds
    threads = []
    for count, paths, tally in groups:
        tally.until = until
        for index in range(count):
            # Stagger the clients over the paths so that each kind is asked for at once.
            rotated = paths[index % len(paths) :] + paths[: index % len(paths)]
            thread = threading.Thread(
                target=export_client, args=(port, rotated, stop, tally, patient)
            )
            threads.append(thread)
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, until - time.perf_counter()))
    stop.set()
    for thread in threads:
        thread.join()


def summary(name: str, tally: Tally, seconds: float) -> str:
    latencies = sorted(tally.latencies) or [0.0]
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items(), key=str))
    median = statistics.median(latencies)
    return (
        f"{name:<26} {tally.count() / seconds:8.2f} req/s  p50 {median:6.3f} s"
        f"  p95 {p95:6.3f} s  [{statuses or 'none'}]"
    )


def run_exports(args, env: dict, instance: Path) -> None:
    shutil.rmtree(instance / "exports", ignore_errors=True)  # start with a cold cache
    if args.no_rate_limit:
        env = {**env, "BENCH_NO_RATE_LIMIT": "1"}
    server = start_server(env, args.port, args.workers, instance / "gunicorn.log")
    home = ["/"]
    exports = args.exports.split(",")
    baseline, loaded, downloads = Tally(), Tally(), Tally()
    try:
        run_phase(args.port, 3, [(args.home_clients, home, Tally())])  # warm every worker
        # Alternate the phases, so that drift in the machine's load hits both alike.
        for number in range(1, args.rounds + 1):
            before = baseline.count(), loaded.count()
            run_phase(args.port, args.seconds, [(args.home_clients, home, baseline)])
            run_phase(
                args.port,
                args.seconds,
                [(args.home_clients, home, loaded), (args.export_clients, exports, downloads)],
                patient=not args.impatient,
            )
            alone, during = baseline.count() - before[0], loaded.count() - before[1]
            print(
                f"round {number}: home page {alone / args.seconds:.2f} req/s alone, "
                f"{during / args.seconds:.2f} req/s during exports",
                flush=True,
            )
    finally:
        stop_process(server)

    seconds = args.seconds * args.rounds
    ratio = loaded.count() / baseline.count() if baseline.count() else 0.0
    errors = baseline.errors() + loaded.errors() + downloads.errors(allowed=(429,))
    print(
        f"gunicorn, {args.workers} workers{', rate limit off' if args.no_rate_limit else ''}, "
        f"{args.firms:,} firms, {args.rounds} rounds of {args.seconds:g} s alone + "
        f"{args.seconds:g} s during exports, {args.home_clients} home-page clients, "
        f"{args.export_clients} {'impatient' if args.impatient else 'patient'} export clients "
        "cycling " + ", ".join(exports)
    )
    print(summary("home page alone", baseline, seconds))
    print(summary("home page during exports", loaded, seconds))
    print(summary("exports", downloads, seconds) + f"  {downloads.bytes / 1e6:.1f} MB")
    print(f"ratio {ratio:.2f} (target >= 0.50), errors {errors} (target 0)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mode", choices=("pages", "exports"), default="pages")
    parser.add_argument("--instance", type=Path, help="instance folder to seed or reuse")
    parser.add_argument("--database-url", help="DATABASE_URL for this run")
    parser.add_argument("--search-backend", help="SEARCH_BACKEND for this run (e.g. postgres)")
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=5501)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, help="length of each phase (10; exports: 20)")
    parser.add_argument("--rounds", type=int, help="rounds over the pages (2; exports: 3)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (pages)")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes (pages)")
    parser.add_argument("--editors", type=int, default=8, help="business accounts (mixed)")
    parser.add_argument("--profile", action="store_true", help="profile each page in-process")
    parser.add_argument("--profile-requests", type=int, default=40)
    parser.add_argument("--profile-top", type=int, default=12)
    parser.add_argument("--home-clients", type=int, default=4, help="(exports)")
    parser.add_argument("--export-clients", type=int, default=8, help="(exports)")
    parser.add_argument("--exports", default=EXPORTS, help="comma-separated paths (exports)")
    parser.add_argument("--no-rate-limit", action="store_true", help="(exports)")
    parser.add_argument(
        "--impatient", action="store_true", help="export clients ignore Retry-After (exports)"
    )
    args = parser.parse_args()
    exports = args.mode == "exports"
    args.seconds = args.seconds or (20.0 if exports else 10.0)
    args.rounds = args.rounds or (3 if exports else 2)

    temporary = args.instance is None
    instance = Path(tempfile.mkdtemp(prefix="cnmt-load-")) if temporary else args.instance
    instance.mkdir(parents=True, exist_ok=True)
    env = bench_env(instance, args.database_url, args.search_backend)
    try:
        prepare(env, args.firms)
        if args.profile:
            run_profile(args, env)
        elif exports:
            run_exports(args, env, instance)
        else:
            run_pages(args, env, instance)
    finally:
        if temporary:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
