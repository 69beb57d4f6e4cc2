"""The yearly report of Sở Công Thương to the provincial People's Committee and the Ministry of
Industry and Trade: the same tables as an XLSX workbook and as a printable administrative document
(Decree 30/2020/NĐ-CP).

The report of year Y reads year Y's submitted returns only, never the live directory: the firms
counted are those that answered for Y, their size class comes from the figures of that return.
It counts enterprises of Quảng Ngãi (`report_scope`); the others are shown on their own lines.
When the curators close the year, its tables are computed one last time and stored with the year
(`close_reporting_year`): from then on the report is those stored tables, so later changes to a
firm, a programme or a later year's return never alter a closed year's figures. An open year's
report is computed on each request and says it is provisional.

The report is an official Vietnamese document, so its headings are Vietnamese whatever the
reader's language; the tables are built with the Vietnamese locale for the same reason.
"""

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit
from app.authorization import authorize
from app.backoffice import statistics
from app.backoffice.returns import get_reporting_year, returns_by_state
from app.domain import clock
from app.domain.enterprise import EnterpriseType, is_enterprise
from app.domain.firm_size import SizeClass, classify
from app.domain.occupations import occupation_key, usual_spellings
from app.domain.places import QUANG_NGAI, ward_name, ward_province
from app.errors import Conflict
from app.extensions import db
from app.firms.permissions import REVIEWING_AGENCY
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueLevel,
    Firm,
    ReportingYear,
    ReturnState,
    User,
    WorkforceLevel,
    YearlyReturn,
)
from app.models.base import utcnow
from app.tabular import Table
from app.transaction import transactional

ORDINAL = "STT"
FIRMS = "Số doanh nghiệp"
TOTAL = "Tổng cộng"
# The size inputs summed beside every count of firms.
FIGURE_HEADINGS = [FIRMS, "Lao động có BHXH (người)", "Vốn (đồng)", "Doanh thu (đồng)"]
RESULT_HEADINGS = [
    "Giá trị sản phẩm, dịch vụ môi trường (đồng)",
    "Xuất khẩu (đồng)",
    "Chi nghiên cứu, chuyển giao công nghệ (đồng)",
]
STATE_VI = {
    ReturnState.NOT_STARTED: "Chưa bắt đầu",
    ReturnState.DRAFT: "Đang nhập",
    ReturnState.SUBMITTED: "Đã nộp",
    ReturnState.REOPENED: "Được mở lại để sửa",
}
LEVEL_VI = {
    WorkforceLevel.WORKER: "Công nhân",
    WorkforceLevel.TECHNICIAN: "Kỹ thuật viên",
    WorkforceLevel.ENGINEER: "Kỹ sư",
    WorkforceLevel.MANAGER: "Quản lý",
}
SIZE_VI = {
    SizeClass.MICRO: "Siêu nhỏ",
    SizeClass.SMALL: "Nhỏ",
    SizeClass.MEDIUM: "Vừa",
    SizeClass.LARGE: "Lớn",
    None: "Chưa xác định",
}
NOT_STATED = "Chưa xác định"


class Scope(StrEnum):
    """Where a return counts: in the province's figures, or on a line of its own."""

    PROVINCE = "province"
    OUTSIDE = "outside"
    NOT_ENTERPRISE = "not_enterprise"


SCOPE_VI = {
    Scope.PROVINCE: "Doanh nghiệp trên địa bàn tỉnh Quảng Ngãi (số liệu của các bảng 1–4, 6–8)",
    Scope.OUTSIDE: "Doanh nghiệp ngoài tỉnh (không tính vào số liệu của tỉnh)",
    Scope.NOT_ENTERPRISE: (
        "Hộ kinh doanh, chi nhánh, văn phòng đại diện và đơn vị khác không phải doanh nghiệp"
        " (không tính vào số liệu của tỉnh)"
    ),
}


