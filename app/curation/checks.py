"""Automatic checks a curator sees before deciding on a listing: a valid tax code, no duplicate
(same tax code base, or a very similar name), required fields present, something offered.

Check codes are stored in `Firm.review_failed_checks` when changes are requested, so the business
side shows the same labels (`app.labels.CHECK_LABELS`) the curator ticked.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from app.domain.enterprise import has_size_class
from app.domain.tax_code import TaxCodeError, normalize_tax_code
from app.domain.text import fold
from app.extensions import db
from app.labels import check_label
from app.models import Firm

SIMILAR_NAME_THRESHOLD = 85

# Legal-form words every firm name shares; left in, they make unrelated names look alike.
LEGAL_FORM = re.compile(
    r"\b(cong ty|co phan|trach nhiem huu han|tnhh|mot thanh vien|mtv|hai thanh vien|"
    r"doanh nghiep tu nhan|dntn|hop tac xa|htx|chi nhanh|jsc|co\.?,? ltd|ltd|company)\b"
)


def name_key(name: str | None) -> str:
    """A firm name folded, without its legal form, for fuzzy comparison."""
    return " ".join(LEGAL_FORM.sub(" ", fold(name)).split())


@dataclass
class CheckResult:
    code: str
    passed: bool
    detail: str = ""
    matches: list[tuple[Firm, int | None]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return check_label(self.code)


def run_checks(firm: Firm) -> list[CheckResult]:
    """Every check for the listing, in the order of CHECK_LABELS."""
    try:
        normalize_tax_code(firm.tax_code)
        tax_code = CheckResult("tax_code_valid", True)
    except TaxCodeError as error:
        tax_code = CheckResult("tax_code_valid", False, str(error))
    # A household business or cooperative has no size class to work out.
    needs_size = firm.enterprise_type is None or has_size_class(firm.enterprise_type)
    size_given = not needs_size or (
        firm.sector_group is not None
        and firm.insured_employees is not None
        and (firm.revenue_vnd is not None or firm.capital_vnd is not None)
    )
    same_tax = same_tax_code_base(firm)
    similar = similar_names(firm)
    return [
        tax_code,
        CheckResult("no_duplicate_tax_code", not same_tax, matches=[(f, None) for f in same_tax]),
        CheckResult("no_similar_name", not similar, matches=similar),
        CheckResult("legal_name", bool((firm.legal_name or "").strip())),
        CheckResult("ward", firm.ward_code is not None),
        CheckResult(
            "description", bool((firm.description_vi or firm.description_en or "").strip())
        ),
        CheckResult("size_inputs", size_given),
        CheckResult("offerings", bool(firm.offerings)),
    ]


def failed_codes(results: list[CheckResult]) -> list[str]:
    return [result.code for result in results if not result.passed]


def same_tax_code_base(firm: Firm) -> list[Firm]:
    """Other firms whose tax code shares the 10-digit base (the head office and its branches)."""
    base = firm.tax_code[:10]
    return list(
        db.session.scalars(
            sa.select(Firm)
            .where(Firm.id != firm.id, Firm.tax_code.startswith(base, autoescape=True))
            .order_by(Firm.tax_code)
        )
    )


def similar_names(firm: Firm) -> list[tuple[Firm, int]]:
    """Other firms whose legal or trade name scores at least the threshold, best first."""
    ours = {name_key(n) for n in (firm.legal_name, firm.trade_name) if n} - {""}
    if not ours:
        return []
    rows = db.session.execute(
        sa.select(Firm.id, Firm.legal_name, Firm.trade_name).where(Firm.id != firm.id)
    ).all()
    choices = {
        (row.id, which): key
        for row in rows
        for which, name in (("legal", row.legal_name), ("trade", row.trade_name))
        if name and (key := name_key(name))
    }
    best: dict[int, int] = {}
    for name in ours:
        for _, score, (firm_id, _which) in process.extract(
            name,
            choices,
            scorer=fuzz.token_set_ratio,
            score_cutoff=SIMILAR_NAME_THRESHOLD,
            limit=None,
        ):
            best[firm_id] = max(best.get(firm_id, 0), round(score))
    if not best:
        return []
    firms = {f.id: f for f in db.session.scalars(sa.select(Firm).where(Firm.id.in_(best)))}
    return sorted(((firms[i], s) for i, s in best.items()), key=lambda pair: -pair[1])
