"""Products with eco-labels: a business lists them, curators verify the certificates, the
public sees only verified, unexpired labels as verified; search, facets, photos, reminders."""

import io
from datetime import date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from app.audit import events_of
from app.domain import clock
from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import db
from app.models import (
    CatalogueItem,
    CertificateState,
    EcoLabel,
    Firm,
    FirmMember,
    FirmStatus,
    MemberRole,
    Product,
    ProductCertificate,
    User,
)
from app.products import reminders, service
from app.search.engine import search_backend
from tests.conftest import csrf_token, login_as, make_user

OWNER = "business@demo.cnmt.vn"
CURATOR = "curator@demo.cnmt.vn"
OTHER_CURATOR = "curator-khcn@demo.cnmt.vn"
INVESTOR = "investor@demo.cnmt.vn"
TODAY = clock.today()


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def owners_firm() -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.tax_code == "4398388232"))


def label(code: str) -> EcoLabel:
    return db.session.scalar(sa.select(EcoLabel).where(EcoLabel.code == code))


def item(code: str = "NT.TB.01") -> CatalogueItem:
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def new_product(name="Máy ép bùn trục vít ép khô", **data) -> Product:
    values = {"name_vi": name, "catalogue_item_id": item().id, **data}
    return service.create_product(user(OWNER), owners_firm(), values)


def certificate_data(**overrides) -> dict:
    return {
        "label_id": label("VN_GREEN_LABEL").id,
        "number": "NX-2026-001",
        "issuer": "Bộ Nông nghiệp và Môi trường",
        "valid_from": date(2026, 1, 1),
        "valid_until": TODAY + timedelta(days=400),
        "document_url": "https://example.vn/nx-2026-001.pdf",
        **overrides,
    }


def png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format="PNG")
    return buffer.getvalue()


def mails(app) -> list:
    parser = BytesParser(policy=policy.default)
    folder = Path(app.config["MAIL_FILE_DIR"])
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def product_hits(app, query: str = "", **filters) -> set[str]:
    result = search_backend(app).search(query, kinds=["product"], filters=filters, per_page=100)
    return {hit.stored["slug"] for hit in result.hits}


# A business lists its products -------------------------------------------------------------


def test_owner_lists_a_product_that_the_public_sees_on_its_page_and_the_firm_page(client):
    login_as(client, user(OWNER))
    firm = owners_firm()
    url = f"/my/firms/{firm.id}/products/new"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name_vi": "Máy ép bùn trục vít XTK",
            "name_en": "XTK screw sludge press",
            "catalogue_item_id": str(item().id),
            "description_vi": "Ép bùn sau bể lắng.",
            "specifications": "Công suất: 5 m³/giờ\nĐộ ẩm bùn sau ép: 75–80 %",
        },
    )
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product).where(Product.name_vi.like("Máy ép bùn%")))
    assert product.specifications == [
        ["Công suất", "5 m³/giờ"],
        ["Độ ẩm bùn sau ép", "75–80 %"],
    ]
    assert [e.action for e in events_of("product", product.id)] == ["product.create"]

    client.get("/logout")
    page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Máy ép bùn trục vít XTK" in page and "Độ ẩm bùn sau ép" in page
    assert "Máy ép bùn trục vít XTK" in client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    catalogue_page = client.get(f"/catalogue/{item().code}").get_data(as_text=True)
    assert "Máy ép bùn trục vít XTK" in catalogue_page


