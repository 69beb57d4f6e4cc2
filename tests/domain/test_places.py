"""Wards of today: their points (from the vietnamadminunits data) and distances between them."""

import pytest
from vietnam_provinces import Ward

from app.domain.places import QUANG_NGAI, distance_km, ward_centroid, wards_of_province


def code_of(name: str) -> int:
    return next(int(w.code) for w in Ward.iter_by_province(QUANG_NGAI) if w.name == name)


def test_every_ward_of_quang_ngai_has_a_point_inside_the_province():
    points = [ward_centroid(code) for code, _name in wards_of_province(QUANG_NGAI)]

    assert len(points) == 96 and None not in points
    # Old Quảng Ngãi and Kon Tum lie between 13.9–15.5° N and 107.3–109.2° E (Lý Sơn included).
    assert all(13.9 < lat < 15.5 and 107.3 < lon < 109.2 for lat, lon in points)


def test_distance_between_wards_is_the_great_circle_distance_of_their_points():
    mo_duc, bo_y = code_of("Xã Mộ Đức"), code_of("Xã Bờ Y")
    city, ly_son = code_of("Phường Cẩm Thành"), code_of("Đặc khu Lý Sơn")

    # The Bờ Y border zone is far west of a coastal Mộ Đức firm; Lý Sơn is an island offshore.
    assert 110 < distance_km(mo_duc, bo_y) < 160
    assert 25 < distance_km(city, ly_son) < 60
    assert distance_km(mo_duc, bo_y) == pytest.approx(distance_km(bo_y, mo_duc))
    assert distance_km(city, city) == 0


@pytest.mark.parametrize("code", [None, -1, 0, 99999999])
def test_unknown_wards_have_no_point_and_no_distance(code):
    assert ward_centroid(code) is None
    assert distance_km(code, code_of("Xã Mộ Đức")) is None
    assert distance_km(code_of("Xã Mộ Đức"), code) is None