def report_scope(
    ward_code: int | None, enterprise_type: EnterpriseType | str | None = None
) -> Scope:
    """The one scope rule of the report. Only enterprises (Law on Enterprises 2020) count as
    enterprises: a household business, a cooperative, a branch or representative office (a
    dependent unit, counted with its parent) has its own line; a firm whose type is not known
    yet counts as an enterprise. An enterprise counts for Quảng Ngãi when its ward is in the
    province (or not given: the directory is the province's); otherwise it has its own line."""
    if enterprise_type is not None and not is_enterprise(enterprise_type):
        return Scope.NOT_ENTERPRISE
    if ward_province(ward_code) != QUANG_NGAI:
        return Scope.OUTSIDE
    return Scope.PROVINCE


@dataclass
class Answer:
    """One submitted return, with what the tables group and sum it by."""

    scope: Scope
    ward_code: int | None
    zone: str | None
    group_ids: set[int]
    size: SizeClass | None
    employees: int
    capital: int
    revenue: int
    results: list[int]  # RESULT_HEADINGS
    needs: list[tuple[str, WorkforceLevel, int]]  # occupation as typed, level, people


@dataclass
class YearlyReport:
    reporting_year: ReportingYear
    tables: list[Table]
    # Submitted returns per Scope, the firms asked ("asked"), the province's employees,
    # capital and revenue.
    summary: dict[str, int]
    agency: Agency | None = None
    issued_on: date = field(default_factory=clock.today)

    @property
    def year(self) -> int:
        return self.reporting_year.year

    @property
    def frozen(self) -> bool:
        return self.reporting_year.frozen_report is not None

    @property
    def has_returns(self) -> bool:
        return any(self.summary.get(scope, 0) for scope in Scope)


def _numbered(rows: list[list]) -> list[list]:
    return [[index, *row] for index, row in enumerate(rows, start=1)]


def _totals(rows: list[list], first_numeric: int, label: str = TOTAL) -> list:
    width = len(rows[0]) if rows else first_numeric + 1
    sums = [sum(row[col] or 0 for row in rows) for col in range(first_numeric, width)]
    return ["", label, *[""] * (first_numeric - 2), *sums]


def _figures(answers: list[Answer]) -> list[int]:
    """FIGURE_HEADINGS of these answers: firms, employees, capital, revenue."""
    return [
        len(answers),
        sum(a.employees for a in answers),
        sum(a.capital for a in answers),
        sum(a.revenue for a in answers),
    ]


def _firm_table(title: str, heading: str, groups: list[tuple[str, list[Answer]]], label=TOTAL):
    rows = _numbered([[name, *_figures(answers)] for name, answers in groups])
    return Table(title, [ORDINAL, heading, *FIGURE_HEADINGS], rows, _totals(rows, 2, label))


def _load_answers(reporting_year: ReportingYear) -> list[Answer]:
    returns = db.session.scalars(
        sa.select(YearlyReturn)
        .where(
            YearlyReturn.reporting_year_id == reporting_year.id,
            YearlyReturn.state == ReturnState.SUBMITTED,
        )
        .options(
            selectinload(YearlyReturn.firm).selectinload(Firm.zone),
            selectinload(YearlyReturn.workforce_needs),
        )
        .order_by(YearlyReturn.id)
    ).all()
    pairs = statistics.firm_group_pairs(Firm.id.in_([r.firm_id for r in returns]))
    groups_of: dict[int, set[int]] = defaultdict(set)
    for firm_id, group_id in db.session.execute(sa.select(pairs.c.firm_id, pairs.c.group_id)):
        groups_of[firm_id].add(group_id)
    return [
        Answer(
            scope=report_scope(r.firm.ward_code, r.firm.enterprise_type),
            ward_code=r.firm.ward_code,
            zone=r.firm.zone.name_vi if r.firm.zone else None,
            group_ids=groups_of[r.firm_id],
            size=classify(
                r.firm.enterprise_type,
                r.firm.sector_group,
                r.insured_employees,
                r.revenue_vnd,
                r.capital_vnd,
            ),
            employees=r.insured_employees or 0,
            capital=r.capital_vnd or 0,
            revenue=r.revenue_vnd or 0,
            results=[r.env_output_vnd or 0, r.exports_vnd or 0, r.rnd_vnd or 0],
            needs=[
                (n.occupation, WorkforceLevel(n.level), n.number_needed) for n in r.workforce_needs
            ],
        )
        for r in returns
    ]


