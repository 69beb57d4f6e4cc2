"""The data subject's rights: downloading one's own data, and deleting one's account (refused
while one is a firm's only owner; the audit trail stays, without the person in it)."""

import json

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.investors import introductions
from app.investors import service as investors
from app.models import (
    AuditEvent,
    Firm,
    FirmMember,
    FirmStatus,
    IntroductionRequest,
    InvestorProfile,
    MemberRole,
    Role,
    SavedSearch,
    Shortlist,
    User,
)
from tests.accounts.conftest import STRONG_PASSWORD, register, shown
from tests.conftest import csrf_token, login_as, make_user


def _firms(count: int) -> list[Firm]:
    return list(
        db.session.scalars(
            sa.select(Firm)
            .where(Firm.status == FirmStatus.PUBLISHED, ~Firm.members.any())
            .order_by(Firm.id)
            .limit(count)
        )
    )


def _investor_with_records() -> tuple[User, Firm]:
    investor = make_user("quyxanh@example.vn", Role.INVESTOR, name="Phạm Minh Quỹ")
    investor.password_hash = generate_password_hash(STRONG_PASSWORD)
    [firm] = _firms(1)
    db.session.add(InvestorProfile(user=investor, organisation="Quỹ Xanh", investor_type="fund"))
    db.session.commit()
    shortlist = investors.add_to_shortlist(investor, firm.id, new_name="Theo dõi")
    investors.save_note(investor, shortlist.id, firm.id, "Gặp giám đốc tháng sau")
    investors.save_search(investor, "Nước thải", {"q": ["nước thải"]}, "daily")
    introductions.request_introduction(investor, firm.id, "Quỹ chúng tôi muốn tìm hiểu dự án.")
    return investor, firm


def _business(role: MemberRole, firm: Firm, co_owner: bool = False) -> User:
    business = make_user("giamdoc@example.vn", Role.BUSINESS, name="Lê Văn Giám")
    business.password_hash = generate_password_hash(STRONG_PASSWORD)
    firm.members.append(FirmMember(user=business, role=role))
    if co_owner:
        other = make_user("dongchu@example.vn", Role.BUSINESS)
        firm.members.append(FirmMember(user=other, role=MemberRole.OWNER))
    db.session.commit()
    return business


def _delete(client, password: str = STRONG_PASSWORD):
    token = csrf_token(client, "/account/delete")
    return client.post("/account/delete", data={"password": password, "csrf_token": token})