def test_products_of_a_firm_that_is_not_published_are_not_public(client):
    draft = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.DRAFT))
    member = make_user("nhap@example.vn")
    db.session.add(FirmMember(firm=draft, user=member, role=MemberRole.OWNER))
    db.session.commit()
    product = service.create_product(member, draft, {"name_vi": "Sản phẩm nháp"})
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert product.slug not in product_hits(client.application, "nháp")
    assert "Sản phẩm nháp" not in client.get("/products").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_vi", "", "This field is required."),
        ("specifications", "Công suất 5 m³/giờ", "“name: value”"),
        ("catalogue_item_id", "999999", "Not a valid choice."),
        ("name_vi", "x" * 201, "200"),
    ],
)
def test_bad_input_is_refused_with_the_input_kept(client, field, value, message):
    login_as(client, user(OWNER))
    url = f"/my/firms/{owners_firm().id}/products/new?lang=en"
    data = {"csrf_token": csrf_token(client, url), "name_vi": "Bồn hợp khối", field: value}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "Bồn hợp khối" in page or field == "name_vi"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Product.id)).where(Product.name_vi == "Bồn hợp khối")
        )
        == 0
    )


def test_the_service_refuses_what_the_form_would_have_caught(seeded_app):
    with pytest.raises(ValidationError) as refused:
        service.create_product(
            user(OWNER),
            owners_firm(),
            {"name_vi": " ", "catalogue_item_id": 999_999, "specifications": [["", "x"]]},
        )
    assert set(refused.value.errors) == {"name_vi", "catalogue_item_id", "specifications"}


def test_a_stale_edit_is_a_conflict_and_keeps_the_input(client):
    product = new_product()
    login_as(client, user(OWNER))
    url = f"/my/products/{product.id}/edit"
    token = csrf_token(client, url)
    service.update_product(user(OWNER), product, {"name_vi": "Tên mới"}, product.version)
    response = client.post(
        url, data={"csrf_token": token, "version": "1", "name_vi": "Tên của tôi"}
    )
    assert response.status_code == 409
    assert "Tên của tôi" in response.get_data(as_text=True)
    db.session.refresh(product)
    assert product.name_vi == "Tên mới"
    with pytest.raises(Conflict):
        service.update_product(user(OWNER), product, {"name_vi": "Lần nữa"}, 1)


# Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [(OWNER, 200), ("other", 404), (INVESTOR, 404), (CURATOR, 404), (OTHER_CURATOR, 404)],
)
def test_only_the_firms_members_open_a_products_own_page(client, who, status):
    product = new_product()
    account = make_user("khac@example.vn") if who == "other" else user(who)
    login_as(client, account)
    assert client.get(f"/my/products/{product.id}").status_code == status
    assert client.get(f"/my/products/{product.id}/edit").status_code == status


def test_a_visitor_is_sent_to_log_in_and_another_business_cannot_write(client):
    product = new_product()
    assert client.get(f"/my/products/{product.id}").status_code == 302
    other = make_user("khac@example.vn")
    with pytest.raises(NotFound):
        service.get_my_product(other, product.id)
    with pytest.raises(Forbidden):
        service.update_product(other, product, {"name_vi": "Của tôi"}, product.version)
    with pytest.raises(Forbidden):
        service.create_product(other, owners_firm(), {"name_vi": "Của tôi"})


@pytest.mark.parametrize(
    ("who", "status"),
    [(CURATOR, 200), (OTHER_CURATOR, 403), (OWNER, 403), (INVESTOR, 403), (None, 302)],
)
def test_only_reviewers_open_the_certificate_queue_and_the_labels(client, who, status):
    if who:
        login_as(client, user(who))
    assert client.get("/curation/certificates").status_code == status
    assert client.get("/curation/labels").status_code == status


# Certificates and their verification -------------------------------------------------------


def test_a_label_is_shown_as_verified_only_once_a_curator_verified_it(client):
    product = new_product()
    certificate = service.add_certificate(user(OWNER), product, certificate_data())
    page = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    assert "Vietnam Green Label" in page and "Not verified yet" in page
    assert "Verified by Sở Công Thương" not in page
    assert product.slug not in product_hits(client.application, labelled=["yes"])

    with pytest.raises(Forbidden):
        service.verify_certificate(user(OTHER_CURATOR), certificate, certificate.version)
    login_as(client, user(CURATOR))
    queue = "/curation/certificates"
    assert "NX-2026-001" in client.get(queue).get_data(as_text=True)
    client.post(
        f"{queue}/{certificate.id}/verify",
        data={"csrf_token": csrf_token(client, queue), "version": str(certificate.version)},
    )
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.VERIFIED
    assert certificate.reviewed_by_id == user(CURATOR).id
    assert "certificate.verify" in [
        e.action for e in events_of("product_certificate", certificate.id)
    ]
    client.get("/logout")
    page = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    assert "Verified by Sở Công Thương" in page
    assert product.slug in product_hits(client.application, labelled=["yes"])
    assert product.slug in product_hits(client.application, label=["VN_GREEN_LABEL"])


