"""A business manages its own listing: create, fix, submit, revise, claim, share, logo."""

import io
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.firms import data as content
from app.models import (
    CatalogueItem,
    CatalogueLevel,
    Firm,
    FirmClaim,
    FirmInvitation,
    FirmRevision,
    FirmStatus,
    IndustryCode,
    MemberRole,
    ReviewState,
    Role,
    User,
)
from tests.conftest import csrf_token, login_as, make_user


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def new_business(email="moi@example.vn") -> User:
    return make_user(email, Role.BUSINESS, name="Chủ mới")


def items(count=2) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(CatalogueItem.id)
            .where(CatalogueItem.level == CatalogueLevel.ITEM)
            .order_by(CatalogueItem.id)
            .limit(count)
        )
    )


def form_data(client, url: str, **overrides) -> dict:
    code = db.session.scalar(sa.select(IndustryCode.id).where(IndustryCode.version == "2025"))
    first, second = items()
    data = {
        "csrf_token": csrf_token(client, url),
        "tax_code": "4300378569",
        "legal_name": "Công ty TNHH Môi trường Thử Nghiệm",
        "enterprise_type": "llc_multi_member",
        "province": "51",
        "ward_code": "21211",
        "sector_group": "agri_industry",
        "insured_employees": "8",
        "revenue_vnd": "2.000.000.000",
        "description_vi": "Xử lý nước thải cho làng nghề.",
        "offers": [str(first), str(second)],
        f"offer_note_{first}": "lắp đặt trọn gói",
        "industry_codes": [str(code)],
    }
    data.update(overrides)
    return data


@pytest.fixture
def owner(client):
    account = new_business()
    login_as(client, account)
    return account


