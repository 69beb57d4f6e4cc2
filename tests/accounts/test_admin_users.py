"""Administrators manage accounts on the web: find accounts, create staff accounts (who choose
their password from an e-mailed link), change roles, deactivate and reactivate, through the same
service as `flask users`; nobody else may, and the site never loses its last administrator."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.accounts import service
from app.errors import Forbidden, ValidationError
from app.extensions import db
from app.models import AuditEvent, Role, User
from tests.accounts.conftest import STRONG_PASSWORD, link_path, sent_mail
from tests.conftest import csrf_token, login_as, make_user

ADMIN = "admin@demo.cnmt.vn"


def account(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def as_admin(client) -> User:
    admin = account(ADMIN)
    login_as(client, admin)
    with client.session_transaction() as session:
        session["lang"] = "en"
    return admin


def post(client, page: str, action: str, data: dict):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data})


def test_admin_finds_accounts_by_name_or_address_and_role(client):
    as_admin(client)

    html = client.get("/admin/users?q=KHCN&role=curator").get_data(as_text=True)
    assert "curator-khcn@demo.cnmt.vn" in html and "business@demo.cnmt.vn" not in html
    html = client.get("/admin/users?q=100%25_").get_data(as_text=True)
    assert "No account matches." in html


def test_new_staff_member_chooses_a_password_from_the_mailed_link(seeded_app, client):
    as_admin(client)

    response = post(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {
            "name": "Lê Thu Hà",
            "email": "Thu.Ha@skhcn.example.vn",
            "role": "curator",
            "agency": "SKHCN",
        },
    )

    assert response.status_code == 302
    staff = account("thu.ha@skhcn.example.vn")
    assert (staff.role, staff.agency.code, staff.name) == (Role.CURATOR, "SKHCN", "Lê Thu Hà")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.actor_id == account(ADMIN).id and event.entity_id == staff.id
    [mail] = [m for m in sent_mail(seeded_app) if m["To"] == staff.email]
    path = link_path(mail)  # on SITE_URL, whatever host the admin's request came to
    fresh = seeded_app.test_client()
    form = {"password": STRONG_PASSWORD, "password_confirm": STRONG_PASSWORD}
    assert post(fresh, path, path, form).status_code == 302
    login = {"email": staff.email, "password": STRONG_PASSWORD}
    assert post(fresh, "/login", "/login", login).status_code == 302


def test_a_curator_without_an_agency_is_refused_with_the_input_kept(client):
    as_admin(client)

    response = post(
        client,
        "/admin/users/new",
        "/admin/users/new",
        {"name": "Lê Thu Hà", "email": "ha@example.vn", "role": "curator", "agency": ""},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A curator belongs to an agency" in html and 'value="ha@example.vn"' in html
    assert account("ha@example.vn") is None


def test_admin_changes_a_role_and_deactivates_and_reactivates_an_account(client):
    as_admin(client)
    target = account("curator@demo.cnmt.vn")
    page = f"/admin/users/{target.id}"

    post(client, page, f"{page}/role", {"role": "curator", "agency": "SKHCN"})
    db.session.refresh(target)
    assert target.agency.code == "SKHCN"
    post(client, page, f"{page}/deactivate", {})
    db.session.refresh(target)
    assert not target.active
    post(client, page, f"{page}/reactivate", {})
    db.session.refresh(target)
    assert target.active
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_kind == "user", AuditEvent.entity_id == target.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["user.set_role", "user.deactivate", "user.reactivate"]
    assert "Reactivated" in client.get(page).get_data(as_text=True)


def test_an_admin_cannot_deactivate_themselves(client):
    admin = as_admin(client)
    make_user("second-admin@example.vn", Role.ADMIN)
    page = f"/admin/users/{admin.id}"

    post(client, page, f"{page}/deactivate", {})

    db.session.refresh(admin)
    assert admin.active


def test_the_last_admin_cannot_lose_the_role_nor_be_deactivated(seeded_app):
    admin = account(ADMIN)
    with seeded_app.test_request_context(), force_locale("en"):
        with pytest.raises(ValidationError, match="only active administrator"):
            service.set_user_role(admin, email=ADMIN, role="curator", agency_code="SCT")
        with pytest.raises(ValidationError, match="only active administrator"):
            service.deactivate_user(None, email=ADMIN)  # not even from the command line
        second = make_user("second-admin@example.vn", Role.ADMIN)
        service.set_user_role(second, email=ADMIN, role="curator", agency_code="SCT")
    assert account(ADMIN).role == Role.CURATOR


@pytest.mark.parametrize(
    "email", ["business@demo.cnmt.vn", "investor@demo.cnmt.vn", "curator@demo.cnmt.vn"]
)
def test_nobody_but_an_admin_opens_or_posts_to_the_admin_pages(client, email):
    target = account("curator-khcn@demo.cnmt.vn")
    login_as(client, account(email))
    token = csrf_token(client, "/account")
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{target.id}"):
        assert client.get(url).status_code == 403
    writes = {
        "/admin/users/new": {"name": "X", "email": "x@example.vn", "role": "admin", "agency": ""},
        f"/admin/users/{target.id}/role": {"role": "admin", "agency": ""},
        f"/admin/users/{target.id}/deactivate": {},
    }
    for url, data in writes.items():
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403
    db.session.refresh(target)
    assert target.role == Role.CURATOR and target.active
    assert account("x@example.vn") is None


def test_a_forged_request_without_the_csrf_token_changes_nothing(client):
    as_admin(client)
    target = account("curator-khcn@demo.cnmt.vn")

    response = client.post(f"/admin/users/{target.id}/role", data={"role": "admin"})

    assert response.status_code == 400
    db.session.refresh(target)
    assert target.role == Role.CURATOR


def test_the_service_refuses_a_web_actor_who_is_not_an_admin(seeded_app):
    with seeded_app.test_request_context(), pytest.raises(Forbidden):
        service.create_staff_user(
            account("curator@demo.cnmt.vn"), email="x@example.vn", role="admin"
        )


def test_admins_see_the_accounts_section_in_the_menu(client):
    as_admin(client)
    assert re.search(r'href="/admin/users"', client.get("/").get_data(as_text=True))
