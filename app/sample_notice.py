"""Whether the page being rendered shows demo data, so that it says so at its top.

Templates call `mark_sample_data()` wherever they show a sample record (the sample badge and
the provenance line do); the base layout renders the page's content first, then puts the notice
above it when anything was marked."""

from flask import g


def mark_sample_data() -> str:
    g.shows_sample_data = True
    return ""


def shows_sample_data() -> bool:
    return g.get("shows_sample_data", False)