def test_a_decision_on_an_old_version_or_a_decided_certificate_is_a_conflict(seeded_app):
    product = new_product()
    certificate = service.add_certificate(user(OWNER), product, certificate_data())
    seen = certificate.version
    service.update_certificate(user(OWNER), certificate, certificate_data(number="NX-2"), seen)
    with pytest.raises(Conflict):
        service.verify_certificate(user(CURATOR), certificate, seen)
    service.verify_certificate(user(CURATOR), certificate, certificate.version)
    with pytest.raises(Conflict):
        service.reject_certificate(user(CURATOR), certificate, certificate.version, "Sai số")


def test_a_rejection_needs_a_reason_and_the_firm_reads_it(client):
    product = new_product()
    certificate = service.add_certificate(user(OWNER), product, certificate_data())
    with pytest.raises(ValidationError):
        service.reject_certificate(user(CURATOR), certificate, certificate.version, "  ")
    service.reject_certificate(
        user(CURATOR), certificate, certificate.version, "Số chứng nhận không có trong sổ."
    )
    login_as(client, user(OWNER))
    page = client.get(f"/my/products/{product.id}").get_data(as_text=True)
    assert "Số chứng nhận không có trong sổ." in page
    client.get("/logout")
    assert "NX-2026-001" not in client.get(f"/products/{product.slug}").get_data(as_text=True)


def test_editing_a_verified_certificate_sends_it_back_to_the_curators(seeded_app):
    product = new_product()
    certificate = service.add_certificate(user(OWNER), product, certificate_data())
    service.verify_certificate(user(CURATOR), certificate, certificate.version)
    service.update_certificate(
        user(OWNER),
        certificate,
        certificate_data(valid_until=date(2035, 1, 1)),
        certificate.version,
    )
    assert certificate.state == CertificateState.PENDING
    assert certificate not in product.verified_labels(TODAY) and not product.verified_labels(TODAY)


def test_certificate_input_is_checked(seeded_app):
    product = new_product()
    retired = label("RURAL_INDUSTRY_PRODUCT")
    retired.active = False
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        service.add_certificate(
            user(OWNER),
            product,
            certificate_data(
                label_id=retired.id,
                number="",
                valid_from=date(2027, 1, 1),
                valid_until=date(2026, 1, 1),
                document_url="javascript:alert(1)",
            ),
        )
    assert set(refused.value.errors) == {"label_id", "number", "valid_until", "document_url"}


# Expiry, facets and search -----------------------------------------------------------------


def test_an_expired_certificate_is_marked_and_no_longer_counts(client):
    seeded = db.session.scalar(
        sa.select(Product).where(Product.slug == "bon-hop-khoi-composite-xtk-50")
    )
    statuses = {c.label.code: c.status_on(TODAY) for c in seeded.certificates}
    assert statuses == {"VN_GREEN_LABEL": "verified", "ISO_14001": "expired"}
    assert [lab.code for lab in seeded.verified_labels(TODAY)] == ["VN_GREEN_LABEL"]
    page = client.get(f"/products/{seeded.slug}?lang=en").get_data(as_text=True)
    assert "Expired on 09/05/2024" in page
    assert seeded.slug not in product_hits(client.application, label=["ISO_14001"])


