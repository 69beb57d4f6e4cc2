"""Growing delays after failed log-ins, counted in the database so that every worker shares them.

Each attempt counts on two counters: the account from its source, and the source address for all
accounts. The source is the address (see `TRUSTED_PROXY_COUNT`), or, for a browser that has
logged in to the account before, its known-device id: that browser then counts on its own, so
failures from anywhere else, even from the same address, never lock the owner out of it.

A counter that reaches its limit blocks its key for a minute; each further failure once the block
has ended doubles the delay, up to fifteen minutes. A successful log-in clears the account's
counter for that source (never the address's: logging in to one's own account must not reset the
count of guesses at others). A counter is forgotten an hour after its last failure.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.tokens import keyed_digest
from app.extensions import db
from app.models import LoginThrottle

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 10
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)

# Both dialects have INSERT … ON CONFLICT, which counts concurrent failures without a lost update.
UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Attempt:
    """Who tries to log in to which account: `device` is set for a known browser of it."""

    email: str
    address: str
    device: str | None = None

    def counters(self) -> list[tuple[str, int]]:
        """(key, limit) of every counter this attempt is checked against and counts on."""
        account = self.email.strip().lower()
        if self.device is not None:
            return [(keyed_digest("login-device", account, self.device), ACCOUNT_LIMIT)]
        return [
            (keyed_digest("login-pair", account, self.address), ACCOUNT_LIMIT),
            (keyed_digest("login-address", self.address), ADDRESS_LIMIT),
        ]


def delay(failures: int, limit: int) -> timedelta | None:
    """How long a counter at `failures` stays blocked (None: below its limit)."""
    if failures < limit:
        return None
    return min(FIRST_DELAY * 2 ** min(failures - limit, 10), MAX_DELAY)


def retry_at(attempt: Attempt, now: datetime) -> datetime | None:
    """When the attempt may be made, if one of its counters blocks it now."""
    keys = [key for key, _limit in attempt.counters()]
    return db.session.scalar(
        sa.select(sa.func.max(LoginThrottle.blocked_until)).where(
            LoginThrottle.key.in_(keys), LoginThrottle.blocked_until > now
        )
    )


def record_failure(attempt: Attempt, now: datetime) -> None:
    """Count a failed attempt on each of its counters (joins the caller's transaction)."""
    db.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
    )
    upsert = UPSERTS[db.session.get_bind().dialect.name]
    for key, limit in attempt.counters():
        statement = upsert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
        failures = db.session.scalar(
            statement.on_conflict_do_update(
                index_elements=[LoginThrottle.key],
                set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
            ).returning(LoginThrottle.failures)
        )
        blocked_for = delay(failures, limit)
        if blocked_for is not None:
            db.session.execute(
                sa.update(LoginThrottle)
                .where(LoginThrottle.key == key)
                .values(blocked_until=now + blocked_for)
            )


def record_success(attempt: Attempt) -> None:
    """Clear the account's counter for this source (joins the caller's transaction)."""
    account_key = attempt.counters()[0][0]
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == account_key))
