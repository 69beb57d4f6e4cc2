"""The yearly report of Sở Công Thương to the provincial People's Committee and the Ministry of
Industry and Trade: the same tables as an XLSX workbook and as a printable page.

The report is an official Vietnamese document, so its headings are Vietnamese whatever the
reader's language; the tables are built with the Vietnamese locale for the same reason.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale

from app.authorization import authorize
from app.backoffice import statistics
from app.backoffice.returns import get_reporting_year, returns_by_state
from app.domain.firm_size import SizeClass, size_class
from app.extensions import db
from app.models import (
    Firm,
    ReportingYear,
    ReturnState,
    User,
    WorkforceLevel,
    WorkforceNeed,
    YearlyReturn,
)
from app.tabular import Table

ORDINAL = "STT"
FIRMS = "Số doanh nghiệp"
TOTAL = "Tổng cộng"
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
MONEY_HEADINGS = [
    "Doanh thu (đồng)",
    "Giá trị sản phẩm, dịch vụ môi trường (đồng)",
    "Xuất khẩu (đồng)",
    "Chi nghiên cứu, chuyển giao công nghệ (đồng)",
]


@dataclass
class YearlyReport:
    reporting_year: ReportingYear
    tables: list[Table]

    @property
    def year(self) -> int:
        return self.reporting_year.year


def _numbered(rows: list[list]) -> list[list]:
    return [[index, *row] for index, row in enumerate(rows, start=1)]


def _totals(rows: list[list], first_numeric: int, label: str = TOTAL) -> list:
    width = len(rows[0]) if rows else first_numeric + 1
    sums = [sum(row[col] or 0 for row in rows) for col in range(first_numeric, width)]
    return ["", label, *[""] * (first_numeric - 2), *sums]


def _figure_table(title: str, heading: str, figure: statistics.Figure, label=TOTAL) -> Table:
    rows = _numbered([[bar.label, bar.value] for bar in figure.rows])
    return Table(title, [ORDINAL, heading, FIRMS], rows, _totals(rows, 2, label))


def _returns_table(reporting_year: ReportingYear) -> Table:
    counts = returns_by_state(reporting_year)
    rows = _numbered([[STATE_VI[state], counts[state]] for state in ReturnState])
    return Table("5. Phiếu cập nhật", [ORDINAL, "Tình trạng phiếu", FIRMS], rows, _totals(rows, 2))


def _figures_table(reporting_year: ReportingYear) -> Table:
    """Sums over submitted returns, by the size class the return's own figures give (the
    class of that year, not the firm's current one; each firm in exactly one row)."""
    result: dict[SizeClass | None, list[int]] = {}
    for sector, employees, revenue, capital, *money in db.session.execute(
        sa.select(
            Firm.sector_group,
            YearlyReturn.insured_employees,
            YearlyReturn.revenue_vnd,
            YearlyReturn.capital_vnd,
            YearlyReturn.revenue_vnd,
            YearlyReturn.env_output_vnd,
            YearlyReturn.exports_vnd,
            YearlyReturn.rnd_vnd,
        )
        .join(Firm, Firm.id == YearlyReturn.firm_id)
        .where(
            YearlyReturn.reporting_year_id == reporting_year.id,
            YearlyReturn.state == ReturnState.SUBMITTED,
        )
    ):
        totals = result.setdefault(size_class(sector, employees, revenue, capital), [0] * 5)
        totals[0] += 1
        for index, value in enumerate(money, start=1):
            totals[index] += value or 0
    sizes = [*SizeClass, None]
    rows = _numbered(
        [[SIZE_VI[size], *[int(v) for v in result.get(size, [0] * 5)]] for size in sizes]
    )
    return Table(
        "6. Kết quả SXKD",
        [ORDINAL, "Quy mô doanh nghiệp", "Số phiếu đã nộp", *MONEY_HEADINGS],
        rows,
        _totals(rows, 2),
    )


def _needs_query(reporting_year: ReportingYear) -> sa.Select:
    return (
        sa.select()
        .select_from(WorkforceNeed)
        .join(YearlyReturn, WorkforceNeed.yearly_return_id == YearlyReturn.id)
        .where(
            YearlyReturn.reporting_year_id == reporting_year.id,
            YearlyReturn.state == ReturnState.SUBMITTED,
        )
    )


