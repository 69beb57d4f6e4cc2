"""`flask events remind`: e-mail each confirmed attendee the day before their event (run from
cron, e.g. every morning; safe to run again: nobody is reminded twice)."""

import click

from app.events.reminders import send_reminders
from app.events.views import bp
from app.urls import use_site_url

bp.cli.help = "Events: reminders to attendees."


@bp.cli.command("remind")
@click.option(
    "--base-url",
    help="The site's public address for links, e.g. https://cnmt.example.vn "
    "(default: the SITE_URL setting).",
)
def remind_command(base_url: str | None) -> None:
    """Remind the confirmed attendees of events starting by the end of tomorrow; nothing is
    sent twice, even when two runs overlap."""
    if base_url:
        try:
            use_site_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    report = send_reminders()
    click.echo(f"Sent {report.sent} reminder(s), failed {report.failed}.")
