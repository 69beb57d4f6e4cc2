"""`flask listings remind`: expire requests and offers past their expiry, remind owners 14 days
and 1 day before, and tell opted-in suppliers of new requests (cron-safe: nothing twice)."""

import click

from app.marketplace.alerts import send_request_alerts
from app.marketplace.renewals import send_reminders
from app.marketplace.views import bp
from app.urls import use_site_url

bp.cli.help = "Expiry, renewal reminders and supplier e-mails of marketplace listings."


@bp.cli.command("remind")
@click.option(
    "--base-url",
    help="The site's public address for links, e.g. https://cnmt.example.vn "
    "(default: the SITE_URL setting).",
)
def remind_command(base_url: str | None) -> None:
    """Expire what is due and send the reminders and supplier e-mails that are due; safe to
    run again (nothing is sent twice)."""
    if base_url:
        try:
            use_site_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    reminders = send_reminders()
    suppliers = send_request_alerts()
    click.echo(
        f"Expired {reminders.expired}; reminded {reminders.reminded} listing(s) "
        f"({reminders.sent} message(s) sent, {reminders.failed} failed); "
        f"told suppliers of {suppliers.requests} new request(s) "
        f"({suppliers.sent} message(s) sent, {suppliers.failed} failed)."
    )