def _needs_by_level(reporting_year: ReportingYear) -> Table:
    counts = dict(
        db.session.execute(
            _needs_query(reporting_year)
            .add_columns(WorkforceNeed.level, sa.func.sum(WorkforceNeed.number_needed))
            .group_by(WorkforceNeed.level)
        ).all()
    )
    rows = _numbered([[LEVEL_VI[level], int(counts.get(level, 0))] for level in WorkforceLevel])
    return Table(
        "7. Nhu cầu LĐ theo trình độ",
        [ORDINAL, "Trình độ", "Số người cần tuyển"],
        rows,
        _totals(rows, 2),
    )


def _needs_by_skill(reporting_year: ReportingYear) -> Table:
    total = sa.func.sum(WorkforceNeed.number_needed)
    result = db.session.execute(
        _needs_query(reporting_year)
        .add_columns(WorkforceNeed.occupation, WorkforceNeed.level, total)
        .group_by(WorkforceNeed.occupation, WorkforceNeed.level)
        .order_by(WorkforceNeed.occupation, WorkforceNeed.level)
    ).all()
    rows = _numbered(
        [[occupation, LEVEL_VI[WorkforceLevel(level)], int(n)] for occupation, level, n in result]
    )
    return Table(
        "8. Nhu cầu LĐ theo ngành nghề",
        [ORDINAL, "Ngành nghề, kỹ năng", "Trình độ", "Số người cần tuyển"],
        rows,
        _totals(rows, 3),
    )


def build_report(actor: User | None, year: int) -> YearlyReport:
    authorize(actor, "reporting.run")
    reporting_year = get_reporting_year(year)
    with force_locale("vi"):
        tables = [
            _figure_table(
                "1. DN theo nhóm lĩnh vực",
                "Nhóm lĩnh vực (Danh mục 980)",
                statistics.firms_by_group(),
                "Tổng (một DN có thể thuộc nhiều nhóm)",
            ),
            _figure_table(
                "2. DN theo xã, phường", "Xã, phường, đặc khu", statistics.firms_by_ward()
            ),
            _figure_table(
                "3. DN theo quy mô",
                "Quy mô (Nghị định 80/2021/NĐ-CP)",
                _vi_sizes(statistics.firms_by_size()),
            ),
            _figure_table(
                "4. DN theo KKT, KCN, CCN",
                "Khu kinh tế, khu/cụm công nghiệp",
                statistics.firms_by_zone(),
            ),
            _returns_table(reporting_year),
            _figures_table(reporting_year),
            _needs_by_level(reporting_year),
            _needs_by_skill(reporting_year),
            _count_table(
                "9. Chương trình theo hình thức",
                "Hình thức hỗ trợ",
                "Số chương trình",
                statistics.programmes_by_support_type(),
                "Tổng (một chương trình có thể có nhiều hình thức)",
            ),
            _count_table(
                "10. Chương trình theo trạng thái",
                "Trạng thái",
                "Số chương trình",
                statistics.programmes_by_status(),
            ),
            _count_table(
                "11. Đăng ký quan tâm",
                "Tình trạng xử lý",
                "Số lượt đăng ký",
                statistics.interests_by_status(),
            ),
        ]
    return YearlyReport(reporting_year, tables)


def _vi_sizes(figure: statistics.Figure) -> statistics.Figure:
    """Size rows come in SizeClass order, then 'not known' if any: name them in Vietnamese."""
    names = [SIZE_VI[size] for size in SizeClass] + [SIZE_VI[None]]
    figure.rows = [
        type(bar)(name, bar.value) for name, bar in zip(names, figure.rows, strict=False)
    ]
    return figure


def _count_table(title, heading, count_heading, figure: statistics.Figure, label=TOTAL) -> Table:
    rows = _numbered([[bar.label, bar.value] for bar in figure.rows])
    return Table(title, [ORDINAL, heading, count_heading], rows, _totals(rows, 2, label))
