"""Operator commands (`flask seed`, …), registered on the app by `create_app`."""

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


def _progress(label: str, items):
    """Wrap an iterable in a progress bar on stderr."""
    return click.progressbar(items, label=label.ljust(24), file=sys.stderr)
