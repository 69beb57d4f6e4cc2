"""Personal API tokens: a secret a person gives a program so that it may use the JSON API
(/api/v1) in their name. Only the secret's SHA-256 digest is stored (app.accounts.api_tokens)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import enum_type, utcnow
from app.models.user import User


class ApiScope(StrEnum):
    READ = "read"
    WRITE = "write"  # also reads


class ApiToken(db.Model):
    """One token of one account: it works until it expires, is revoked, or the account is
    deactivated or deleted."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))  # what its owner calls it
    scope: Mapped[ApiScope] = mapped_column(enum_type(ApiScope, "api_scope"))
    # The hex SHA-256 digest of the secret: the secret itself is never stored.
    secret_digest: Mapped[str] = mapped_column(sa.String(64), unique=True, index=True)
    # The secret's first characters, so that its owner recognises it in the list.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_live(self, now: datetime | None = None) -> bool:
        """Not revoked and not expired (whether its account may still use it is another matter)."""
        return self.revoked_at is None and self.expires_at > (now or utcnow())

    def allows(self, scope: str) -> bool:
        """Whether the token grants `scope` ("read" or "write"): a write token also reads."""
        if scope == ApiScope.READ:
            return self.scope in (ApiScope.READ, ApiScope.WRITE)
        return scope == ApiScope.WRITE and self.scope == ApiScope.WRITE

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix} {self.scope}>"
