"""Shared steps for the curation tests: finding seeded users and firms, posting forms, mail."""

from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmMember, FirmStatus, MemberRole, Programme, User
from app.search.engine import search_backend
from tests.conftest import csrf_token, login_as, make_user

CURATOR = "curator@demo.cnmt.vn"
CURATOR_KHCN = "curator-khcn@demo.cnmt.vn"
ADMIN = "admin@demo.cnmt.vn"
BUSINESS = "business@demo.cnmt.vn"
INVESTOR = "investor@demo.cnmt.vn"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def firm_named(fragment: str) -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.legal_name.contains(fragment)))


def submitted_firm() -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.SUBMITTED))


def published_firm() -> Firm:
    return db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )


def programme_of(agency_code: str) -> Programme:
    return db.session.scalar(
        sa.select(Programme).where(Programme.agency.has(code=agency_code)).order_by(Programme.id)
    )


def add_owner(firm: Firm, email: str = "owner@example.vn", language: str = "vi") -> User:
    owner = make_user(email, name="Trần Thị Chủ", preferred_language=language)
    firm.members.append(FirmMember(user=owner, role=MemberRole.OWNER))
    db.session.commit()
    return owner


def as_user(client, email: str) -> User:
    """Log in as `email`, with English pages so that assertions can quote the msgids."""
    account = user(email)
    login_as(client, account)
    with client.session_transaction() as session:
        session["lang"] = "en"
    return account


def post_form(client, page_url: str, action_url: str, data: dict | None = None):
    """POST `data` to `action_url` with the CSRF token of the form on `page_url`."""
    return client.post(
        action_url, data={"csrf_token": csrf_token(client, page_url), **(data or {})}
    )


def confirmed_post(client, page_url: str, action_url: str, data: dict | None = None):
    """`post_form` as sent from the confirmation page of a destructive action."""
    return post_form(client, page_url, action_url, {**(data or {}), "confirm": "yes"})


def anonymous_token(client) -> str:
    """A valid CSRF token for a session that is not logged in (tokens belong to the session)."""
    as_user(client, CURATOR)
    token = csrf_token(client, "/curation/")
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    return token


def mails(app) -> list:
    folder = Path(app.config["MAIL_FILE_DIR"])
    if not folder.exists():
        return []
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def mails_to(app, email: str) -> list:
    return [m for m in mails(app) if m["To"] == email]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def found_firm_ids(app, query: str) -> set[int]:
    result = search_backend(app).search(query, kinds=["firm"], per_page=100)
    return {int(hit.id) for hit in result.hits}


def refreshed(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
