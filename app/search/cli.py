"""`flask search …`: keep the search index true to the database."""

import sys
import time

import click
from flask import current_app
from sqlalchemy.orm import Session

from app.extensions import db
from app.search.registry import public_keys
from app.search.sync import (
    DrainBusy,
    drain_outbox,
    index_differences,
    pending_changes,
    rebuild_index,
    stale_documents,
)
from app.search.views import bp
from search_index import IndexLocked

bp.cli.help = "Keep the search index true to the database."


@bp.cli.command("sync")
def sync_command() -> None:
    """Apply pending outbox rows (changes not yet in the index)."""

    report = drain_outbox(current_app._get_current_object(), lock_timeout=30.0)
    click.echo(f"Indexed {report.upserted}, removed {report.deleted}, waiting {report.remaining}.")


@bp.cli.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index from the database, swap it in, then apply edits made meanwhile."""

    with Session(db.engine) as session:
        total = len(public_keys(session))
    with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
        count = rebuild_index(current_app._get_current_object(), progress=_advance(bar))
    click.echo(f"Indexed {count} documents.")


@bp.cli.command("check")
@click.option(
    "--content",
    is_flag=True,
    help="Also compare every indexed document with the database (reads every record).",
)
def check_command(content: bool) -> None:
    """Report ids that differ between the database and the index, and with --content
    documents whose indexed content is stale (exit 1 if any)."""

    app = current_app._get_current_object()
    missing, extra = index_differences(app)
    stale: set[str] = set()
    if content:
        with Session(db.engine) as session:
            total = len(public_keys(session))
        with click.progressbar(length=total, label="Comparing", file=sys.stderr) as bar:
            stale = stale_documents(app, progress=_advance(bar))
    for key in sorted(missing):
        click.echo(f"missing from index: {key}")
    for key in sorted(extra):
        click.echo(f"extra in index: {key}")
    for key in sorted(stale):
        click.echo(f"stale in index: {key}")
    if missing or extra or stale:
        found = f"{len(missing)} missing, {len(extra)} extra"
        if content:
            found += f", {len(stale)} stale"
        waiting = pending_changes()
        if waiting:
            click.echo(
                f"{found}; {waiting} changes wait in the outbox: run `flask search sync` "
                "and check again (`flask search rebuild` if differences remain)."
            )
        else:
            click.echo(f"{found}: run `flask search rebuild`.")
        raise SystemExit(1)
    click.echo("Index matches the database.")


@bp.cli.command("worker")
@click.option("--interval", type=float, default=1.0, help="Seconds between outbox polls.")
@click.option("--once", is_flag=True, help="Drain once and exit.")
def worker_command(interval: float, once: bool) -> None:
    """Drain the outbox continuously (production, with SEARCH_SYNC=worker)."""

    app = current_app._get_current_object()
    while True:
        try:
            report = drain_outbox(app, lock_timeout=interval)
            if report.upserted or report.deleted:
                click.echo(f"Indexed {report.upserted}, removed {report.deleted}.")
        except (DrainBusy, IndexLocked):
            pass
        if once:
            return
        time.sleep(interval)


def _advance(bar):
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        bar.update(count - done)
        done = count

    return progress
