"""Pre-2025 place names — an old commune or ward with its district, as people still write them
("Tịnh Phong, Sơn Tịnh") — and the wards of today they became.

Source: the PyPI package `vietnamadminunits` (MIT; version pinned in requirements.txt,
https://github.com/tranngocminhhieu/vietnamadminunits), which ships the 63-province divisions and
their mapping to the 34-province ones of 1/7/2025, compiled from danhmuchanhchinh.gso.gov.vn and
sapnhap.bando.com.vn. We read the same data its `convert_address()` uses (the old units of
`admin_units_legacy`, the mapping of `converter_2025.json`) once, without its address parser, which
may call an online geocoder. An old commune split between several new wards maps to all of them,
the one the package names as taking most of it first. New wards are named and coded by
vietnam-provinces, the app's source for divisions: a new ward it does not know is left out (114
of the package's 3,321 nationwide; none of Quảng Ngãi's, whose 96 codes — old Quảng Ngãi and Kon
Tum, province code 51 — are the same in both).
"""

import re
from dataclasses import dataclass, field
from functools import cache

from app.domain.places import is_ward
from app.domain.text import fold, nfc

MAX_RESULTS = 60
Key = tuple[tuple[str, ...], tuple[str, ...]]  # a name's words as written, and folded


@dataclass(frozen=True)
class OldPlace:
    """A commune, ward or town of before 1/7/2025 and the ward codes of today it is part of."""

    ward: str  # "Xã Tịnh Phong"; blank for the few island districts that had no communes
    district: str  # "Huyện Sơn Tịnh"
    province: str  # "Tỉnh Quảng Ngãi"
    new_wards: tuple[int, ...]
    # The ways of writing each level: the name with and without its type ("xã tịnh phong",
    # "tịnh phong"); a number alone ("Phường 1") is too loose to count as a name.
    ward_keys: tuple[Key, ...] = field(repr=False, default=())
    district_keys: tuple[Key, ...] = field(repr=False, default=())
    province_keys: tuple[Key, ...] = field(repr=False, default=())

    @property
    def label(self) -> str:
        return ", ".join(name for name in (self.ward, self.district, self.province) if name)


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", nfc(text).lower()))


def _keys(full: str | None, short: str | None) -> tuple[Key, ...]:
    names = [full] if not short or short.isdigit() else [full, short]
    keys = {_words(name) for name in names if name}
    return tuple((key, tuple(fold(word) for word in key)) for key in sorted(keys) if key)


@cache
def old_places() -> tuple[OldPlace, ...]:
    """Every old commune, ward and town with the new wards it became, loaded once."""
    # Imported here: the package loads its parser and a geometry library on import (about half
    # a second), which only this lookup needs.
    from vietnamadminunits.converter.converter_2025 import converter_data
    from vietnamadminunits.database import query

    new_code = {
        (row["provinceKey"], row["wardKey"]): int(row["wardCode"])
        for row in query("SELECT provinceKey, wardKey, wardCode FROM admin_units")
        if is_ward(int(row["wardCode"]))
    }
    became: dict[str, list[int]] = {}
    for province, wards in converter_data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, old_keys in wards.items():
            for old_key in old_keys:
                became.setdefault(old_key, []).append(new_code.get((province, ward)))
    for province, split in converter_data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in split.items():
            ordered = sorted(parts, key=lambda part: not part["isDefaultNewWard"])
            became[old_key] = [new_code.get((province, part["newWardKey"])) for part in ordered]
    rows = query(
        "SELECT provinceKey, districtKey, wardKey, province, district, ward, provinceShort,"
        " districtShort, wardShort FROM admin_units_legacy"
    )
    places = []
    for row in rows:
        prefix = f"{row['provinceKey']}_{row['districtKey']}_"
        # Island districts (Lý Sơn, Côn Đảo …) became one special zone as a whole.
        codes = became.get(prefix + (row["wardKey"] or "")) or became.get(prefix) or []
        codes = tuple(dict.fromkeys(code for code in codes if code is not None))
        if not codes:
            continue
        places.append(
            OldPlace(
                ward=row["ward"] or "",
                district=row["district"],
                province=row["province"],
                new_wards=codes,
                ward_keys=_keys(row["ward"], row["wardShort"] or ""),
                district_keys=_keys(row["district"], row["districtShort"]),
                province_keys=_keys(row["province"], row["provinceShort"]),
            )
        )
    return tuple(places)


@cache
def _by_name() -> dict[tuple[str, ...], list[OldPlace]]:
    """The old places under each folded commune or district name, to find candidates fast."""
    index: dict[tuple[str, ...], list[OldPlace]] = {}
    for place in old_places():
        for _written, folded in {*place.ward_keys, *place.district_keys}:
            index.setdefault(folded, []).append(place)
    return index


def _match(words, folded, keys, taken: list[range]) -> int:
    """The best score of `keys` at a place of the text no other level took (then taken): two
    points a word written as the name is, one a word matching only without diacritics."""
    best, where = 0, None
    for written, key_folded in keys:
        size = len(written)
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            if any(start in t or start + size - 1 in t or t.start in span for t in taken):
                continue
            if tuple(words[span.start : span.stop]) == written:
                score = 2 * size
            elif tuple(folded[span.start : span.stop]) == key_folded:
                score = size
            else:
                continue
            if score > best:
                best, where = score, span
    if where is not None:
        taken.append(where)
    return best


def _score(place: OldPlace, words, folded) -> int:
    taken: list[range] = []
    ward = _match(words, folded, place.ward_keys, taken)
    district = _match(words, folded, place.district_keys, taken)
    if not ward and not district:
        return 0
    return ward + district + _match(words, folded, place.province_keys, taken)


def find_old_places(text: str | None) -> list[OldPlace]:
    """The old communes `text` names, best reading first and only the best: the commune with
    its district ("Tịnh Phong, Sơn Tịnh") over a commune of that name elsewhere; every commune
    of a district the text names alone ("Sơn Tịnh"). Names written with their diacritics count
    over names that only match without them ("Sơn Tịnh" is not "Sơn Tinh"); case, commas and
    type words ("xã", "huyện") do not matter."""
    words = _words(text)[:40]
    folded = tuple(fold(word) for word in words)
    index = _by_name()
    candidates = {
        id(place): place
        for size in range(1, 7)
        for start in range(len(folded) - size + 1)
        for place in index.get(folded[start : start + size], ())
    }
    scored = [(_score(place, words, folded), place) for place in candidates.values()]
    best = max((score for score, _place in scored), default=0)
    return [place for score, place in scored if score and score == best][:MAX_RESULTS]


def new_wards_of(places: list[OldPlace]) -> list[int]:
    """The ward codes of today these old places became, each once, in order."""
    return list(dict.fromkeys(code for place in places for code in place.new_wards))


@cache
def _by_new_ward() -> dict[int, tuple[OldPlace, ...]]:
    places: dict[int, list[OldPlace]] = {}
    for place in old_places():
        for code in place.new_wards:
            places.setdefault(code, []).append(place)
    return {code: tuple(found) for code, found in places.items()}


def old_places_of_ward(code: int | None) -> tuple[OldPlace, ...]:
    """The old communes a ward of today was made from, or took a part of."""
    return _by_new_ward().get(code, ()) if code is not None else ()
