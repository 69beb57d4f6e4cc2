"""Operator commands (`flask seed`, `flask listings remind`), registered by `create_app`."""

import sys
from pathlib import Path

import click
from flask import Flask

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


def register_cli(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--synthetic", type=int, default=0, help="Also add N synthetic sample firms.")
    @click.option("--random-seed", type=int, default=1, help="Seed for the synthetic firms.")
    def seed_command(synthetic: int, random_seed: int) -> None:
        """Load reference and sample data from seed/ (safe to repeat: adds only what is missing)."""
        from seed.loader import load_seed_data
        from seed.synthetic import add_synthetic_firms

        report = load_seed_data(SEED_DIR, progress=_progress)
        if synthetic:
            report.merge(add_synthetic_firms(synthetic, random_seed, progress=_progress))
        click.echo(report.summary())
        for line in report.demo_accounts:
            click.echo(line)

    app.cli.add_command(listings)


@click.group("listings")
def listings() -> None:
    """Reminders, expiry and renewal of what businesses list."""


@listings.command("remind")
@click.option(
    "--base-url",
    help="The site's public address for links, e.g. https://cnmt.example.vn "
    "(default: the SITE_URL setting).",
)
def remind_command(base_url: str | None) -> None:
    """The daily work on what businesses list (safe to run again: nothing is sent twice).

    Firm listings' yearly confirmation (app/firms/renewals.py): reminders 30 and 7 days before
    it is due, lapse after. Marketplace requests and offers (app/marketplace/renewals.py and
    alerts.py): expire past their expiry, remind owners 14 days and 1 day before, tell opted-in
    suppliers of new requests. Product certificates (app/products/reminders.py): remind 60 days
    before they end, note those that ended (which re-indexes their products' label facets).
    """
    from app.firms import renewals as firm_renewals
    from app.marketplace import alerts as market_alerts
    from app.marketplace import renewals as market_renewals
    from app.products import reminders as product_reminders
    from app.urls import use_site_url

    if base_url:
        try:
            use_site_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from None
    report = firm_renewals.send_reminders()
    click.echo(
        f"Firm listings: reminded {report.reminded} listing(s) ({report.messages} message(s)); "
        f"lapsed {len(report.lapsed)}."
    )
    for firm in report.lapsed:
        click.echo(f"  lapsed: {firm.tax_code} {firm.display_name}")
    if report.unreachable:
        click.echo(
            f"  Could not remind {len(report.unreachable)} listing(s): no member has an active "
            "account with a confirmed e-mail address."
        )
        for firm in report.unreachable:
            click.echo(f"    {firm.tax_code} {firm.display_name}")
    if report.conflicts:
        click.echo(f"  {report.conflicts} listing(s) changed during the run: run again.")
    reminders = market_renewals.send_reminders()
    suppliers = market_alerts.send_request_alerts()
    click.echo(
        f"Marketplace: expired {reminders.expired}; reminded {reminders.reminded} listing(s) "
        f"({reminders.sent} message(s) sent, {reminders.failed} failed); "
        f"told suppliers of {suppliers.requests} new request(s) "
        f"({suppliers.sent} message(s) sent, {suppliers.failed} failed)."
    )
    certificates = product_reminders.send_certificate_reminders()
    click.echo(
        f"Product certificates: reminded {certificates.certificates} ending within "
        f"{product_reminders.REMIND_DAYS} days ({certificates.messages} message(s)); "
        f"noted {certificates.expired_noted} expired."
    )
    for firm in certificates.unreachable:
        click.echo(f"  no member with a confirmed address to remind: {firm}")


def _progress(label: str, items):
    """Wrap an iterable in a progress bar on stderr."""
    return click.progressbar(items, label=label.ljust(24), file=sys.stderr)
