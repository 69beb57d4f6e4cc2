"""In a real browser: a business adds a product with an eco-label; a curator of Sở Công Thương
verifies the certificate; the public then sees the label as verified, on the product's page and
in the "labelled" filter of the products listing."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

PRODUCT = "Máy ép bùn trục vít Trình Duyệt"


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login?lang=en")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def test_product_with_a_label_verified_by_a_curator(live_server, page):
    log_in(page, live_server, "business@demo.cnmt.vn", "demo-business-2026")
    page.goto(live_server + "/my/firms?lang=en")
    page.get_by_role("main").get_by_role("link", name="Môi trường Xanh Trà Khúc").first.click()
    page.get_by_role("link", name="Products and eco-labels").click()
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Name (Vietnamese)").fill(PRODUCT)
    page.get_by_label("Specifications").fill("Công suất: 5 m³/giờ")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Add a label or certification").click()
    page.get_by_label("Label or certification").select_option(label="Vietnam Green Label")
    page.get_by_label("Certificate number").fill("NX-TD-2026")
    page.get_by_label("Issuing body").fill("Bộ Nông nghiệp và Môi trường")
    page.get_by_label("Valid until").fill("2030-12-31")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Not verified yet").first.wait_for()
    screenshot(page, "product-pending-en")
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "curator@demo.cnmt.vn", "demo-curator-2026")
    page.goto(live_server + "/curation/?lang=en")
    page.get_by_role("link", name="Products and labels").click()
    page.get_by_role("link", name="Certificates to verify", exact=True).click()
    card = page.locator("article.certificate-review", has_text="NX-TD-2026")
    card.get_by_role("button", name="Verify").click()
    page.get_by_text("Certificate verified.").wait_for()
    page.get_by_role("button", name="Log out").click()

    page.goto(live_server + "/products?labelled=yes&lang=en")
    page.get_by_role("link", name=PRODUCT).click()
    labels = page.get_by_role("complementary")
    labels.get_by_text("Vietnam Green Label").wait_for()
    assert labels.get_by_text("Verified by Sở Công Thương").is_visible()
    screenshot(page, "product-verified-en")