def test_facet_counts_follow_verification_and_expiry(seeded_app):
    filters = service.ProductFilters()
    before = service.list_public_products(filters, 1, 50)
    product = new_product()
    certificate = service.add_certificate(
        user(OWNER), product, certificate_data(label_id=label("ISO_14001").id)
    )
    pending = service.list_public_products(filters, 1, 50)
    assert pending.total == before.total + 1
    assert pending.labelled_count == before.labelled_count
    service.verify_certificate(user(CURATOR), certificate, certificate.version)
    verified = service.list_public_products(filters, 1, 50)
    assert verified.labelled_count == before.labelled_count + 1
    assert verified.label_counts["ISO_14001"] == before.label_counts.get("ISO_14001", 0) + 1
    later = certificate.valid_until + timedelta(days=1)
    expired = service.list_public_products(filters, 1, 50, today=later)
    assert expired.label_counts.get("ISO_14001", 0) < verified.label_counts["ISO_14001"]
    only = service.list_public_products(
        service.ProductFilters(labelled=True, labels=["ISO_14001"]), 1, 50
    )
    assert product in only.products and only.total == verified.label_counts["ISO_14001"]


def test_the_listing_filters_by_label(client):
    page = client.get("/products?label=VN_GREEN_LABEL&lang=en").get_data(as_text=True)
    assert "VXDQ unfired bricks" in page
    assert "DQ-PPS" not in page
    assert client.get("/products?label=<script>&labelled=maybe").status_code == 200


def test_products_are_found_with_and_without_diacritics(seeded_app):
    accented = product_hits(seeded_app, "gạch không nung tro xỉ")
    plain = product_hits(seeded_app, "gach khong nung tro xi")
    assert "gach-khong-nung-tro-xi-vxdq" in accented and accented == plain
    assert "gach-khong-nung-tro-xi-vxdq" in product_hits(seeded_app, "nhãn xanh")
    assert "gia-the-vi-sinh-hdpe-xtk-bio" not in product_hits(seeded_app, labelled=["yes"])


def test_the_search_page_has_a_products_tab_with_the_label_facets(client):
    page = client.get("/search?q=gach+khong+nung&kind=product&lang=en").get_data(as_text=True)
    assert "With a verified eco-label" in page and "Vietnam Green Label" in page


# Photos --------------------------------------------------------------------------------------


