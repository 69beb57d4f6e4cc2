"""The JSON API under gunicorn against the HTML pages doing the same work (issue 16), and the cost
of a conditional GET answered 304 against the full answer.

    .venv/bin/python bench/api.py [--instance DIR] [--database-url URL] [--search-backend NAME]
                                  [--seconds 5] [--rounds 2] [--clients 8] [--client-procs 2]
                                  [--no-page-cache]

Seeds an instance as bench/load.py does (10,000 synthetic firms, `flask seed --synthetic 10000
--random-seed 7`; a temporary folder unless --instance names one, seeded once and reused) and
starts gunicorn with deploy/gunicorn.conf.py and --workers workers on bench/harness.py's app, the
rate limits off (BENCH_NO_RATE_LIMIT=1: the API allows 120 requests a minute per client, and
every request here comes from one address).

Pairs, each side measured alone for --seconds, --rounds times in turn (so drift in the machine's
load hits both alike), with --clients concurrent clients in --client-procs processes:

- /api/v1/firms against /firms (the newest 20 published firms);
- /api/v1/firms/<slug> against /firms/<slug> (20 firms in turn);
- /api/v1/search?q=…&kind=firm against /search?q=…&kind=firm (the same search, 20 firms);
- a conditional GET (If-None-Match with the answer's own ETag: a 304) against the full answer,
  for /api/v1/firms and for the firm pages; the target is a 304 costing ≤ 20 % of a full answer
  (per request, at the same concurrency: the ratio of the throughputs, full ÷ 304, and of the
  medians).

For each: requests/s, p50 and p99 latency, errors (anything but 2xx, or but 304 where one is
asked for) and the ratio of the API side to its baseline measured in the same run. The HTML
pages keep the site's page cache for visitors (PAGE_CACHE_BYTES) unless --no-page-cache: then
both sides do their work on every request. Times are printed, never asserted; the client shares
the cores with the server.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from harness import bench_env, prepare, start_server, stop_process
from load import Result

FIRMS = 20
SEARCH = "xu ly nuoc thai"
CONDITIONAL_TARGET = 0.20


def get(port: int, path: str, headers: dict | None = None) -> tuple[object, bytes, dict]:
    """One GET: status (or the exception's name), body and headers (lower-case names)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__, b"", {}
    finally:
        connection.close()


# Measuring -------------------------------------------------------------------------------------


@dataclass
class Job:
    port: int
    requests: list  # (path, headers) in turn
    threads: int
    start: float
    seconds: float


def _client_process(job: Job) -> Result:
    end = job.start + job.seconds
    result, lock = Result(), threading.Lock()

    def client(index: int) -> None:
        time.sleep(max(0.0, job.start - time.time()))
        turn = index
        while time.time() < end:
            path, headers = job.requests[turn % len(job.requests)]
            started = time.time()
            status = get(job.port, path, headers)[0]
            finished = time.time()
            if started >= job.start and finished <= end:
                with lock:
                    result.statuses[status] += 1
                    result.latencies.append(finished - started)
            turn += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(job.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def measure(port: int, requests: list, seconds: float, clients: int, procs: int) -> Result:
    """`clients` clients in `procs` processes asking for `requests` in turn for `seconds`."""
    procs = max(1, min(procs, clients))
    start = time.time() + 1.0
    jobs = [
        Job(port, requests, clients // procs + (1 if n < clients % procs else 0), start, seconds)
        for n in range(procs)
    ]
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        outcomes = pool.map(_client_process, jobs)
    total = Result(seconds=seconds)
    for outcome in outcomes:
        total.add(outcome)
    return total


# The run ---------------------------------------------------------------------------------------


def conditional(port: int, paths: list[str]) -> list:
    """Each path with If-None-Match: its own current ETag."""
    requests = []
    for path in paths:
        status, _, headers = get(port, path)
        if status != 200 or "etag" not in headers:
            raise SystemExit(f"{path} answered {status} without an ETag")
        requests.append((path, {"If-None-Match": headers["etag"]}))
    return requests


def pairs(port: int) -> list:
    """(label, API requests, baseline requests, status expected of the API) of every pair."""
    status, body, _ = get(port, f"/api/v1/firms?per_page={FIRMS}")
    if status != 200:
        raise SystemExit(f"/api/v1/firms answered {status}")
    slugs = [firm["slug"] for firm in json.loads(body)["items"]]
    plain = [(f"/api/v1/firms/{slug}", {}) for slug in slugs]
    found = [
        ("/api/v1/firms vs /firms", [("/api/v1/firms", {})], [("/firms", {})], 200),
        (
            f"one firm ({len(slugs)} in turn)",
            plain,
            [(f"/firms/{slug}", {}) for slug in slugs],
            200,
        ),
    ]
    # The firms tab on both sides: one search of one kind, 20 hits with facet counts. (The page's
    # "All" tab runs a search per kind for its overview; the API has no overview.)
    query = SEARCH.replace(" ", "+") + "&kind=firm"
    found.append(
        (
            f"search q={SEARCH}, firms",
            [(f"/api/v1/search?q={query}", {})],
            [(f"/search?q={query}", {})],
            200,
        )
    )
    found.append(
        (
            "304 vs 200: /api/v1/firms",
            conditional(port, ["/api/v1/firms"]),
            [("/api/v1/firms", {})],
            304,
        )
    )
    found.append(
        (
            f"304 vs 200: one firm ({len(slugs)})",
            conditional(port, [path for path, _ in plain]),
            plain,
            304,
        )
    )
    return found


def row(label: str, result: Result, baseline: Result | None, expected: int) -> str:
    p50, p99 = result.percentile(0.50), result.percentile(0.99)
    errors = sum(n for status, n in result.statuses.items() if status != expected)
    if baseline is None:
        return (
            f"  {label:<34} {result.rate:8.1f} {p50 * 1000:8.1f} {p99 * 1000:8.1f}"
            f" {'':>9} {'':>9} {errors:6d}"
        )
    rate = result.rate / baseline.rate if baseline.rate else 0.0
    median = p50 / baseline.percentile(0.50) if baseline.latencies else 0.0
    return (
        f"  {label:<34} {result.rate:8.1f} {p50 * 1000:8.1f} {p99 * 1000:8.1f}"
        f" {rate:8.2f}× {median:8.2f}× {errors:6d}"
    )


HEADER = (
    f"  {'':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'req/s ÷':>9} {'p50 ÷':>9} {'errors':>6}"
)


def run(args, env: dict, instance: Path) -> None:
    server = start_server(env, args.port, args.workers, instance / "gunicorn.log")
    try:
        measured = pairs(args.port)
        for _, api, baseline, _ in measured:  # warm every worker on every request
            measure(args.port, api + baseline, 2.0, args.clients, args.client_procs)
        totals = {label: (Result(), Result()) for label, *_ in measured}
        for number in range(1, args.rounds + 1):
            line = []
            for label, api, baseline, _ in measured:
                for side, requests in zip(totals[label], (baseline, api), strict=True):
                    result = measure(
                        args.port, requests, args.seconds, args.clients, args.client_procs
                    )
                    side.add(result)
                    side.seconds += args.seconds
                line.append(f"{label.split(' (')[0]} {totals[label][1].rate:.0f}")
            print(f"round {number} (API req/s so far): " + "; ".join(line), flush=True)
    finally:
        stop_process(server)

    cache = "off" if args.no_page_cache else "on (as served to visitors)"
    print(
        f"\ngunicorn -c deploy/gunicorn.conf.py, {args.workers} workers, {args.firms:,} firms, "
        f"database {env.get('DATABASE_URL', 'sqlite (instance)').split('@')[-1]}, search "
        f"{env.get('SEARCH_BACKEND', 'whoosh')}, page cache {cache}, rate limits off; "
        f"{args.clients} clients in {args.client_procs} processes; {args.rounds} × "
        f"{args.seconds:g} s per side; {os.cpu_count()} cores shared by server and client; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(HEADER)
    print("-" * len(HEADER))
    for label, _api, _baseline, expected in measured:
        base, answer = totals[label]
        conditional_pair = expected == 304
        print(label)
        print(
            row(
                "full answer (baseline)" if conditional_pair else "HTML page (baseline)",
                base,
                None,
                200,
            )
        )
        print(row("If-None-Match: 304" if conditional_pair else "API", answer, base, expected))
        if conditional_pair and answer.rate:
            cost = base.rate / answer.rate
            print(
                f"  a 304 costs {cost:.0%} of a full answer by throughput, "
                f"{answer.percentile(0.5) / base.percentile(0.5):.0%} by median "
                f"(target ≤ {CONDITIONAL_TARGET:.0%})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--instance", type=Path, help="instance folder to seed or reuse")
    parser.add_argument("--database-url", help="DATABASE_URL for this run")
    parser.add_argument("--search-backend", help="SEARCH_BACKEND for this run (e.g. postgres)")
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=5502)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each side's turn")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="HTML pages do their work every time"
    )
    args = parser.parse_args()

    temporary = args.instance is None
    instance = Path(tempfile.mkdtemp(prefix="cnmt-api-")) if temporary else args.instance
    instance.mkdir(parents=True, exist_ok=True)
    env = bench_env(instance, args.database_url, args.search_backend)
    try:
        prepare(env, args.firms)
        env = {**env, "BENCH_NO_RATE_LIMIT": "1"}
        if args.no_page_cache:
            env["PAGE_CACHE_BYTES"] = "0"
        run(args, env, instance)
    finally:
        if temporary:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
