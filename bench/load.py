"""Home-page throughput under gunicorn while clients download exports (issue 10, item 4).

    .venv/bin/python bench/load.py [--instance DIR] [--port 5501] [--seconds 20]

Seeds an instance with 10,000 synthetic firms (`flask seed --synthetic 10000 --random-seed 7`,
in a temporary folder unless --instance names one already seeded), starts `gunicorn -w 4
wsgi:app` on it, then measures the home page alone (baseline) and again while --export-clients
clients download exports back to back. Prints requests/s, the ratio and every status seen.
Errors: for the home page anything but 2xx; for the export clients anything but 2xx and 429
(the rate limit answering is the defence working). Target: the home page keeps >= 50 % of its
baseline with 0 errors. The environment passes through (APP_CONFIG, DATABASE_URL, …).

Export clients are patient by default: after a 429 they wait as long as its Retry-After says,
as a browser user or a polite script does. --impatient makes them ask again at once (then the
429 pages themselves compete with the home page for the workers). --no-rate-limit serves the
same app with the limiter off, to see what the export cache does alone.
"""

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
EXPORTS = "/exports/firms.xlsx,/exports/firms.csv"


def app_without_rate_limits():
    """For gunicorn (`bench.load:app_without_rate_limits()`): wsgi.py's app, limiter off."""
    from app import create_app
    from config import CONFIGS

    config = CONFIGS[os.environ.get("APP_CONFIG", "default")]()
    config.RATELIMIT_ENABLED = False
    return create_app(config)


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


def fetch(port: int, path: str) -> tuple[object, int, float]:
    """One GET, reading the whole body (gunicorn's sync workers close every connection):
    status, bytes read, and the Retry-After the server asked for (0 if none)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        return response.status, size, float(response.getheader("Retry-After") or 0)
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__, 0, 0.0
    finally:
        connection.close()


def client(port: int, paths: list[str], stop: threading.Event, tally: Tally, patient: bool) -> None:
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
            thread = threading.Thread(target=client, args=(port, rotated, stop, tally, patient))
            threads.append(thread)
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, until - time.perf_counter()))
    stop.set()
    for thread in threads:
        thread.join()


def flask(instance: Path, *args: str) -> None:
    env = {**os.environ, "INSTANCE_DIR": str(instance), "FLASK_APP": "wsgi"}
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def prepare(instance: Path, firms: int) -> None:
    flask(instance, "db", "upgrade")
    marker = instance / f".bench-seeded-{firms}"
    if not marker.exists():
        print(f"seeding {firms:,} synthetic firms into {instance} (about a minute) …", flush=True)
        flask(instance, "seed", "--synthetic", str(firms), "--random-seed", "7")
        marker.touch()


def start_server(instance: Path, port: int, workers: int, app_spec: str) -> subprocess.Popen:
    env = {**os.environ, "INSTANCE_DIR": str(instance)}
    log = open(instance / "gunicorn.log", "ab")  # noqa: SIM115 (kept for the server's life)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "-t", "300"]
        + [app_spec],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {instance / 'gunicorn.log'}")
        if fetch(port, "/")[0] == 200:
            return server
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def summary(name: str, tally: Tally, seconds: float) -> str:
    latencies = sorted(tally.latencies) or [0.0]
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items(), key=str))
    median = statistics.median(latencies)
    return (
        f"{name:<26} {tally.count() / seconds:8.2f} req/s  p50 {median:6.3f} s"
        f"  p95 {p95:6.3f} s  [{statuses or 'none'}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--instance", type=Path, help="instance folder to seed or reuse")
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=5501)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="alone/during pairs of phases")
    parser.add_argument("--home-clients", type=int, default=4)
    parser.add_argument("--export-clients", type=int, default=8)
    parser.add_argument("--exports", default=EXPORTS, help="comma-separated export paths")
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument(
        "--impatient", action="store_true", help="export clients ignore Retry-After on a 429"
    )
    args = parser.parse_args()

    temporary = args.instance is None
    instance = Path(tempfile.mkdtemp(prefix="cnmt-load-")) if temporary else args.instance
    instance.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        prepare(instance, args.firms)
        shutil.rmtree(instance / "exports", ignore_errors=True)  # start with a cold cache
        app_spec = "bench.load:app_without_rate_limits()" if args.no_rate_limit else "wsgi:app"
        server = start_server(instance, args.port, args.workers, app_spec)
        home = ["/"]
        exports = args.exports.split(",")
        run_phase(args.port, 3, [(args.home_clients, home, Tally())])  # warm every worker
        # Alternate the phases, so that drift in the machine's load hits both alike.
        baseline, loaded, downloads = Tally(), Tally(), Tally()
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
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        if temporary:
            shutil.rmtree(instance, ignore_errors=True)

    seconds = args.seconds * args.rounds
    ratio = loaded.count() / baseline.count() if baseline.count() else 0.0
    errors = baseline.errors() + loaded.errors() + downloads.errors(allowed=(429,))
    print(
        f"gunicorn -w {args.workers} {app_spec}, {args.firms:,} firms, {args.rounds} rounds "
        f"of {args.seconds:g} s alone + {args.seconds:g} s during exports, "
        f"{args.home_clients} home-page clients, {args.export_clients} "
        f"{'impatient' if args.impatient else 'patient'} export clients cycling "
        + ", ".join(exports)
    )
    print(summary("home page alone", baseline, seconds))
    print(summary("home page during exports", loaded, seconds))
    print(summary("exports", downloads, seconds) + f"  {downloads.bytes / 1e6:.1f} MB")
    print(f"ratio {ratio:.2f} (target >= 0.50), errors {errors} (target 0)")


if __name__ == "__main__":
    main()