def _by_group(answers: list[Answer]) -> Table:
    groups = db.session.scalars(
        sa.select(CatalogueItem)
        .where(CatalogueItem.parent_id.is_(None), CatalogueItem.level == CatalogueLevel.GROUP)
        .order_by(CatalogueItem.sort_order, CatalogueItem.code)
    ).all()
    rows = [(group.name_vi, [a for a in answers if group.id in a.group_ids]) for group in groups]
    without = [a for a in answers if not a.group_ids]
    if without:
        rows.append(("Chưa khai báo sản phẩm, dịch vụ trong danh mục", without))
    return _firm_table(
        "1. DN theo nhóm lĩnh vực",
        "Nhóm lĩnh vực (Danh mục 980)",
        rows,
        "Tổng (một DN có thể thuộc nhiều nhóm)",
    )


def _grouped(answers: list[Answer], key) -> list[tuple[str, list[Answer]]]:
    """Answers grouped by `key(answer)` (a name), largest group first, then by name."""
    groups: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        groups[key(answer)].append(answer)
    return sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))


def _by_ward(answers: list[Answer]) -> Table:
    rows = _grouped(answers, lambda a: ward_name(a.ward_code) or NOT_STATED)
    return _firm_table("2. DN theo xã, phường", "Xã, phường, đặc khu", rows)


def _by_size(answers: list[Answer]) -> Table:
    rows = [(SIZE_VI[size], [a for a in answers if a.size == size]) for size in [*SizeClass, None]]
    return _firm_table("3. DN theo quy mô", "Quy mô (Nghị định 80/2021/NĐ-CP)", rows)


def _by_zone(answers: list[Answer]) -> Table:
    rows = _grouped(answers, lambda a: a.zone or "Ngoài KKT, KCN, CCN")
    return _firm_table("4. DN theo KKT, KCN, CCN", "Khu kinh tế, khu/cụm công nghiệp", rows)


def _returns_table(reporting_year: ReportingYear) -> Table:
    counts = returns_by_state(reporting_year)
    rows = _numbered([[STATE_VI[state], counts[state]] for state in ReturnState])
    return Table("5. Phiếu cập nhật", [ORDINAL, "Tình trạng phiếu", FIRMS], rows, _totals(rows, 2))


def _results_table(answers: list[Answer]) -> Table:
    """Sums over submitted returns, by the size class the return's own figures give (the
    class of that year, not the firm's current one; each firm in exactly one row)."""
    rows = []
    for size in [*SizeClass, None]:
        these = [a for a in answers if a.size == size]
        results = [sum(a.results[i] for a in these) for i in range(len(RESULT_HEADINGS))]
        rows.append([SIZE_VI[size], *_figures(these), *results])
    rows = _numbered(rows)
    headings = ["Số phiếu đã nộp", *FIGURE_HEADINGS[1:], *RESULT_HEADINGS]
    return Table(
        "6. Kết quả SXKD",
        [ORDINAL, "Quy mô doanh nghiệp", *headings],
        rows,
        _totals(rows, 2),
    )


def _needs_by_level(needs) -> Table:
    people = Counter()
    for _occupation, level, number in needs:
        people[level] += number
    rows = _numbered([[LEVEL_VI[level], people[level]] for level in WorkforceLevel])
    return Table(
        "7. Nhu cầu LĐ theo trình độ",
        [ORDINAL, "Trình độ", "Số người cần tuyển"],
        rows,
        _totals(rows, 2),
    )


def _needs_by_skill(needs) -> Table:
    """One row per occupation and level: spellings that differ only in case, spacing or
    diacritics are one occupation, shown in its most used spelling."""
    usual = usual_spellings((occupation, 1) for occupation, _level, _number in needs)
    people: Counter[tuple[str, WorkforceLevel]] = Counter()
    for occupation, level, number in needs:
        people[usual[occupation_key(occupation)], level] += number
    levels = list(WorkforceLevel)
    ordered = sorted(people.items(), key=lambda item: (item[0][0], levels.index(item[0][1])))
    rows = _numbered([[name, LEVEL_VI[level], n] for (name, level), n in ordered])
    return Table(
        "8. Nhu cầu LĐ theo ngành nghề",
        [ORDINAL, "Ngành nghề, kỹ năng", "Trình độ", "Số người cần tuyển"],
        rows,
        _totals(rows, 3),
    )


