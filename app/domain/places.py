"""Provinces and wards (the 2025 two-level divisions) from the vietnam-provinces library, and
where each ward lies, for distances.

vietnam-provinces has no coordinates. Ward positions come from the `vietnamadminunits` package
(MIT, pinned in requirements.txt; its `admin_units` table, `wardLat`/`wardLon`), which took them
from the Google Geocoding API: one representative point per ward of 2025, not a centroid computed
from boundaries, which is close enough for distances of several kilometres.
"""

import math
from functools import cache, lru_cache

from vietnam_provinces import Province, Ward

from app.domain.text import fold

QUANG_NGAI = 51


# Bounded: codes come from visitors' filters, and each distinct one would stay cached.
@lru_cache(maxsize=8192)
def _ward(code: int) -> Ward | None:
    try:
        return Ward.from_code(code)
    except ValueError:
        return None


def is_ward(code: int | None) -> bool:
    return code is not None and _ward(int(code)) is not None


def ward_name(code: int | None) -> str:
    ward = _ward(int(code)) if code is not None else None
    return ward.name if ward else ""


def province_name_of_ward(code: int | None) -> str:
    ward = _ward(int(code)) if code is not None else None
    return Province.from_code(ward.province_code).name if ward else ""


def ward_province(code: int | None, default: int = QUANG_NGAI) -> int:
    ward = _ward(int(code)) if code is not None else None
    return int(ward.province_code) if ward else default


@cache
def wards_of_province(province_code: int = QUANG_NGAI) -> tuple[tuple[int, str], ...]:
    """(code, name) pairs sorted by name the way a Vietnamese reader expects."""
    wards = Ward.iter_by_province(province_code)
    return tuple(sorted(((int(w.code), w.name) for w in wards), key=lambda pair: fold(pair[1])))


# What names of divisions start with ("Xã Tịnh Khê", "Thành phố Đà Nẵng").
DIVISION_TYPES = ("xã ", "phường ", "đặc khu ", "thị trấn ", "tỉnh ", "thành phố ")


@cache
def place_names() -> tuple[str, ...]:
    """The names of Quảng Ngãi's wards and of every province, without "Xã", "Thành phố"…
    (for search: "Lý Sơn" is one name, not "xử lý" near "Sơn")."""
    names = [d.name for d in (*Ward.iter_by_province(QUANG_NGAI), *Province.iter_all())]
    return tuple(_without_division_type(name) for name in names)


def _without_division_type(name: str) -> str:
    lowered = name.lower()
    for division_type in DIVISION_TYPES:
        if lowered.startswith(division_type):
            return name[len(division_type) :]
    return name


EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)


@cache
def _ward_points() -> dict[int, tuple[float, float]]:
    # Imported here: the package loads its address parser and a geometry library on import
    # (about half a second), which only distances need.
    from vietnamadminunits.database import query

    rows = query("SELECT wardCode, wardLat, wardLon FROM admin_units")
    return {
        int(row["wardCode"]): (row["wardLat"], row["wardLon"])
        for row in rows
        if row["wardLat"] is not None and row["wardLon"] is not None and is_ward(row["wardCode"])
    }


def ward_centroid(code: int | None) -> tuple[float, float] | None:
    """(latitude, longitude) of the ward's representative point, or None when the ward is
    unknown or has no position."""
    return _ward_points().get(int(code)) if code is not None else None


def distance_km(ward_a: int | None, ward_b: int | None) -> float | None:
    """Great-circle (haversine) distance between two wards' points in km; None if either has
    none."""
    return haversine_km(ward_centroid(ward_a), ward_centroid(ward_b))


def haversine_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance between two (latitude, longitude) points in km; None if either
    is missing."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
