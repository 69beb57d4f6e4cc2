"""Failed log-ins counted in the database, so that every worker process sees the same counts."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class LoginThrottle(db.Model):
    """Failures for one counter: an account from one source, or one address for all accounts.

    `key` is a keyed digest (see `app.accounts.throttle`), so the table holds no addresses or
    e-mails in the clear. Rows are deleted an hour after their last failure.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None]


class RateLimitCounter(db.Model):
    """One fixed-window counter of the rate limiter (see `app.ratelimit`): requests counted in
    the database, so that every worker process and every server counts against the same limit.
    `expires_at` is a Unix time; an expired row is restarted by the next request."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)