def _count_table(title, heading, count_heading, figure: statistics.Figure, label=TOTAL) -> Table:
    rows = _numbered([[bar.label, bar.value] for bar in figure.rows])
    return Table(title, [ORDINAL, heading, count_heading], rows, _totals(rows, 2, label))


def _apart_table(answers: list[Answer]) -> Table:
    rows = [(SCOPE_VI[scope], [a for a in answers if a.scope == scope]) for scope in Scope]
    return _firm_table(
        "12. Phạm vi tổng hợp", "Phiếu đã nộp theo phạm vi", rows, "Tổng số phiếu đã nộp"
    )


def _compute(reporting_year: ReportingYear) -> tuple[list[Table], dict[str, int]]:
    """The report's tables from year Y's returns (and, for 9–11, the programmes published and
    interest registered by the end of year Y), and the count of returns per scope."""
    answers = _load_answers(reporting_year)
    province = [a for a in answers if a.scope == Scope.PROVINCE]
    needs = [need for answer in province for need in answer.needs]
    year = reporting_year.year
    year_end = date(year, 12, 31)
    with force_locale("vi"):
        tables = [
            _by_group(province),
            _by_ward(province),
            _by_size(province),
            _by_zone(province),
            _returns_table(reporting_year),
            _results_table(province),
            _needs_by_level(needs),
            _needs_by_skill(needs),
            _count_table(
                "9. Chương trình theo hình thức",
                f"Hình thức hỗ trợ (chương trình công bố đến 31/12/{year})",
                "Số chương trình",
                statistics.programmes_by_support_type(year_end),
                "Tổng (một chương trình có thể có nhiều hình thức)",
            ),
            _count_table(
                "10. Chương trình theo trạng thái",
                f"Trạng thái ngày 31/12/{year}",
                "Số chương trình",
                statistics.programmes_by_status(year_end),
            ),
            _count_table(
                "11. Đăng ký quan tâm",
                f"Tình trạng xử lý (đăng ký trong năm {year})",
                "Số lượt đăng ký",
                statistics.interests_by_status(year),
            ),
            _apart_table(answers),
        ]
    summary = {scope.value: sum(1 for a in answers if a.scope == scope) for scope in Scope}
    _firms, summary["employees"], summary["capital"], summary["revenue"] = _figures(province)
    summary["asked"] = sum(returns_by_state(reporting_year).values())
    return tables, summary


def _stored(reporting_year: ReportingYear) -> tuple[list[Table], dict[str, int]]:
    stored = reporting_year.frozen_report
    return [Table(**table) for table in stored["tables"]], stored["summary"]


def issuing_agency() -> Agency | None:
    """Sở Công Thương, whose settings head and sign the report."""
    return db.session.scalar(sa.select(Agency).where(Agency.code == REVIEWING_AGENCY))


def build_report(actor: User | None, year: int) -> YearlyReport:
    authorize(actor, "reporting.run")
    reporting_year = get_reporting_year(year)
    if reporting_year.frozen_report is not None:
        tables, summary = _stored(reporting_year)
        issued_on = clock.local(reporting_year.closed_at or utcnow()).date()
    else:
        tables, summary = _compute(reporting_year)
        issued_on = clock.today()
    return YearlyReport(reporting_year, tables, summary, issuing_agency(), issued_on)


@transactional
def close_reporting_year(actor: User | None, year: int) -> ReportingYear:
    """Close the year: no return of it changes any more, and its report is computed one last
    time and stored with it (its frozen figures)."""
    authorize(actor, "reporting.run")
    reporting_year = get_reporting_year(year)
    if reporting_year.closed:
        raise Conflict(_("This reporting year is already closed."))
    tables, summary = _compute(reporting_year)
    reporting_year.closed = True
    reporting_year.closed_at = utcnow()
    reporting_year.frozen_report = {
        "tables": [asdict(table) | {"rows": list(table.rows)} for table in tables],
        "summary": summary,
    }
    audit.record(actor, "reporting_year.closed", "reporting_year", reporting_year.id, after=summary)
    return reporting_year


def vietnamese_date(day: date | datetime) -> str:
    """ "ngày 05 tháng 02 năm 2026": Decree 30 writes days below 10 and months 1 and 2 with a
    leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
