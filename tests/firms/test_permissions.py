"""Who may open and post to each business self-service page: one table, every role.

Pages of a listing answer 404 to everyone who is not one of its members (never another firm's
data); pages for businesses answer 403 to other account types; anonymous visitors go to log in.
Accounts whose e-mail address is not confirmed may look, but not list, claim, submit, invite or
register interest (403, with a page that says how to confirm).
"""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmMember, FirmStatus, MemberRole, Programme, Role, User
from tests.conftest import csrf_token, login_as, make_user

ROLES = (
    "anonymous",
    "owner",
    "editor",
    "unverified_owner",
    "other_business",
    "unverified_business",
    "investor",
    "curator_sct",
    "curator_khcn",
    "admin",
)
LOGIN = "login"
EVERYONE = (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200)
NOBODY = (LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, 404)
MEMBERS_ONLY = (LOGIN, 200, 200, 200, 404, 404, 404, 404, 404, 404)
MEMBERS_POST = (LOGIN, 302, 302, 403, 404, 404, 404, 404, 404, 404)
OWNER_POST = (LOGIN, 302, 403, 403, 404, 404, 404, 404, 404, 404)
BUSINESSES = (LOGIN, 200, 200, 403, 200, 403, 403, 403, 403, 403)
BUSINESSES_POST = (LOGIN, 302, 302, 403, 302, 403, 403, 403, 403, 403)

MATRIX = [
    ("GET", "/my/firms", EVERYONE),
    ("GET", "/my/firms/new", BUSINESSES),
    ("GET", "/my/firms/{firm}", MEMBERS_ONLY),
    ("GET", "/my/firms/{firm}/edit", MEMBERS_ONLY),
    ("GET", "/my/firms/{firm}/matches", MEMBERS_ONLY),
    ("POST", "/my/firms/{firm}/submit", MEMBERS_POST),
    ("POST", "/my/firms/{firm}/members", OWNER_POST),
    ("POST", "/my/firms/{firm}/members/remove", OWNER_POST),
    ("POST", "/my/firms/{firm}/interest", MEMBERS_POST),
    ("GET", "/my/firms/claim/{other_firm}", EVERYONE),
    ("POST", "/my/firms/claim/{other_firm}", BUSINESSES_POST),
    ("GET", "/my/firms/claim/{rejected_firm}", NOBODY),
    ("POST", "/my/firms/claim/{rejected_firm}", NOBODY),
]


def _member(firm: Firm, email: str, role: MemberRole, verified: bool = True) -> User:
    account = make_user(email, Role.BUSINESS, verified=verified)
    db.session.add(FirmMember(firm=firm, user=account, role=role))
    db.session.commit()
    return account


def _accounts(firm: Firm) -> dict[str, User | None]:
    by_email = {
        u.email: u for u in db.session.scalars(sa.select(User).where(User.email.like("%@demo%")))
    }
    return {
        "anonymous": None,
        "owner": by_email["business@demo.cnmt.vn"],
        "editor": _member(firm, "bientap@example.vn", MemberRole.EDITOR),
        "unverified_owner": _member(
            firm, "chua-xac-nhan@example.vn", MemberRole.OWNER, verified=False
        ),
        "other_business": make_user("khac@example.vn"),
        "unverified_business": make_user("moi-dang-ky@example.vn", verified=False),
        "investor": by_email["investor@demo.cnmt.vn"],
        "curator_sct": by_email["curator@demo.cnmt.vn"],
        "curator_khcn": by_email["curator-khcn@demo.cnmt.vn"],
        "admin": by_email["admin@demo.cnmt.vn"],
    }


def _form(kind: str, url: str, ids: dict) -> dict:
    return {
        "/my/firms/{firm}/submit": {"version": "1"},
        "/my/firms/{firm}/members": {"email": "moi@example.vn"},
        "/my/firms/{firm}/members/remove": {"user_id": str(ids["editor_id"])},
        "/my/firms/{firm}/interest": {
            "target_kind": "programme",
            "target_id": str(ids["programme"]),
            "message": "x",
        },
        "/my/firms/claim/{other_firm}": {"evidence": "Tôi là người đại diện theo pháp luật."},
        "/my/firms/claim/{rejected_firm}": {"evidence": "Tôi là người đại diện theo pháp luật."},
    }.get(url, {})


CASES = [
    pytest.param(method, url, role, expected, id=f"{method} {url} as {role}")
    for method, url, statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_permission_matrix(client, method, url, role, expected):
    owner = db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=owner.id)))
    other = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED, Firm.id != firm.id)
    )
    accounts = _accounts(firm)
    ids = {
        "firm": firm.id,
        "other_firm": other.id,
        "rejected_firm": db.session.scalars(
            sa.select(Firm.id).where(Firm.status == FirmStatus.REJECTED)
        ).one(),
        "editor_id": accounts["editor"].id,
        "programme": db.session.scalar(sa.select(Programme.id).where(Programme.public())),
    }
    target = url.format(**ids)
    if accounts[role] is not None:
        login_as(client, accounts[role])
    if method == "GET":
        response = client.get(target)
    else:
        # Any page with a form carries the session's token: the log-in page, or the header's
        # log-out form once logged in.
        token = csrf_token(client, "/login" if role == "anonymous" else "/firms")
        response = client.post(target, data={"csrf_token": token, **_form(role, url, ids)})
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:300]
