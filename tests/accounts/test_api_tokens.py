"""Personal API tokens: only a digest is kept, the secret is shown once, `authenticate` refuses
every token that should not work, and tokens go with the account."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from werkzeug.security import generate_password_hash

from app.accounts import api_tokens, personal_data, service
from app.errors import Unauthenticated, ValidationError
from app.extensions import db
from app.models import ApiScope, ApiToken, AuditEvent, Role, User
from app.models.base import utcnow
from tests.accounts.conftest import STRONG_PASSWORD, shown
from tests.conftest import csrf_token, login_as, make_user

SECRET = re.compile(r"cnmt_[A-Za-z0-9_-]{43}")


def _token(user: User, name: str = "Báo cáo tháng", scope: str = "read", days: int = 90):
    return api_tokens.create_token(user, name, scope, days)


def _with_password(user: User) -> User:
    user.password_hash = generate_password_hash(STRONG_PASSWORD)
    db.session.commit()
    return user


def _reload(token: ApiToken) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token.id)


def _create_on_the_page(client, **fields):
    data = {"name": "Kịch bản báo cáo", "scope": "read", "days": "90"}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/account")
    return client.post("/account/api-tokens", data=data)


def _revoke(client, token: ApiToken, confirm: bool = True, with_csrf: bool = True):
    data = {"confirm": "yes"} if confirm else {}
    if with_csrf:
        data["csrf_token"] = csrf_token(client, "/account")
    return client.post(f"/account/api-tokens/{token.id}/revoke", data=data)


# --- what is stored -------------------------------------------------------------------------


def test_the_database_keeps_a_digest_of_the_secret_and_never_the_secret(app):
    user = make_user("lan@example.vn")

    token, secret = _token(user)

    assert SECRET.fullmatch(secret)
    assert token.secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[: api_tokens.DISPLAY_LENGTH]
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM api_token")).all()
        audit = connection.execute(sa.text("SELECT before, after FROM audit_event")).all()
    assert len(rows) == 1
    assert secret not in " ".join(str(value) for value in rows[0])
    assert secret not in str(audit)


def test_each_token_gets_its_own_secret(app):
    user = make_user("lan@example.vn")

    secrets = {_token(user)[1] for _ in range(3)}

    assert len(secrets) == 3


def test_the_token_lives_as_many_days_as_chosen(app):
    user = make_user("lan@example.vn")

    token, _ = _token(user, days=30)

    assert token.expires_at - token.created_at == timedelta(days=30)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"scope": "admin"}, "scope"),
        ({"days": 7}, "days"),
        ({"days": "ninety"}, "days"),
        ({"days": True}, "days"),
        ({"name": None, "scope": ["read"], "days": None}, "scope"),
        ({"name": 42}, "name"),
    ],
)
def test_a_token_with_a_bad_name_scope_or_lifetime_is_refused(app, fields, field):
    user = make_user("lan@example.vn")
    data = {"name": "Báo cáo", "scope": "read", "days": 90, **fields}

    with pytest.raises(ValidationError) as refusal:
        api_tokens.create_token(user, **data)

    assert field in refusal.value.errors
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_an_account_may_have_at_most_ten_working_tokens(app):
    user = make_user("lan@example.vn")
    tokens = [_token(user, name=f"Token {number}")[0] for number in range(10)]

    with pytest.raises(ValidationError) as refusal:
        _token(user, name="One too many")

    assert "10" in refusal.value.message
    api_tokens.revoke_token(user, tokens[0].id)
    expired = _reload(tokens[1])
    expired.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    _token(user, name="In place of the revoked one")
    _token(user, name="In place of the expired one")
    with pytest.raises(ValidationError):
        _token(user, name="One too many again")


def test_scopes_read_and_write_and_write_includes_read(app):
    user = make_user("lan@example.vn")
    reader, _ = _token(user, scope="read")
    writer, _ = _token(user, scope="write")

    assert (reader.allows("read"), reader.allows("write")) == (True, False)
    assert (writer.allows("read"), writer.allows("write")) == (True, True)
    assert not writer.allows("admin")


def test_a_deactivated_account_cannot_make_tokens(app):
    user = make_user("lan@example.vn", active=False)

    with pytest.raises(Exception) as refusal:
        _token(user)

    assert refusal.value.status == 403


# --- authenticate ---------------------------------------------------------------------------


def test_a_fresh_token_authenticates_as_its_account(app):
    user = make_user("lan@example.vn")
    token, secret = _token(user, scope="write")

    found = api_tokens.authenticate(secret)

    assert found.id == token.id
    assert found.user.id == user.id
    assert found.allows(ApiScope.WRITE)
    assert _reload(token).last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda secret: "",
        lambda secret: secret[:-1],
        lambda secret: secret + "A",
        lambda secret: secret.replace("cnmt_", "ckan_"),
        lambda secret: f"Bearer {secret}",
        lambda secret: secret[:-1] + ("A" if secret[-1] != "A" else "B"),  # well formed, unknown
        lambda secret: secret[:-3] + "\x00ab",
        lambda secret: None,
        lambda secret: hashlib.sha256(secret.encode()).hexdigest(),  # the digest is no secret
    ],
    ids=[
        "empty",
        "short",
        "long",
        "other prefix",
        "with scheme",
        "unknown",
        "control character",
        "none",
        "digest",
    ],
)
def test_wrong_or_malformed_tokens_are_refused(app, mangle):
    user = make_user("lan@example.vn")
    _, secret = _token(user)

    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(mangle(secret))


def test_a_revoked_token_is_refused(app):
    user = make_user("lan@example.vn")
    token, secret = _token(user)

    api_tokens.revoke_token(user, token.id)

    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(secret)


def test_an_expired_token_is_refused(app):
    user = make_user("lan@example.vn")
    token, secret = _token(user, days=30)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(secret)


def test_the_tokens_of_a_deactivated_account_are_refused_until_it_is_reactivated(app):
    admin = make_user("admin@example.vn", Role.ADMIN)
    user = make_user("lan@example.vn")
    _, secret = _token(user)

    service.deactivate_user(admin, email=user.email)

    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(secret)
    service.reactivate_user(admin, email=user.email)
    assert api_tokens.authenticate(secret).user_id == user.id


def test_deleting_the_account_deletes_its_tokens(app):
    user = _with_password(make_user("lan@example.vn"))
    _, secret = _token(user)

    personal_data.delete_account(user, STRONG_PASSWORD)

    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(secret)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_a_password_change_leaves_the_tokens_working(app):
    user = _with_password(make_user("lan@example.vn"))
    _, secret = _token(user)

    service.change_password(user, STRONG_PASSWORD, "Gió-nồm-thổi-qua-Sa-Huỳnh")

    assert api_tokens.authenticate(secret).user_id == user.id


def test_the_use_of_a_token_is_recorded_at_most_once_a_minute(app):
    user = make_user("lan@example.vn")
    token, secret = _token(user)
    api_tokens.authenticate(secret)
    first_use = _reload(token).last_used_at

    api_tokens.authenticate(secret)

    assert _reload(token).last_used_at == first_use
    earlier = first_use - api_tokens.LAST_USED_RESOLUTION
    _reload(token).last_used_at = earlier
    db.session.commit()
    api_tokens.authenticate(secret)
    assert _reload(token).last_used_at > earlier


def test_the_refusal_is_a_401_in_the_users_language(app):
    with force_locale("vi"):
        vietnamese = Unauthenticated()
    with force_locale("en"):
        english = Unauthenticated()

    assert vietnamese.status == english.status == 401
    assert english.message.startswith("The API token")
    assert vietnamese.message != english.message


# --- revoking -------------------------------------------------------------------------------


def test_revoking_asks_first_then_stops_the_token(seeded_app, client):
    user = make_user("lan@example.vn")
    token, secret = _token(user)
    login_as(client, user)

    question = _revoke(client, token, confirm=False)

    assert question.status_code == 200
    assert shown("Revoke the API token “%(name)s”?", name=token.name) in question.text
    assert _reload(token).revoked_at is None
    response = _revoke(client, token)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account#api-tokens")
    assert _reload(token).revoked_at is not None
    with pytest.raises(Unauthenticated):
        api_tokens.authenticate(secret)
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id, event.entity_id) == (
        "api_token.revoke",
        user.id,
        token.id,
    )


def test_another_account_cannot_revoke_your_token(seeded_app, client):
    owner = make_user("lan@example.vn")
    token, secret = _token(owner)
    login_as(client, make_user("khac@example.vn"))

    response = _revoke(client, token)

    assert response.status_code == 404
    assert _reload(token).revoked_at is None
    with pytest.raises(Exception) as refusal:
        api_tokens.revoke_token(db.session.get(User, owner.id + 1), token.id)
    assert refusal.value.status == 404
    assert api_tokens.authenticate(secret).id == token.id


def test_a_forged_revoke_without_the_csrf_token_is_refused(seeded_app, client):
    user = make_user("lan@example.vn")
    token, _ = _token(user)
    login_as(client, user)

    response = _revoke(client, token, with_csrf=False)

    assert response.status_code == 400
    assert _reload(token).revoked_at is None


def test_a_forged_create_without_the_csrf_token_makes_nothing(seeded_app, client):
    user = make_user("lan@example.vn")
    login_as(client, user)

    response = client.post(
        "/account/api-tokens", data={"name": "Lừa", "scope": "write", "days": "365"}
    )

    assert response.status_code == 400
    assert not SECRET.search(response.text)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


# --- the pages ------------------------------------------------------------------------------


def test_the_secret_is_shown_once_uncached_and_never_again(seeded_app, client):
    user = make_user("lan@example.vn")
    login_as(client, user)

    response = _create_on_the_page(client, name="Kịch bản báo cáo", scope="write", days="365")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    [secret] = set(SECRET.findall(response.text))
    assert "Authorization: Bearer " + secret in response.text
    assert "/api/v1" in response.text
    token = db.session.scalar(sa.select(ApiToken))
    assert (token.name, token.scope, token.user_id) == ("Kịch bản báo cáo", "write", user.id)
    assert token.expires_at - token.created_at == timedelta(days=365)
    with client.session_transaction() as session:
        assert secret not in json.dumps(dict(session), default=str)
    again = client.get("/account")
    assert secret not in again.text
    assert token.prefix + "…" in again.text


def test_the_profile_page_lists_the_tokens_with_a_revoke_button(seeded_app, client):
    user = make_user("lan@example.vn")
    live, _ = _token(user, name="Bảng tính của phòng")
    revoked, _ = _token(user, name="Máy cũ")
    api_tokens.revoke_token(user, revoked.id)
    long_gone, _ = _token(user, name="Đã lâu")
    long_gone = _reload(long_gone)
    long_gone.revoked_at = utcnow() - api_tokens.RECENT - timedelta(days=1)
    db.session.commit()
    _token(make_user("khac@example.vn"), name="Của người khác")
    login_as(client, user)

    page = client.get("/account").text

    assert "Bảng tính của phòng" in page and live.prefix in page
    assert f"/account/api-tokens/{live.id}/revoke" in page
    assert "Máy cũ" in page and f"/account/api-tokens/{revoked.id}/revoke" not in page
    assert shown("Revoked") in page
    assert "Đã lâu" not in page
    assert "Của người khác" not in page
    assert 'action="/account/api-tokens"' in page


def test_the_create_form_keeps_its_input_and_explains_its_errors(seeded_app, client):
    user = make_user("lan@example.vn")
    login_as(client, user)

    response = _create_on_the_page(client, name="   ", scope="write", days="7")

    assert response.status_code == 400
    page = response.text
    assert shown("Give the token a name, for example the program that uses it.") in page
    assert re.search(r'<input[^>]*checked[^>]*value="write"|value="write"[^>]*checked', page)
    assert shown("Not a valid choice.") in page
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_the_cap_is_explained_on_the_page(seeded_app, client):
    user = make_user("lan@example.vn")
    for number in range(api_tokens.MAX_LIVE_TOKENS):
        _token(user, name=f"Token {number}")
    login_as(client, user)

    response = _create_on_the_page(client, name="Thêm một")

    assert response.status_code == 400
    assert "Thêm một" in response.text
    assert not SECRET.search(response.text)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == api_tokens.MAX_LIVE_TOKENS


def test_my_data_lists_my_tokens_without_their_digests(seeded_app, client):
    user = make_user("lan@example.vn")
    token, secret = _token(user, name="Bảng tính", scope="write")
    api_tokens.authenticate(secret)
    login_as(client, user)

    response = client.get("/account/data.json")

    [listed] = response.get_json()["api_tokens"]
    assert listed["name"] == "Bảng tính"
    assert listed["prefix"] == token.prefix
    assert listed["scope"] == "write"
    assert listed["created_at"] and listed["expires_at"] and listed["last_used_at"]
    assert listed["revoked_at"] is None
    assert token.secret_digest not in response.text
    assert secret not in response.text