def _upload(client, product, data: bytes, alt="Bồn lắp đặt tại nhà máy"):
    url = f"/my/products/{product.id}"
    return client.post(
        f"{url}/photos?lang=en",
        data={
            "csrf_token": csrf_token(client, url),
            "photo": (io.BytesIO(data), "p.png"),
            "alt_vi": alt,
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_photo_is_checked_by_content_and_re_encoded(client, seeded_app):
    product = new_product()
    login_as(client, user(OWNER))
    _upload(client, product, png())
    db.session.refresh(product)
    [photo] = product.photos
    with Image.open(service.photo_folder() / photo.path) as image:
        assert image.format == "JPEG"
    assert photo.alt_vi == "Bồn lắp đặt tại nhà máy"
    response = client.get(f"/products/{product.slug}/photos/{photo.id}.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"

    page = _upload(client, product, b"<svg onload=alert(1)>").get_data(as_text=True)
    assert "not a PNG, JPEG or WebP image" in page
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")
    page = _upload(client, product, buffer.getvalue()).get_data(as_text=True)
    assert "at most 4,000 × 4,000 pixels" in page
    page = _upload(client, product, png(), alt="").get_data(as_text=True)
    assert "describe what it shows" in page
    db.session.refresh(product)
    assert len(product.photos) == 1


def test_a_product_has_a_small_number_of_photos(seeded_app):
    product = new_product()
    for _ in range(service.MAX_PHOTOS):
        service.add_photo(user(OWNER), product, io.BytesIO(png()), "Ảnh")
    with pytest.raises(ValidationError):
        service.add_photo(user(OWNER), product, io.BytesIO(png()), "Ảnh")


# Reminders -----------------------------------------------------------------------------------


def test_reminders_go_once_per_expiry_date_and_expiries_are_noted_once(runner, seeded_app):
    product = new_product()
    soon = service.add_certificate(
        user(OWNER), product, certificate_data(valid_until=TODAY + timedelta(days=20))
    )
    service.add_certificate(
        user(OWNER),
        product,
        certificate_data(number="NX-XA", valid_until=TODAY + timedelta(days=300)),
    )
    now = datetime.utcnow()
    first = reminders.send_certificate_reminders(now)
    assert (first.certificates, first.messages) == (1, 1)
    assert first.expired_noted == 1  # the seeded ISO 14001 certificate of 2024
    [message] = mails(seeded_app)
    assert message["To"] == OWNER and "NX-2026-001" in message.get_content()

    second = reminders.send_certificate_reminders(now)
    assert (second.certificates, second.messages, second.expired_noted) == (0, 0, 0)
    result = runner.invoke(args=["listings", "remind"])
    assert result.exit_code == 0 and "Product certificates: reminded 0" in result.output
    assert len(mails(seeded_app)) == 1

    # Renewed: a new date is reminded again when its time comes.
    db.session.refresh(soon)
    service.update_certificate(
        user(OWNER), soon, certificate_data(valid_until=TODAY + timedelta(days=30)), soon.version
    )
    assert reminders.send_certificate_reminders(now).messages == 1
    assert len(mails(seeded_app)) == 2


def test_a_noted_expiry_takes_the_label_out_of_the_search_facet(seeded_app):
    product = new_product()
    certificate = service.add_certificate(
        user(OWNER), product, certificate_data(valid_until=TODAY + timedelta(days=5))
    )
    service.verify_certificate(user(CURATOR), certificate, certificate.version)
    assert product.slug in product_hits(seeded_app, label=["VN_GREEN_LABEL"])
    # The day after the end of the validity, as the daily command sees it.
    db.session.execute(
        sa.update(ProductCertificate)
        .where(ProductCertificate.id == certificate.id)
        .values(valid_until=TODAY - timedelta(days=1))
    )
    db.session.commit()
    reminders.send_certificate_reminders(datetime.utcnow())
    assert product.slug not in product_hits(seeded_app, label=["VN_GREEN_LABEL"])
    assert product.slug in product_hits(seeded_app, labelled=["no"])


# Curators withdraw products after publication ------------------------------------------------


def test_a_withdrawn_product_leaves_every_public_place_until_a_curator_restores_it(client):
    product = new_product("Bồn lọc áp lực bị rút")
    assert product.slug in product_hits(client.application, "bồn lọc áp lực")
    with pytest.raises(Forbidden):
        service.withdraw_product(user(OTHER_CURATOR), product, product.version, "Sai danh mục")
    with pytest.raises(ValidationError):
        service.withdraw_product(user(CURATOR), product, product.version, " ")
    login_as(client, user(CURATOR))
    page = "/curation/products"
    assert "Bồn lọc áp lực bị rút" in client.get(page).get_data(as_text=True)
    client.post(
        f"{page}/{product.id}/withdraw",
        data={
            "csrf_token": csrf_token(client, page),
            "version": str(product.version),
            "reason": "Ảnh chụp sản phẩm của hãng khác.",
        },
    )
    db.session.refresh(product)
    assert product.withdrawn_at is not None
    assert "product.withdraw" in [e.action for e in events_of("product", product.id)]
    client.get("/logout")
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert "Bồn lọc áp lực bị rút" not in client.get(f"/firms/{owners_firm().slug}").get_data(
        as_text=True
    )
    assert product.slug not in product_hits(client.application, "bồn lọc áp lực")
    login_as(client, user(OWNER))
    manage = client.get(f"/my/products/{product.id}").get_data(as_text=True)
    assert "Ảnh chụp sản phẩm của hãng khác." in manage

    with pytest.raises(Conflict):
        service.restore_product(user(CURATOR), product, product.version - 1)
    service.restore_product(user(CURATOR), product, product.version)
    assert client.get(f"/products/{product.slug}").status_code == 200
    assert product.slug in product_hits(client.application, "bồn lọc áp lực")
