"""Slugs, the readable part of a record's public address: made from its name, unique in its
table."""

import sqlalchemy as sa

from app.domain.text import slugify
from app.extensions import db


def unique_slug(model, text: str, taken: set[str] | None = None) -> str:
    """A slug made from `text` that no `model` row holds yet: the plain one, else with -2, -3 ….

    A caller adding many records at once passes `taken`, the slugs already in use, instead of
    a query per record; the slug returned is added to it.
    """
    base = slugify(text)
    if taken is None:
        taken = set(
            db.session.scalars(
                sa.select(model.slug).where(
                    sa.or_(model.slug == base, model.slug.startswith(f"{base}-", autoescape=True))
                )
            )
        )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug)
    return slug
