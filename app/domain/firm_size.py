"""Firm size class under Decree 80/2021/NĐ-CP, Article 5.

A firm is in a tier when its insured employees are at most L and (revenue at most R or total
capital at most C); the smallest tier that fits wins, and above medium the firm is large. The
classes exist for enterprises only (Law 04/2017/QH14): see `classify`.
"""

from enum import StrEnum

from app.domain.enterprise import EnterpriseType, has_size_class, is_dependent_unit

BILLION = 1_000_000_000


class SectorGroup(StrEnum):
    AGRI_INDUSTRY = "agri_industry"  # agriculture, forestry, fisheries; industry and construction
    TRADE_SERVICES = "trade_services"


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


# (size class, max employees L, max revenue R, max capital C) — amounts in VND.
THRESHOLDS: dict[SectorGroup, list[tuple[SizeClass, int, int, int]]] = {
    SectorGroup.AGRI_INDUSTRY: [
        (SizeClass.MICRO, 10, 3 * BILLION, 3 * BILLION),
        (SizeClass.SMALL, 100, 50 * BILLION, 20 * BILLION),
        (SizeClass.MEDIUM, 200, 200 * BILLION, 100 * BILLION),
    ],
    SectorGroup.TRADE_SERVICES: [
        (SizeClass.MICRO, 10, 10 * BILLION, 3 * BILLION),
        (SizeClass.SMALL, 50, 100 * BILLION, 50 * BILLION),
        (SizeClass.MEDIUM, 100, 300 * BILLION, 100 * BILLION),
    ],
}


def size_class(
    sector: SectorGroup | str | None,
    employees: int | None,
    revenue: int | None,
    capital: int | None,
) -> SizeClass | None:
    """The size class, or None when the inputs cannot decide it: unknown, never guessed.

    Each tier's money test is "revenue at most R or capital at most C". With one of the two
    blank, a test the known figure fails may still pass on the blank one, so the firm could
    belong to that tier: the answer is unknown (not the next tier up). Employees above the
    medium tier's limit make a firm large whatever its money figures.
    """
    if sector is None or employees is None:
        return None
    for tier, max_employees, max_revenue, max_capital in THRESHOLDS[SectorGroup(sector)]:
        if employees > max_employees:
            continue
        figures = ((revenue, max_revenue), (capital, max_capital))
        if any(value is not None and value <= limit for value, limit in figures):
            return tier
        if any(value is None for value, _limit in figures):
            return None  # the blank figure decides whether the firm is in this tier
    return SizeClass.LARGE


def classify(
    kind: EnterpriseType | str | None,
    sector: SectorGroup | str | None,
    employees: int | None,
    revenue: int | None,
    capital: int | None,
    parent: SizeClass | str | None = None,
) -> SizeClass | None:
    """The size class of a unit of this kind, from its figures (see `size_class`).

    - An enterprise is classed by its figures.
    - A branch or representative office has no class of its own: it takes its parent
      enterprise's class (`parent`, when the parent is listed), otherwise the class of the
      figures, which are then the parent's.
    - A household business, cooperative, public service unit or other organisation is not an
      enterprise: it has no size class (None, not micro).
    - A unit of unknown kind (listed before kinds were recorded) is classed by its figures.
    """
    if is_dependent_unit(kind) and parent is not None:
        return SizeClass(parent)
    if kind is not None and not has_size_class(kind):
        return None
    return size_class(sector, employees, revenue, capital)
