"""`flask alerts send`: e-mail the saved-search alerts that are due; `flask alerts
purge-deleted`: remove the lists and searches deleted long ago (run both from cron)."""

import click

from app.investors.alerts import send_due_alerts
from app.investors.service import purge_deleted
from app.investors.views import bp
from app.urls import use_site_url

bp.cli.help = "Saved-search e-mail alerts, and deleted lists and searches, of investors."


@bp.cli.command("send")
@click.option(
    "--base-url",
    help="The site's public address for links, e.g. https://cnmt.example.vn "
    "(default: the SITE_URL setting).",
)
def send_command(base_url: str | None) -> None:
    """Send every alert that is due; safe to run again (nothing is sent twice)."""

    if base_url:
        try:
            use_site_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    report = send_due_alerts()
    click.echo(
        f"Sent {report.sent}, failed {report.failed}, "
        f"nothing new for {report.nothing_new} due search(es)."
    )


@bp.cli.command("purge-deleted")
def purge_deleted_command() -> None:
    """Remove for good the shortlists and saved searches deleted more than 30 days
    ago (until then their owners can restore them); safe to run again."""
    click.echo(f"Removed {purge_deleted()} deleted list(s) and saved search(es).")
