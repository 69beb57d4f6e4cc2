"""What a firm's public page leads to: its logo, "this is my firm", and pending claims."""

import io
import re

import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Firm, FirmStatus, Role, User
from tests.conftest import csrf_token, login_as, make_user

DEMO_BUSINESS = "business@demo.cnmt.vn"
DEMO_TAX_CODE = "4398388232"


def demo_firm() -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.tax_code == DEMO_TAX_CODE))


def upload_logo(client, firm: Firm) -> None:
    login_as(client, db.session.scalar(sa.select(User).where(User.email == DEMO_BUSINESS)))
    buffer = io.BytesIO()
    Image.new("RGB", (600, 300), "green").save(buffer, format="PNG")
    url = f"/my/firms/{firm.id}"
    client.post(
        f"{url}/logo",
        data={
            "csrf_token": csrf_token(client, url),
            "logo": (io.BytesIO(buffer.getvalue()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    with client.session_transaction() as session:
        session.clear()
    db.session.rollback()  # the test's next reads see the upload


def logo_tags(html: str, firm: Firm) -> list[str]:
    return re.findall(rf'<img [^>]*src="/firms/{firm.slug}/logo.png"[^>]*>', html)


def test_uploaded_logo_shows_on_the_public_page_and_the_firm_card(client):
    firm = demo_firm()
    assert firm.status == FirmStatus.PUBLISHED
    upload_logo(client, firm)

    page = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    cards = client.get(f"/firms?q={firm.legal_name}").get_data(as_text=True)

    for html in (page, cards):
        [tag] = logo_tags(html, firm)
        assert 'alt="Logo của' in tag or 'alt="Logo of' in tag
        assert 'loading="lazy"' in tag
        assert re.search(r'width="\d+" height="\d+"', tag)
    logo = client.get(f"/firms/{firm.slug}/logo.png")
    assert logo.status_code == 200 and logo.mimetype == "image/png"


def test_firm_without_a_logo_shows_no_image(client):
    firm = demo_firm()

    assert logo_tags(client.get(f"/firms/{firm.slug}").get_data(as_text=True), firm) == []


def test_logo_of_a_listing_no_longer_published_is_not_served(client):
    firm = demo_firm()
    upload_logo(client, firm)
    firm.status = FirmStatus.ARCHIVED
    db.session.commit()

    assert client.get(f"/firms/{firm.slug}/logo.png").status_code == 404
    html = client.get(f"/firms?q={firm.legal_name}").get_data(as_text=True)
    assert logo_tags(html, firm) == []


def business(email: str = "chu@example.vn") -> User:
    return make_user(email, Role.BUSINESS)


def claim_link(html: str) -> str | None:
    match = re.search(r'<p class="claim-offer[^"]*"><a href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_visitor_sees_this_is_my_firm_leading_to_login_then_the_claim(client):
    firm = demo_firm()

    link = claim_link(client.get(f"/firms/{firm.slug}").get_data(as_text=True))

    assert link == f"/login?next=/my/firms/claim/{firm.id}"


def test_business_without_membership_is_offered_the_claim_page(client):
    firm = demo_firm()
    login_as(client, business())

    link = claim_link(client.get(f"/firms/{firm.slug}").get_data(as_text=True))

    assert link == f"/my/firms/claim/{firm.id}"
    assert client.get(link).status_code == 200


def test_members_and_other_roles_are_not_offered_a_claim(client):
    firm = demo_firm()
    for account in (
        db.session.scalar(sa.select(User).where(User.email == DEMO_BUSINESS)),
        make_user("nha-dau-tu@example.vn", Role.INVESTOR),
    ):
        login_as(client, account)
        html = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
        assert "claim-offer" not in html


def test_after_claiming_my_firms_lists_the_pending_claim(client):
    firm = demo_firm()
    login_as(client, business())
    url = f"/my/firms/claim/{firm.id}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "evidence": "Tôi là giám đốc, gọi văn phòng công ty để xác minh.",
        },
    )
    assert response.headers["Location"] == "/my/firms"

    html = client.get("/my/firms").get_data(as_text=True)

    claims = html[html.index('id="claims"') :]
    assert firm.display_name in claims
    assert "Bạn chưa quản lý doanh nghiệp nào" not in html
    page = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    assert '<p class="claim-offer small muted">' in page
    assert claim_link(page) is None
