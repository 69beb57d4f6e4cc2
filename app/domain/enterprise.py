"""Enterprise types: who is an enterprise, who can be an SME, and which tax-code form fits.

- Enterprises under the Law on Enterprises 2020: private enterprise (DNTN), one-member and
  multi-member limited liability companies (TNHH), joint-stock companies, partnerships.
- Cooperatives and cooperative unions are separate (Law on Cooperatives 2023).
- A household business (hộ kinh doanh) is not an enterprise; since 1/7/2025 it uses its owner's
  12-digit personal ID as tax code.
- A branch or representative office is a dependent unit: a 13-digit code, the parent's 10
  digits plus a suffix. It has no size class of its own; its parent's counts.
- SME status (Law 04/2017/QH14, Decree 80/2021/NĐ-CP) applies to enterprises only.
"""

from enum import StrEnum


class EnterpriseType(StrEnum):
    PRIVATE_ENTERPRISE = "private_enterprise"
    LLC_ONE_MEMBER = "llc_one_member"
    LLC_MULTI_MEMBER = "llc_multi_member"
    JOINT_STOCK = "joint_stock"
    PARTNERSHIP = "partnership"
    COOPERATIVE = "cooperative"
    HOUSEHOLD = "household"
    BRANCH = "branch"
    REPRESENTATIVE_OFFICE = "representative_office"
    PUBLIC_SERVICE_UNIT = "public_service_unit"
    OTHER_ORGANISATION = "other_organisation"  # research institutes, universities, associations


ENTERPRISES = frozenset(
    {
        EnterpriseType.PRIVATE_ENTERPRISE,
        EnterpriseType.LLC_ONE_MEMBER,
        EnterpriseType.LLC_MULTI_MEMBER,
        EnterpriseType.JOINT_STOCK,
        EnterpriseType.PARTNERSHIP,
    }
)
DEPENDENT_UNITS = frozenset({EnterpriseType.BRANCH, EnterpriseType.REPRESENTATIVE_OFFICE})
# Units with a Decree 80 size class: enterprises, and dependent units through their parent.
SIZED = ENTERPRISES | DEPENDENT_UNITS


def is_enterprise(kind: EnterpriseType | str | None) -> bool:
    """An enterprise under the Law on Enterprises 2020 (the only kind that can be an SME)."""
    return kind is not None and EnterpriseType(kind) in ENTERPRISES


def is_dependent_unit(kind: EnterpriseType | str | None) -> bool:
    return kind is not None and EnterpriseType(kind) in DEPENDENT_UNITS


def has_size_class(kind: EnterpriseType | str | None) -> bool:
    """Whether a Decree 80 size class applies: an enterprise's own, or a dependent unit's
    parent's. Household businesses, cooperatives and other organisations have none."""
    return kind is not None and EnterpriseType(kind) in SIZED


def tax_code_fits(kind: EnterpriseType | str | None, stored_code: str) -> bool:
    """Whether a (valid, digits-only) tax code has the form this type of unit is issued:
    13 digits for a dependent unit and only for one, 12 (a personal ID) only for a household."""
    if kind is None:
        return True
    kind = EnterpriseType(kind)
    if len(stored_code) == 13:
        return kind in DEPENDENT_UNITS
    if len(stored_code) == 12:
        return kind == EnterpriseType.HOUSEHOLD
    return kind not in DEPENDENT_UNITS


def parent_tax_code(stored_code: str) -> str | None:
    """The parent enterprise's code of a dependent unit's 13-digit code."""
    return stored_code[:10] if len(stored_code) == 13 else None
