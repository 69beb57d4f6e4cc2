"""A storage for the rate limiter (Flask-Limiter, `limits`) in the application's own database.

`RATELIMIT_STORAGE_URI=database://` counts requests in the table `rate_limit_counter` of
DATABASE_URL: every gunicorn worker and every server behind the proxy share one count, with no
other server to run (Redis or memcached also work, with their driver installed). Fixed windows
only (Flask-Limiter's default strategy). Each call is one short statement in a transaction of its
own, never the request's: a refused request must not undo its count, nor a count the request's
work. Expired rows are restarted in place by the next hit and deleted now and then.
"""

import random
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool

from app.models import RateLimitCounter

SCHEME = "database"
UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# One hit in this many also deletes the rows that expired (they are only ever restarted).
SWEEP_ONE_IN = 200


class DatabaseStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        """`options["url"]` is the database (security.init_app passes the app's own)."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        # Rate-limited requests are few (downloads): a connection each, none kept open.
        self.engine = sa.create_engine(options["url"], poolclass=NullPool)
        self.upsert = UPSERTS[self.engine.dialect.name]
        self.table = RateLimitCounter.__table__

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = self.table
        expired = table.c.expires_at <= now
        statement = (
            self.upsert(table)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "hits": sa.case((expired, amount), else_=table.c.hits + amount),
                    "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
                },
            )
            .returning(table.c.hits)
        )
        with self.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if random.randrange(SWEEP_ONE_IN) == 0:
                connection.execute(sa.delete(table).where(expired))
        return hits

    def get(self, key: str) -> int:
        table = self.table
        with self.engine.connect() as connection:
            hits = connection.execute(
                sa.select(table.c.hits).where(table.c.key == key, table.c.expires_at > time.time())
            ).scalar()
        return hits or 0

    def get_expiry(self, key: str) -> float:
        table = self.table
        with self.engine.connect() as connection:
            expires = connection.execute(
                sa.select(table.c.expires_at).where(table.c.key == key)
            ).scalar()
        return max(expires or 0.0, time.time())

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(self.table)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(self.table).where(self.table.c.key == key))
