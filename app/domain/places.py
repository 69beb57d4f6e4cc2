"""Provinces and wards (the 2025 two-level divisions) from the vietnam-provinces library."""

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
