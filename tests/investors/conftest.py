"""Helpers for the investor tests: the demo accounts, a second investor, firm ids on a page,
firms that changed lately."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus, User
from app.models.base import utcnow

INVESTOR = "investor@demo.cnmt.vn"
BUSINESS = "business@demo.cnmt.vn"
CURATOR = "curator@demo.cnmt.vn"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def published_firms() -> list[Firm]:
    return list(
        db.session.scalars(
            sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
        )
    )


def owned_firm(owner: User) -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=owner.id)))


def slugs_in_table(html: str) -> list[str]:
    """Firm slugs in the discovery table, in the order shown."""
    return re.findall(r'<td><a href="/firms/([^"]+)">', html)


@pytest.fixture
def investor(seeded_app) -> User:
    return user(INVESTOR)


@pytest.fixture
def all_on_one_page(seeded_app):
    seeded_app.config["FIRMS_PER_PAGE"] = 200


@pytest.fixture
def quiet_firms(seeded_app):
    """Every firm last changed long ago; returns two seeking firms 'changed' an hour ago."""
    long_ago = utcnow() - timedelta(days=30)
    db.session.execute(sa.update(Firm).values(published_at=long_ago, updated_at=long_ago))
    seeking = [f for f in published_firms() if f.seeking_investment][:2]
    recent = utcnow() - timedelta(hours=1)
    db.session.execute(
        sa.update(Firm).where(Firm.id.in_([f.id for f in seeking])).values(updated_at=recent)
    )
    db.session.commit()
    return seeking
