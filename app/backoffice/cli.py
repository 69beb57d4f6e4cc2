"""`flask reports …`: the yearly data update's operator commands (run from cron)."""

import click

from app.backoffice.returns import send_reminders
from app.backoffice.views import bp

bp.cli.help = "The yearly data update of firms (Plan 68/KH-UBND)."


@bp.cli.command("remind")
@click.option(
    "--days",
    type=click.IntRange(min=0, max=366),
    default=14,
    show_default=True,
    help="Remind for open years whose deadline is at most this many days away.",
)
def remind_command(days: int) -> None:
    """E-mail the members of firms that have not submitted their return.

    Safe to run from cron as often as you like: each firm is reminded once per year and
    --days round, so `--days 14` daily and `--days 3` daily send two reminders in all.
    """

    report = send_reminders(days=days)
    if not report.years:
        click.echo(f"No open reporting year has its deadline within {days} days.")
        return
    years = ", ".join(str(year) for year in report.years)
    people = _count(len(report.recipients), "person", "people")
    click.echo(
        f"Reminded {_count(report.firms, 'firm')} for {years}: "
        f"{_count(report.messages, 'message')} to {people}."
    )
    if report.unreachable:
        click.echo(
            f"Could not remind {_count(len(report.unreachable), 'firm')}: no member has an active "
            "account with a confirmed e-mail address (see the to-do list on the year's page)."
        )
        for firm in report.unreachable:
            click.echo(f"  {firm.tax_code} {firm.display_name}")


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"
