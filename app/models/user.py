"""People who sign in: businesses, investors, agency curators and administrators."""

import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.agency import Agency
from app.models.base import enum_type, utcnow


class Role(StrEnum):
    BUSINESS = "business"
    INVESTOR = "investor"
    CURATOR = "curator"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see validator), so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of every session's id (see get_id): replacing it ends all of the user's sessions, even
    # copies of a cookie. Replaced at logout and whenever the password changes.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    # Consent to the privacy notice (Decree 13/2023/NĐ-CP): when, and to which version of it.
    privacy_consent_at: Mapped[datetime | None]
    privacy_notice_version: Mapped[str | None] = mapped_column(sa.String(20))

    agency: Mapped[Agency | None] = relationship()

    @validates("email")
    def _lowercase_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: `<id>:<session token>`."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
