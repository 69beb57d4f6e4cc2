"""`flask news …`: the cron side of news and success stories."""

import click

from app.news.service import publish_due
from app.news.views import bp

bp.cli.help = "News and success stories."


@bp.cli.command("publish-due")
def publish_due_command() -> None:
    """Mark published the scheduled articles whose time has come, which puts them in the search
    index. They are public from their time on even if this never runs; run it from cron every
    few minutes so search finds them too. Safe to run twice or at once: each article is
    published once."""

    count = publish_due()
    click.echo(f"Published {count} scheduled articles.")
