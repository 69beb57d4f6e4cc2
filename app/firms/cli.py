"""`flask listings remind`: the yearly confirmation of listings (run daily from cron)."""

import click

from app.firms.renewals import send_reminders
from app.firms.views import bp
from app.urls import use_site_url

bp.cli.help = "Listings' yearly confirmation: reminders before it is due, lapses after."


@bp.cli.command("remind")
@click.option(
    "--base-url",
    help="The site's public address for links, e.g. https://cnmt.example.vn "
    "(default: the SITE_URL setting).",
)
def remind_command(base_url: str | None) -> None:
    """Remind the members of listings due for their yearly confirmation (30 and 7 days
    before), and take off the directory those not confirmed in time.

    Safe to run from cron as often as you like: each listing is reminded once per round and
    period, and a lapsed listing stays lapsed until a member renews it.
    """
    if base_url:
        try:
            use_site_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    report = send_reminders()
    click.echo(
        f"Reminded {report.reminded} listing(s) ({report.messages} message(s)); "
        f"lapsed {len(report.lapsed)}."
    )
    for firm in report.lapsed:
        click.echo(f"  lapsed: {firm.tax_code} {firm.display_name}")
    if report.unreachable:
        click.echo(
            f"Could not remind {len(report.unreachable)} listing(s): no member has an active "
            "account with a confirmed e-mail address."
        )
        for firm in report.unreachable:
            click.echo(f"  {firm.tax_code} {firm.display_name}")
    if report.conflicts:
        click.echo(f"{report.conflicts} listing(s) changed during the run: run again.")
