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
