"""`flask products …`: the products area's operator commands (run from cron)."""

import click

from app.products.reminders import REMIND_DAYS, send_certificate_reminders
from app.products.views import bp

bp.cli.help = "Eco-labelled products (Plan 68/KH-UBND II.3)."


@bp.cli.command("remind")
def remind_command() -> None:
    """Remind firms of certificates that end soon, and note the ones that have expired.

    Safe to run from cron as often as you like (daily is enough): each certificate is reminded
    once for each expiry date, and each expiry re-indexes its product once.
    """
    counts = send_certificate_reminders()
    click.echo(
        f"Reminded {counts.certificates} certificate(s) ending within {REMIND_DAYS} days: "
        f"{counts.messages} message(s). Noted {counts.expired_noted} expired certificate(s)."
    )
    for firm in counts.unreachable:
        click.echo(f"  no member with a confirmed address to remind: {firm}")