def create_listing(client, **overrides) -> Firm:
    response = client.post("/my/firms/new", data=form_data(client, "/my/firms/new", **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    firm_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(Firm, firm_id)


def test_business_creates_a_draft_with_size_notes_and_owner(client, owner):
    firm = create_listing(client)
    assert firm.status == FirmStatus.DRAFT
    assert firm.size_class == "micro"
    assert [m.role for m in firm.members] == [MemberRole.OWNER]
    assert {link.note for link in firm.offerings} == {"lắp đặt trọn gói", None}
    assert client.get(f"/firms/{firm.slug}").status_code == 404


@pytest.mark.parametrize(
    ("tax_code", "message"),
    [("0100233480", "check digit"), ("12345", "10 digits")],
)
def test_wrong_tax_code_says_why_and_keeps_the_input(client, owner, tax_code, message):
    data = form_data(client, "/my/firms/new", tax_code=tax_code)
    response = client.post("/my/firms/new?lang=en", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Công ty TNHH Môi trường Thử Nghiệm" in html
    assert "2.000.000.000" in html
    assert "lắp đặt trọn gói" in html


def test_form_errors_are_in_vietnamese_by_default(client, owner):
    response = client.post("/my/firms/new", data=form_data(client, "/my/firms/new", tax_code="1"))
    assert "Mã số thuế" in response.get_data(as_text=True)


def test_existing_tax_code_offers_a_claim(client, owner):
    listed = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    data = form_data(client, "/my/firms/new", tax_code=listed.tax_code_display)
    response = client.post("/my/firms/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/my/firms/claim/{listed.id}")

    claim_url = f"/my/firms/claim/{listed.id}"
    evidence = "Tôi là giám đốc, có thể gọi văn phòng công ty để xác minh."
    response = client.post(
        claim_url, data={"csrf_token": csrf_token(client, claim_url), "evidence": evidence}
    )
    assert response.status_code == 302
    claim = db.session.scalar(sa.select(FirmClaim).where(FirmClaim.firm_id == listed.id))
    assert claim.user_id == owner.id and claim.state == ReviewState.PENDING


@pytest.mark.parametrize(
    "status",
    [
        FirmStatus.DRAFT,
        FirmStatus.SUBMITTED,
        FirmStatus.CHANGES_REQUESTED,
        FirmStatus.REJECTED,
        FirmStatus.ARCHIVED,
    ],
)
def test_only_published_firms_can_be_claimed_or_named_on_the_claim_page(client, owner, status):
    firm = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    firm.status = status
    db.session.commit()
    url = f"/my/firms/claim/{firm.id}"

    page = client.get(url)
    posted = client.post(
        url,
        data={"csrf_token": csrf_token(client, "/my/firms"), "evidence": "Tôi là giám đốc."},
    )

    assert page.status_code == posted.status_code == 404
    for response in (page, posted):
        html = response.get_data(as_text=True)
        assert firm.legal_name not in html and firm.display_name not in html
    assert db.session.scalar(sa.select(FirmClaim).where(FirmClaim.firm_id == firm.id)) is None


def test_tax_code_of_an_unpublished_listing_is_refused_without_naming_it(client, owner):
    draft = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    draft.status = FirmStatus.DRAFT
    db.session.commit()
    data = form_data(client, "/my/firms/new", tax_code=draft.tax_code_display)

    response = client.post("/my/firms/new?lang=en", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already registered" in html
    assert draft.legal_name not in html and draft.display_name not in html
    assert "Công ty TNHH Môi trường Thử Nghiệm" in html  # the form keeps what was typed


def test_an_unconfirmed_business_is_asked_to_confirm_its_address_before_listing(client):
    login_as(client, make_user("moi@example.vn", verified=False))

    page = client.get("/my/firms/new?lang=en")
    posted = client.post("/my/firms/new", data=form_data(client, "/my/firms"))

    html = page.get_data(as_text=True)
    assert page.status_code == posted.status_code == 403
    assert "Please confirm your e-mail address first" in html
    assert 'action="/verify/resend"' in html
    assert db.session.scalar(sa.select(Firm).where(Firm.tax_code == "4300378569")) is None


def test_submitting_needs_a_complete_listing(client, owner):
    firm = create_listing(client, offers=[], description_vi="")
    url = f"/my/firms/{firm.id}"
    client.post(f"{url}/submit", data={"csrf_token": csrf_token(client, url), "version": "1"})
    db.session.refresh(firm)
    assert firm.status == FirmStatus.DRAFT


def test_submit_sends_the_listing_to_curators(client, owner, seeded_app):
    firm = create_listing(client)
    url = f"/my/firms/{firm.id}"
    data = {"csrf_token": csrf_token(client, url), "version": str(firm.version)}
    assert client.post(f"{url}/submit", data=data).status_code == 302
    db.session.refresh(firm)
    assert firm.status == FirmStatus.SUBMITTED
    mails = list(Path(seeded_app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    recipients = {
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())["To"] for p in mails
    }
    assert "curator@demo.cnmt.vn" in recipients


def test_editing_a_published_listing_waits_for_a_curator(client):
    account = user("business@demo.cnmt.vn")
    login_as(client, account)
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=account.id)))
    before = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    url = f"/my/firms/{firm.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert firm.legal_name in page
    data = form_data(client, url, description_vi="Mô tả mới đang chờ duyệt")
    data["version"] = str(firm.version)
    data["legal_name"] = firm.legal_name
    response = client.post(url, data=data)
    assert response.status_code == 302
    revision = db.session.scalar(sa.select(FirmRevision).where(FirmRevision.firm_id == firm.id))
    assert revision.state == ReviewState.PENDING
    assert revision.data["description_vi"] == "Mô tả mới đang chờ duyệt"
    after = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    assert "Mô tả mới đang chờ duyệt" not in after
    assert firm.description_vi in before and firm.description_vi in after


def test_second_writer_gets_a_conflict_and_keeps_their_input(client, owner):
    firm = create_listing(client)
    url = f"/my/firms/{firm.id}/edit"
    stale = form_data(client, url, description_vi="Bản của người thứ hai")
    stale["version"] = str(firm.version)
    first = form_data(client, url, description_vi="Bản của người thứ nhất")
    first["version"] = str(firm.version)
    assert client.post(url, data=first).status_code == 302
    response = client.post(url + "?lang=en", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this listing" in html
    assert "Bản của người thứ hai" in html
    db.session.refresh(firm)
    assert firm.description_vi == "Bản của người thứ nhất"


def test_owner_invites_and_removes_an_editor(client, owner, seeded_app):
    firm = create_listing(client)
    colleague = new_business("dongnghiep@example.vn")
    url = f"/my/firms/{firm.id}"
    client.post(
        f"{url}/members", data={"csrf_token": csrf_token(client, url), "email": colleague.email}
    )
    db.session.refresh(firm)
    assert {(m.user_id, m.role) for m in firm.members} >= {(colleague.id, MemberRole.EDITOR)}

    client.post(
        f"{url}/members",
        data={"csrf_token": csrf_token(client, url), "email": "chuaco@example.vn"},
    )
    assert db.session.scalar(
        sa.select(FirmInvitation).where(FirmInvitation.email == "chuaco@example.vn")
    )
    mails = [p.read_bytes() for p in Path(seeded_app.config["MAIL_FILE_DIR"]).glob("*.eml")]
    assert any(b"chuaco@example.vn" in m for m in mails)

    client.post(
        f"{url}/members/remove",
        data={"csrf_token": csrf_token(client, url), "user_id": str(colleague.id)},
    )
    db.session.refresh(firm)
    assert colleague.id not in {m.user_id for m in firm.members}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 300), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def test_logo_is_checked_by_content_and_re_encoded(client, owner, seeded_app):
    firm = create_listing(client)
    url = f"/my/firms/{firm.id}"
    client.post(
        f"{url}/logo",
        data={"csrf_token": csrf_token(client, url), "logo": (io.BytesIO(_png()), "logo.png")},
        content_type="multipart/form-data",
    )
    db.session.refresh(firm)
    stored = Path(seeded_app.config["LOGO_DIR"]) / firm.logo_path
    with Image.open(stored) as image:
        assert image.format == "PNG" and max(image.size) <= 256

    response = client.post(
        f"{url}/logo?lang=en",
        data={
            "csrf_token": csrf_token(client, url),
            "logo": (io.BytesIO(b"<svg onload=alert(1)>"), "logo.png"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not a PNG, JPEG or WebP image" in response.get_data(as_text=True)


@pytest.mark.parametrize("size", [(12_000, 12_000), (5_000, 100)])
def test_huge_logo_is_refused_from_its_header_before_decoding(client, owner, size):
    # One-bit pixels compress to a few kilobytes; 12,000 × 12,000 decode to hundreds of MB.
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, format="PNG")
    png = buffer.getvalue()
    assert len(png) < 100_000
    firm = create_listing(client)
    url = f"/my/firms/{firm.id}"
    response = client.post(
        f"{url}/logo?lang=en",
        data={"csrf_token": csrf_token(client, url), "logo": (io.BytesIO(png), "logo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "at most 4,000 × 4,000 pixels" in response.get_data(as_text=True)
    db.session.refresh(firm)
    assert firm.logo_path is None


def test_another_business_cannot_see_or_change_the_listing(client, owner):
    firm = create_listing(client)
    login_as(client, new_business("khac@example.vn"))
    assert client.get(f"/my/firms/{firm.id}").status_code == 404
    assert client.get(f"/my/firms/{firm.id}/edit").status_code == 404
    response = client.post(f"/my/firms/{firm.id}/submit", data={"version": "1"})
    assert response.status_code in (400, 404)


def test_description_markup_never_executes(client, owner):
    firm = create_listing(
        client, description_vi='<script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    html = client.get(f"/my/firms/{firm.id}/edit").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    firm.status = FirmStatus.PUBLISHED
    db.session.commit()
    public = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    assert "<script>alert" not in public and "&lt;script&gt;" in public


def test_size_preview_uses_the_decree_rules(client):
    query = "sector=trade_services&employees=40&revenue=90.000.000.000"
    assert client.get(f"/firms/size-class?{query}").json["size_class"] == "small"
    assert client.get("/firms/size-class?sector=x&employees=").json["size_class"] is None


def test_snapshot_and_apply_round_trip(seeded_app):
    firm = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    data = content.snapshot(firm)
    data["offers"] = data["offers"][:1]
    data["description_vi"] = "Khác"
    content.apply(firm, data)
    db.session.commit()
    assert content.differences(content.snapshot(firm), data) == []


def test_a_form_opened_before_a_proposed_change_is_refused(client):
    """The pending change a form was built from is part of the version the form carries."""
    account = user("business@demo.cnmt.vn")
    login_as(client, account)
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=account.id)))
    url = f"/my/firms/{firm.id}/edit"
    opened = {"version": str(firm.version), "legal_name": firm.legal_name}
    first = form_data(client, url, description_vi="Thay đổi thứ nhất", **opened)
    second = form_data(client, url, description_vi="Thay đổi thứ hai", **opened)

    assert client.post(url, data=first).status_code == 302
    response = client.post(url + "?lang=en", data=second)

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this listing" in html and "Thay đổi thứ hai" in html
    db.session.refresh(firm)  # the form now carries the saved version: saving again replaces it
    assert f'name="version" type="hidden" value="{firm.version}"' in html
    pending = db.session.scalars(
        sa.select(FirmRevision).where(
            FirmRevision.firm_id == firm.id, FirmRevision.state == ReviewState.PENDING
        )
    )
    assert [revision.data["description_vi"] for revision in pending] == ["Thay đổi thứ nhất"]
