"""Concurrent edits under gunicorn with SEARCH_SYNC=worker, and a search worker killed mid-drain
(issue 13, "Figures").

    .venv/bin/python bench/concurrency.py [--instance DIR] [--database-url URL]
                                          [--search-backend NAME] [--edits 100] [--firms 10000]

Seeds an instance as bench/load.py does (--firms synthetic firms), gives four business
accounts a published firm each and four more one firm together, and starts gunicorn with
--workers workers and SEARCH_SYNC=worker beside one `flask search worker`. Then:

1. Different firms: four clients at once, each --edits times reading its own firm's edit form
   and posting it back (CSRF token, version, a description marked with the edit's number).
2. Same firm: the four members of the shared firm do the same at once on their one firm; a
   form read before another member's save must be refused (409 with the conflict message in
   the user's language), never saved over it.
3. Kill mid-drain: the demo curator approves the pending changes of the five firms and renames
   the catalogue group every recycling firm shows (through the real forms), which queues every
   such document in the outbox; as soon as the worker holds the drain lock with rows still
   waiting it gets `kill -9`, then it is started again and drains what is left.

Counted: every edit answered 302 is in the database (its revision, with its mark, exactly
once; the last one per firm is the pending change, then the published text once approved); no
refused edit is; no two saves of the shared firm were based on the same version (that would be
a silent overwrite); every refusal carried the conflict message; the outbox is empty at the end
and `flask search check --content` reports 0 differences. Exit status 1 if any count is off.
"""

import argparse
import fcntl
import html
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from harness import (
    BIN,
    ROOT,
    Browser,
    bench_env,
    edited,
    ensure_editors,
    fetch,
    form_fields,
    in_app,
    prepare,
    start_server,
    stop_process,
)

CURATOR = ("curator@demo.cnmt.vn", "demo-curator-2026")
RENAMED_GROUP = "TC"
CONFLICT_MSGID = (
    "Someone else saved this listing while you were editing it. Your changes are "
    "still in the form: compare with the saved listing and save again."
)


class Outcomes:
    """Every edit a client tried: (firm id, mark, version sent, status, page showed conflict)."""

    def __init__(self):
        self.rows: list[tuple[int, str, str, object, bool]] = []
        self.lock = threading.Lock()

    def add(self, *row) -> None:
        with self.lock:
            self.rows.append(row)


def editor_client(
    port: int, email: str, firm_id: int, edits: int, tag: str, conflict: str, out: Outcomes
) -> None:
    browser = Browser(port)
    browser.login(email)
    path = f"/my/firms/{firm_id}/edit"
    for number in range(edits):
        status, page, _ = browser.request("GET", path)
        if status != 200:
            out.add(firm_id, "", "", f"form {status}", False)
            continue
        fields = form_fields(page, path)
        version = dict(fields).get("version", "")
        mark = f"{tag}-{number}"
        status, page, _ = browser.request("POST", path, edited(fields, mark))
        out.add(firm_id, mark, version, status, conflict in html.unescape(page))


