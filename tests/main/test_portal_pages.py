"""The pages a government portal has: about, contact, help and the privacy notice, in both
languages, linked from every page's footer; contact details only from the settings."""

import re

import pytest

from tests.conftest import make_app

PAGES = ["/about", "/contact", "/help", "/privacy"]


@pytest.mark.parametrize("path", PAGES)
def test_portal_page_is_linked_from_the_footer_of_every_page(client, path):
    home = client.get("/").get_data(as_text=True)
    footer = home[home.index('<footer class="site-footer">') :]

    assert f'href="{path}"' in footer
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_portal_page_is_vietnamese_by_default_and_english_on_request(client, path):
    vietnamese = client.get(path).get_data(as_text=True)
    english = client.get(path + "?lang=en").get_data(as_text=True)

    assert '<html lang="vi">' in vietnamese and '<html lang="en">' in english
    [title_vi] = re.findall(r"<h1>(.*?)</h1>", vietnamese)
    [title_en] = re.findall(r"<h1>(.*?)</h1>", english)
    assert title_vi != title_en


def test_about_names_who_runs_the_platform_and_its_legal_basis(client):
    page = client.get("/about?lang=en").get_data(as_text=True)

    for fact in ("Sở Công Thương Quảng Ngãi", "Plan 68/KH-UBND", "Decision 1894/QĐ-TTg"):
        assert fact in page


def test_contact_details_come_from_the_settings(tmp_path, new_database, seeded_database):
    app = make_app(
        tmp_path,
        new_database(seeded_database.database),
        CONTACT_ADDRESS="Số 1 đường Thử, phường Cẩm Thành, tỉnh Quảng Ngãi",
        CONTACT_PHONE="0255 000 0000",
        CONTACT_EMAIL="lienhe@example.vn",
    )

    page = app.test_client().get("/contact").get_data(as_text=True)

    assert "Số 1 đường Thử, phường Cẩm Thành, tỉnh Quảng Ngãi" in page
    assert 'href="tel:02550000000"' in page
    assert 'href="mailto:lienhe@example.vn"' in page
    assert "CONTACT_" not in page


def test_unset_contact_details_are_marked_as_not_configured_never_made_up(client):
    page = client.get("/contact?lang=en").get_data(as_text=True)

    for setting in ("CONTACT_ADDRESS", "CONTACT_PHONE", "CONTACT_EMAIL"):
        assert f"Not configured yet (setting {setting})" in page
    assert "mailto:" not in page and "tel:" not in page


def test_help_explains_the_search_syntax_the_engine_understands(client):
    page = client.get("/help?lang=en").get_data(as_text=True)

    for syntax in ('"tái chế nhựa"', "-nạo", "NOT", " OR ", "quan tr*"):
        assert syntax in page
    assert 'id="list-a-firm"' in page and 'id="matching"' in page


def test_privacy_notice_says_who_controls_the_data_and_the_rights_of_the_data_subject(client):
    page = client.get("/privacy?lang=en").get_data(as_text=True)

    assert "Decree 13/2023/NĐ-CP" in page
    assert "controller" in page
    for right in ("Download my data", "Delete my account", "How long we keep it"):
        assert right in page