def _user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_download_my_data_gives_the_investors_own_records_as_a_json_file(seeded_app, client):
    investor, firm = _investor_with_records()
    login_as(client, investor)

    response = client.get("/account/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "quyxanh@example.vn"
    assert data["account"]["name"] == "Phạm Minh Quỹ"
    assert data["investor_profile"]["organisation"] == "Quỹ Xanh"
    [shortlist] = data["shortlists"]
    assert shortlist["firms"][0]["id"] == firm.id
    assert shortlist["firms"][0]["note"] == "Gặp giám đốc tháng sau"
    assert [s["name"] for s in data["saved_searches"]] == ["Nước thải"]
    assert [i["message"] for i in data["introductions_requested"]] == [
        "Quỹ chúng tôi muốn tìm hiểu dự án."
    ]


def test_download_my_data_lists_the_firms_a_business_is_a_member_of(seeded_app, client):
    [firm] = _firms(1)
    business = _business(MemberRole.EDITOR, firm)
    login_as(client, business)

    data = client.get("/account/data.json").get_json()

    assert [(f["id"], f["role"]) for f in data["firms"]] == [(firm.id, "editor")]
    assert data["shortlists"] == [] and data["investor_profile"] is None


def test_download_my_data_needs_a_signed_in_account(client):
    response = client.get("/account/data.json")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleting_an_account_empties_it_deletes_its_records_and_signs_out(seeded_app, client):
    investor, firm = _investor_with_records()
    investor_id = investor.id
    login_as(client, investor)

    response = _delete(client)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = _user(investor_id)
    assert not user.active and "quyxanh" not in user.email and user.name != "Phạm Minh Quỹ"
    for model, owner in (
        (Shortlist, Shortlist.owner_id),
        (SavedSearch, SavedSearch.owner_id),
        (InvestorProfile, InvestorProfile.user_id),
        (IntroductionRequest, IntroductionRequest.investor_id),
    ):
        assert db.session.scalar(sa.select(model).where(owner == investor_id)) is None, model
    assert db.session.get(Firm, firm.id) is not None
    assert client.get("/account").status_code == 302  # signed out


def test_the_audit_trail_stays_without_the_persons_name_email_or_address(seeded_app, client):
    register(client, email="quyxanh@example.vn", name="Phạm Minh Quỹ", role="investor")
    user = db.session.scalar(sa.select(User).where(User.email == "quyxanh@example.vn"))
    user_id = user.id
    login_as(client, user)
    client.post(
        "/account",
        data={
            "name": "Phạm Minh Quỹ Mới",
            "language": "vi",
            "csrf_token": csrf_token(client, "/account"),
        },
    )

    _delete(client)

    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_kind == "user", AuditEvent.entity_id == user_id
        )
    ).all()
    assert {"user.register", "user.update_profile", "user.delete"} <= {e.action for e in events}
    kept = json.dumps([(e.before, e.after, e.ip) for e in events], ensure_ascii=False)
    assert "quyxanh" not in kept
    assert "Phạm Minh Quỹ" not in kept
    assert all(e.ip is None for e in events)


def test_the_same_address_can_sign_up_again_after_deleting(seeded_app, client):
    investor, _ = _investor_with_records()
    login_as(client, investor)
    _delete(client)

    register(client, email="quyxanh@example.vn", role="investor")

    assert db.session.scalar(sa.select(User).where(User.email == "quyxanh@example.vn"))


def test_deleting_is_refused_with_a_wrong_password(seeded_app, client):
    investor, _ = _investor_with_records()
    login_as(client, investor)

    response = _delete(client, password="not-my-password")

    assert response.status_code == 200
    assert shown("The password is not correct.") in response.get_data(as_text=True)
    assert _user(investor.id).active


def test_the_only_owner_of_a_firm_is_refused_and_told_what_to_do(seeded_app, client):
    [firm] = _firms(1)
    business = _business(MemberRole.OWNER, firm)
    login_as(client, business)

    page = client.get("/account/delete").get_data(as_text=True)
    response = _delete(client)

    assert firm.display_name in page
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    refusal = shown(
        "You are the only owner of %(firms)s. A listing must keep an owner: invite a colleague to "
        "it, then ask Sở Công Thương (see Contact) to make them its owner, or to archive the "
        "listing. Then you can delete your account.",
        firms=firm.display_name,
    )
    assert refusal in html
    user = _user(business.id)
    assert user.active and user.email == "giamdoc@example.vn"
    assert db.session.scalar(sa.select(FirmMember).where(FirmMember.user_id == business.id))


def test_an_owner_with_a_co_owner_or_an_editor_leaves_the_firm_which_stays(seeded_app, client):
    [firm] = _firms(1)
    business = _business(MemberRole.OWNER, firm, co_owner=True)
    login_as(client, business)

    _delete(client)

    assert not _user(business.id).active
    members = db.session.scalars(sa.select(FirmMember).where(FirmMember.firm_id == firm.id))
    assert [m.user.email for m in members] == ["dongchu@example.vn"]


def test_staff_accounts_are_closed_by_an_administrator_not_by_themselves(seeded_app, client):
    curator = db.session.scalar(sa.select(User).where(User.email == "curator@demo.cnmt.vn"))
    login_as(client, curator)

    assert client.get("/account/delete").status_code == 403
    assert "/account/delete" not in client.get("/account").get_data(as_text=True)
    assert client.get("/account/data.json").status_code == 200