def run_clients(port: int, plan: list[tuple[str, int]], edits: int, tag: str, conflict: str):
    out = Outcomes()
    threads = [
        threading.Thread(
            target=editor_client,
            args=(port, email, firm_id, edits, f"{tag}{index}", conflict, out),
        )
        for index, (email, firm_id) in enumerate(plan)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out, time.perf_counter() - started


def stored_marks(env: dict, firm_ids: list[int]) -> dict:
    """Per firm: the marks of its revisions (all states, in order), the pending one's mark and
    the published description's mark."""
    code = f"""
import json, re
import sqlalchemy as sa
from app.extensions import db
from app.models import Firm, FirmRevision, ReviewState
mark = re.compile(r"\\(bench edit ([0-9a-z-]+)\\)$")
def of(text):
    found = mark.search(text or "")
    return found.group(1) if found else None
result = {{}}
for firm_id in {firm_ids!r}:
    revisions = db.session.execute(sa.select(FirmRevision.data, FirmRevision.state)
        .where(FirmRevision.firm_id == firm_id).order_by(FirmRevision.id)).all()
    firm = db.session.get(Firm, firm_id)
    result[firm_id] = {{
        "marks": [of(data.get("description_vi")) for data, _ in revisions],
        "pending": [of(data.get("description_vi")) for data, state in revisions
                    if state == ReviewState.PENDING],
        "published": of(firm.description_vi),
    }}
print(json.dumps(result))
"""
    return {int(k): v for k, v in json.loads(in_app(env, code)).items()}


def conflict_message(env: dict) -> str:
    code = f"""
from flask_babel import force_locale, gettext
with app.test_request_context(), force_locale("vi"):
    print(gettext({CONFLICT_MSGID!r}))
"""
    return in_app(env, code).strip()


def pending_revisions(env: dict, firm_ids: list[int]) -> list[int]:
    code = f"""
import sqlalchemy as sa
from app.extensions import db
from app.models import FirmRevision, ReviewState
for rid in db.session.scalars(sa.select(FirmRevision.id).where(
        FirmRevision.firm_id.in_({firm_ids!r}), FirmRevision.state == ReviewState.PENDING)):
    print(rid)
"""
    return [int(line) for line in in_app(env, code).split()]


def group_item_id(env: dict, code: str) -> int:
    return int(
        in_app(
            env,
            f"""
import sqlalchemy as sa
from app.extensions import db
from app.models import CatalogueItem
print(db.session.scalar(sa.select(CatalogueItem.id).where(CatalogueItem.code == {code!r})))
""",
        )
    )


def backlog(port: int) -> int:
    _, body = _get_json(port, "/healthz")
    return int(body.get("outbox_backlog", -1)) if body else -1


def _get_json(port: int, path: str):
    browser = Browser(port)
    status, text, _ = browser.request("GET", path)
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


def drain_running(lock_path: Path) -> bool:
    """Whether a process holds the drain lock (the worker is applying rows) right now."""
    if not lock_path.exists():
        return False
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 (kept for the worker's life)
    return subprocess.Popen(
        [str(BIN / "flask"), "search", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def check_edits(name: str, out: Outcomes, stored: dict, shared: bool) -> list[str]:
    """Print the counts of one phase; return what is wrong."""
    statuses = Counter(status for *_, status, _ in out.rows)
    acked = [row for row in out.rows if row[3] == 302]
    refused = [row for row in out.rows if row[3] == 409]
    problems = []
    lost = []
    for firm_id, mark, *_ in acked:
        if stored[firm_id]["marks"].count(mark) != 1:
            lost.append(mark)
    leaked = [mark for firm_id, mark, *_ in refused if mark in stored[firm_id]["marks"]]
    unexplained = [row for row in refused if not row[4]]
    overwritten = 0
    for firm_id in {row[0] for row in acked}:
        versions = [row[2] for row in acked if row[0] == firm_id]
        overwritten += len(versions) - len(set(versions))
    last_wrong = 0
    for firm_id in {row[0] for row in acked}:
        mine = [row[1] for row in acked if row[0] == firm_id]
        # The saves of one firm follow each other (each claimed the version the previous left):
        # the newest revision in the database is the last save acknowledged.
        order = [m for m in stored[firm_id]["marks"] if m in set(mine)]
        if stored[firm_id]["pending"] != order[-1:] or order[-1:] != mine[-1:]:
            last_wrong += 1
    print(
        f"{name}: {len(out.rows)} edits, statuses {dict(statuses)}; acknowledged {len(acked)}, "
        f"refused as conflicts {len(refused)} (all with the message: {not unexplained}); "
        f"lost updates {len(lost)}, refused edits stored {len(leaked)}, saves on a version "
        f"another save had used {overwritten}, firms whose pending change is not the newest "
        f"save {last_wrong}"
    )
    others = sum(n for status, n in statuses.items() if status not in (302, 409))
    if others:
        problems.append(f"{name}: {others} answers neither 302 nor 409")
    if not shared and refused:
        problems.append(f"{name}: {len(refused)} conflicts without a concurrent writer")
    for label, count in (
        ("lost updates", len(lost)),
        ("refused edits stored", len(leaked)),
        ("refusals without the conflict message", len(unexplained)),
        ("silent overwrites", overwritten),
        ("pending change not the newest save", last_wrong),
    ):
        if count:
            problems.append(f"{name}: {label} {count}")
    return problems


def approve_and_rename(port: int, env: dict, firm_ids: list[int], rename: str) -> tuple[int, str]:
    """The curator approves the firms' pending changes and renames the recycling group; returns
    (changes approved, the group's new name)."""
    curator = Browser(port)
    curator.login(*CURATOR)
    approved = 0
    for revision_id in pending_revisions(env, firm_ids):
        _, page, _ = curator.request("GET", f"/curation/revisions/{revision_id}")
        action = f"/curation/revisions/{revision_id}/approve"
        status, _, _ = curator.request("POST", action, form_fields(page, action))
        approved += status == 302
    item_id = group_item_id(env, RENAMED_GROUP)
    path = f"/curation/refdata/catalogue/{item_id}"
    _, page, _ = curator.request("GET", path)
    fields = dict(form_fields(page, path))
    new_name = f"Tái chế chất thải ({rename})"
    fields["name_vi"] = new_name
    status, _, _ = curator.request("POST", path, list(fields.items()))
    if status != 302:
        raise SystemExit(f"renaming the group answered {status}")
    return approved, new_name


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--instance", type=Path, help="instance folder to seed or reuse")
    parser.add_argument("--database-url", help="DATABASE_URL for this run")
    parser.add_argument("--search-backend", help="SEARCH_BACKEND for this run")
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=100, help="edits per client")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=5502)
    parser.add_argument(
        "--kill-early", action="store_true", help="kill as soon as a drain runs (small outbox)"
    )
    args = parser.parse_args()

    temporary = args.instance is None
    instance = Path(tempfile.mkdtemp(prefix="cnmt-concurrency-")) if temporary else args.instance
    instance.mkdir(parents=True, exist_ok=True)
    env = bench_env(instance, args.database_url, args.search_backend)
    env["SEARCH_SYNC"] = "worker"
    lock_path = Path(env.get("SEARCH_INDEX_DIR", instance / "search_index")).with_suffix(
        ".drain.lock"
    )
    problems: list[str] = []
    server = worker = None
    try:
        prepare(env, args.firms)
        accounts = ensure_editors(env, args.workers, shared_firm_editors=args.workers)
        own, shared = accounts[: args.workers], accounts[args.workers :]
        firm_ids = sorted({firm_id for _, firm_id in accounts})
        conflict = conflict_message(env)
        server = start_server(env, args.port, args.workers, instance / "gunicorn.log")
        worker = start_worker(env, instance / "worker.log")
        tag = time.strftime("%H%M%S")
        print(
            f"gunicorn, {args.workers} workers, SEARCH_SYNC=worker, database "
            f"{env.get('DATABASE_URL', 'sqlite (instance)').split('@')[-1]}, search "
            f"{env.get('SEARCH_BACKEND', 'whoosh')}, {args.firms:,} firms; "
            f"{len(own)} clients × {args.edits} edits",
            flush=True,
        )

        out, seconds = run_clients(args.port, own, args.edits, f"d{tag}c", conflict)
        print(f"different firms: {seconds:.1f} s, {len(out.rows) / seconds:.1f} edits/s")
        stored = stored_marks(env, firm_ids)
        problems += check_edits("different firms", out, stored, shared=False)
        answered = out.rows

        out, seconds = run_clients(args.port, shared, args.edits, f"s{tag}c", conflict)
        print(f"same firm: {seconds:.1f} s, {len(out.rows) / seconds:.1f} edits/s")
        stored = stored_marks(env, firm_ids)
        problems += check_edits("same firm", out, stored, shared=True)
        answered += out.rows

        # Kill mid-drain ------------------------------------------------------------------------
        before = backlog(args.port)
        approved, new_name = approve_and_rename(args.port, env, firm_ids, tag)
        queued = backlog(args.port)
        killed_with = None
        deadline = time.monotonic() + 120
        # Killed once the drain has applied part of the rows (a batch of 1,000 committed, rows
        # left) and holds the lock for the next batch (--kill-early: as soon as it drains).
        while time.monotonic() < deadline and worker.poll() is None:
            waiting = backlog(args.port)
            if waiting == 0:
                break
            if drain_running(lock_path):
                applied = queued - waiting
                if applied >= min(1000, queued // 2) or args.kill_early:
                    stop_process(worker, sig=9)
                    killed_with = waiting
                    break
            time.sleep(0.01)
        after_kill = backlog(args.port)
        print(
            f"kill mid-drain: backlog {before} before; {approved} changes approved and group "
            f"{RENAMED_GROUP} renamed → {queued} rows queued; worker killed (-9) "
            + (
                f"while draining, {queued - killed_with} rows applied and {killed_with} waiting;"
                f" {after_kill} rows left"
                if killed_with is not None
                else "NOT in a drain: it had finished first"
            ),
            flush=True,
        )
        if killed_with is None:
            problems.append("the worker could not be killed in the middle of a drain")
        started = time.perf_counter()
        worker = start_worker(env, instance / "worker.log")
        while backlog(args.port) != 0 and time.perf_counter() - started < 300:
            time.sleep(0.2)
        drained = time.perf_counter() - started
        remaining = backlog(args.port)
        search_status = fetch(args.port, "/search?" + urlencode({"q": new_name}))[0]
    finally:
        if worker is not None:
            stop_process(worker)
        if server is not None:
            stop_process(server)

    check = subprocess.run(
        [str(BIN / "flask"), "search", "check", "--content"],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )
    verdict = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr
    print(
        f"after restart: outbox drained in {drained:.1f} s ({remaining} left); search for the "
        f"new group name {search_status}; `flask search check --content`: exit "
        f"{check.returncode}, {verdict!r}"
    )
    if remaining:
        problems.append(f"{remaining} outbox rows left")
    if check.returncode != 0:
        problems.append("flask search check reports differences")
    stored = stored_marks(env, firm_ids)
    unpublished = 0
    for firm_id in {row[0] for row in answered}:
        acked = [row[1] for row in answered if row[0] == firm_id and row[3] == 302]
        if acked and stored[firm_id]["published"] != acked[-1]:
            unpublished += 1
    print(f"approved firms whose public text is not their last acknowledged edit: {unpublished}")
    if unpublished:
        problems.append(f"{unpublished} approved firms do not show their last edit")
    if temporary:
        shutil.rmtree(instance, ignore_errors=True)
    print("OK: 0 lost updates, conflicts refused, index matches" if not problems else "PROBLEMS:")
    for problem in problems:
        print(f"  {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
