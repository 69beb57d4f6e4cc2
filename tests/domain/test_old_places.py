"""Old (pre-2025) communes and districts → today's wards, from the vietnamadminunits data."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vietnam_provinces import Ward
from vietnamadminunits import convert_address

from app.domain.old_places import find_old_places, new_wards_of, old_places, old_places_of_ward
from app.domain.places import QUANG_NGAI, is_ward, ward_name


def new_ward_names(text: str) -> list[str]:
    return [ward_name(code) for code in new_wards_of(find_old_places(text))]


@pytest.mark.parametrize(
    "text",
    [
        "Tịnh Phong, Sơn Tịnh",
        "tinh phong son tinh",
        "Xã Tịnh Phong, Huyện Sơn Tịnh, Tỉnh Quảng Ngãi",
        unicodedata.normalize("NFD", "TỊNH PHONG,SƠN TỊNH"),
    ],
)
def test_tinh_phong_in_son_tinh_is_tho_phong_today(text):
    [place] = find_old_places(text)

    assert (place.ward, place.district) == ("Xã Tịnh Phong", "Huyện Sơn Tịnh")
    assert new_ward_names(text) == ["Xã Thọ Phong"]


def test_an_old_kon_tum_commune_is_a_commune_of_quang_ngai_today():
    [place] = find_old_places("Thị trấn Đăk Tô, Huyện Đắk Tô, Kon Tum")

    assert place.province == "Tỉnh Kon Tum"
    [code] = place.new_wards
    assert ward_name(code) == "Xã Đăk Tô" and Ward.from_code(code).province_code == QUANG_NGAI


def test_the_commune_and_its_district_beat_a_commune_named_like_the_district():
    places = find_old_places("Xã Đăk Hà, Huyện Tu Mơ Rông")

    assert [(p.ward, p.district) for p in places] == [("Xã Đăk Hà", "Huyện Tu Mơ Rông")]


def test_a_split_commune_gives_every_ward_it_went_to_the_main_one_first():
    assert new_ward_names("Trà Bùi, Trà Bồng") == ["Xã Cà Đam", "Xã Tây Trà Bồng"]


def test_a_district_alone_gives_all_its_communes_and_diacritics_tell_names_apart():
    places = find_old_places("Sơn Tịnh")

    assert {p.district for p in places} == {"Huyện Sơn Tịnh"}
    assert "Xã Tịnh Phong" in {p.ward for p in places} and len(places) == 11
    # "Xã Sơn Tinh" (Sơn Tây) only matches without diacritics.
    assert "Xã Sơn Tinh" in {p.ward for p in find_old_places("son tinh")}


def test_an_island_district_became_a_special_zone():
    assert new_ward_names("Huyện Lý Sơn") == ["Đặc khu Lý Sơn"]


def test_a_ward_of_today_knows_the_old_communes_it_was_made_from():
    tho_phong = new_wards_of(find_old_places("Tịnh Phong, Sơn Tịnh"))[0]

    assert {p.ward for p in old_places_of_ward(tho_phong)} == {"Xã Tịnh Phong", "Xã Tịnh Thọ"}
    assert old_places_of_ward(None) == () and old_places_of_ward(-1) == ()


def test_every_old_commune_of_quang_ngai_and_kon_tum_maps_to_a_ward_of_today():
    """And to the same ward as the package's own convert_address() names first."""
    old = [p for p in old_places() if p.province in ("Tỉnh Quảng Ngãi", "Tỉnh Kon Tum")]

    assert len(old) == 273
    for place in old:
        assert all(is_ward(code) for code in place.new_wards)
        assert {Ward.from_code(code).province_code for code in place.new_wards} == {QUANG_NGAI}
        converted = convert_address(place.label).ward
        assert converted.casefold() == ward_name(place.new_wards[0]).casefold(), place.label


@pytest.mark.parametrize("text", ["", "   ", "!!!", "x" * 5000, None, "Atlantis, Narnia"])
def test_text_naming_no_old_place_finds_nothing(text):
    assert find_old_places(text) == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_a_list_and_never_fails(text):
    places = find_old_places(text)

    assert isinstance(places, list) and all(p.new_wards for p in places)
