"""Finding today's ward from an address of before 1/7/2025, where a firm picks its ward: a plain
GET page, linked from the listing form, that works without scripts and keeps what was typed."""

from urllib.parse import quote

import pytest

from app.models import Role
from tests.conftest import login_as, make_user

URL = "/places/old-address"


def test_tinh_phong_son_tinh_is_found_as_tho_phong_and_the_form_keeps_the_text(client):
    response = client.get(f"{URL}?q={quote('Tịnh Phong, Sơn Tịnh')}&lang=en")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Tịnh Phong, Sơn Tịnh"' in html
    wards = html.split('id="wards"')[1].split("</section>")[0]
    assert "Xã Thọ Phong" in wards and "Quảng Ngãi" in wards and "21181" in wards
    assert "Xã Tịnh Phong, Huyện Sơn Tịnh, Tỉnh Quảng Ngãi" in html


def test_an_old_kon_tum_commune_is_found_in_quang_ngai_today(client):
    html = client.get(f"{URL}?q={quote('Thị trấn Đăk Tô, Đắk Tô')}").get_data(as_text=True)

    wards = html.split('id="wards"')[1].split("</section>")[0]
    assert "Xã Đăk Tô" in wards and "Quảng Ngãi" in wards


def test_the_page_opens_blank_and_says_so_when_nothing_matches(client):
    blank = client.get(f"{URL}?lang=en").get_data(as_text=True)
    nothing = client.get(f"{URL}?q=Atlantis&lang=en").get_data(as_text=True)

    assert 'name="q"' in blank and 'id="wards"' not in blank
    assert "No commune, ward or district of before 1/7/2025 has this name." in nothing
    assert 'value="Atlantis"' in nothing


@pytest.mark.parametrize("query", ["%00", "x" * 3000, "%EF%BF%BF", "'\"<script>"])
def test_odd_input_is_answered_without_an_error(client, query):
    response = client.get(f"{URL}?q={query}")

    assert response.status_code in (200, 400)
    assert "<script>" not in response.get_data(as_text=True)


def test_the_listing_form_links_to_the_lookup(client):
    login_as(client, make_user("chu@example.vn", Role.BUSINESS))

    html = client.get("/my/firms/new").get_data(as_text=True)

    assert f'href="{URL}"' in html and 'id="old-address-help"' in html
