"""The yearly report: the XLSX workbook opens, has one sheet per table with a totals row, and
its totals are the printable page's; it counts the province's enterprises from the year's
returns, frozen when the year closes, and prints as a Decree 30 administrative document."""

import io
import re
from datetime import date, datetime

import sqlalchemy as sa
from openpyxl import load_workbook

from app.backoffice.report import Scope, report_scope, vietnamese_date
from app.domain import clock
from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup, SizeClass
from app.domain.places import wards_of_province
from app.extensions import db
from app.models import (
    Agency,
    Firm,
    FirmStatus,
    ReportingYear,
    ReturnState,
    WorkforceNeed,
    YearlyReturn,
)
from tests.backoffice.helpers import YEAR, business_firm, open_year, return_form, return_url
from tests.curation.helpers import BUSINESS, CURATOR, as_user, confirmed_post, post_form, refreshed


def submitted_year(client) -> None:
    firm = business_firm(BUSINESS)
    open_year(client)
    as_user(client, BUSINESS)
    post_form(client, return_url(firm), return_url(firm), return_form())
    as_user(client, CURATOR)


def test_xlsx_report_totals_match_the_printable_page(client):
    submitted_year(client)
    response = client.get(f"/curation/reports/{YEAR}.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    html = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)
    sections = re.findall(r'<section class="report-table".*?</section>', html, flags=re.S)
    assert len(workbook.sheetnames) == len(sections) == 12
    for sheet, section in zip(workbook.worksheets, sections, strict=True):
        assert sheet["A1"].value == "STT"
        totals = [c for c in next(sheet.iter_rows(min_row=sheet.max_row, values_only=True))]
        numbers = [value for value in totals if isinstance(value, int | float)]
        page_totals = [int(v) for v in re.findall(r'data-total="(-?\d+)"', section)]
        assert numbers == page_totals, sheet.title
        body = list(sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, values_only=True))
        first = len(totals) - len(numbers)
        for column, total in zip(range(first, len(totals)), numbers, strict=True):
            assert sum(row[column] or 0 for row in body) == total


def test_report_sums_the_submitted_figures_and_workforce_needs(client):
    submitted_year(client)
    workbook = load_workbook(io.BytesIO(client.get(f"/curation/reports/{YEAR}.xlsx").data))
    figures = workbook["6. Kết quả SXKD"]
    totals = next(figures.iter_rows(min_row=figures.max_row, values_only=True))
    assert totals[1] == "Tổng cộng"
    assert list(totals[2:]) == [
        1,
        8,
        1_500_000_000,
        2_000_000_000,
        700_000_000,
        100_000_000,
        50_000_000,
    ]
    levels = workbook["7. Nhu cầu LĐ theo trình độ"]
    rows = {r[1]: r[2] for r in levels.iter_rows(min_row=2, values_only=True)}
    assert rows["Kỹ thuật viên"] == 3 and rows["Kỹ sư"] == 2 and rows["Tổng cộng"] == 5
    skills = workbook["8. Nhu cầu LĐ theo ngành nghề"]
    assert ("Kỹ sư môi trường", "Kỹ sư", 2) in {
        tuple(r[1:]) for r in skills.iter_rows(min_row=2, values_only=True)
    }


def test_printable_page_links_the_print_stylesheet_for_print_only(client):
    submitted_year(client)
    html = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)
    assert 'href="/static/css/print.css" media="print"' in html
    assert "BÁO CÁO" in html
    with client.get("/static/css/print.css") as stylesheet:
        assert b"@page" in stylesheet.data


def test_in_english_the_report_page_says_the_printed_report_stays_vietnamese(client):
    submitted_year(client)
    client.get("/?lang=en")

    html = client.get(f"/curation/reports/{YEAR}").get_data(as_text=True)

    assert "The printable report is in Vietnamese whatever language you choose" in html
    assert "BÁO CÁO" in client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)


def test_report_of_an_unknown_year_is_not_found(client):
    as_user(client, CURATOR)
    assert client.get("/curation/reports/2001.xlsx").status_code == 404


# Scope, year and totals --------------------------------------------------------------------------


def report_sheets(client, year: int = YEAR) -> dict[str, list[tuple]]:
    response = client.get(f"/curation/reports/{year}.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def totals_of(sheets: dict, prefix: str) -> tuple:
    [title] = [title for title in sheets if title.startswith(prefix)]
    return sheets[title][-1]


def body_rows(sheets: dict, prefix: str) -> dict[str, tuple]:
    [title] = [title for title in sheets if title.startswith(prefix)]
    return {row[1]: row[2:] for row in sheets[title][1:-1]}


def firm_outside_the_province_with_a_return(year: int = YEAR) -> Firm:
    """A published firm in Đà Nẵng that submitted its return for `year`."""
    firm = Firm(
        slug="da-nang-firm",
        tax_code="0401234567",
        legal_name="Công ty Đà Nẵng",
        status=FirmStatus.PUBLISHED,
        ward_code=wards_of_province(48)[1][0],
        sector_group=SectorGroup.AGRI_INDUSTRY,
        published_at=datetime(2024, 1, 1),
    )
    reporting_year = db.session.scalar(sa.select(ReportingYear).where(ReportingYear.year == year))
    db.session.add(
        YearlyReturn(
            reporting_year=reporting_year,
            firm=firm,
            state=ReturnState.SUBMITTED,
            insured_employees=300,
            capital_vnd=90_000_000_000,
            revenue_vnd=500_000_000_000,
        )
    )
    db.session.commit()
    return firm


def test_firm_outside_the_province_has_its_own_line_not_the_provinces_totals(client):
    submitted_year(client)
    firm_outside_the_province_with_a_return()

    sheets = report_sheets(client)

    for prefix in ("1.", "2.", "3.", "4."):
        assert totals_of(sheets, prefix)[2:] == (1, 8, 1_500_000_000, 2_000_000_000), prefix
    assert totals_of(sheets, "6.")[2] == 1
    scope = body_rows(sheets, "12.")
    [outside] = [
        figures for name, figures in scope.items() if name.startswith("Doanh nghiệp ngoài")
    ]
    assert outside == (1, 300, 90_000_000_000, 500_000_000_000)
    html = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)
    assert "Số liệu tổng hợp từ 1 phiếu" in html


def test_households_and_branches_are_not_counted_as_the_provinces_enterprises():
    in_province, elsewhere = wards_of_province()[0][0], wards_of_province(48)[0][0]
    assert report_scope(in_province) == Scope.PROVINCE
    assert report_scope(in_province, EnterpriseType.JOINT_STOCK) == Scope.PROVINCE
    assert report_scope(elsewhere, EnterpriseType.LLC_ONE_MEMBER) == Scope.OUTSIDE
    for kind in (EnterpriseType.HOUSEHOLD, EnterpriseType.BRANCH, EnterpriseType.COOPERATIVE):
        assert report_scope(in_province, kind) == Scope.NOT_ENTERPRISE
        assert report_scope(elsewhere, kind) == Scope.NOT_ENTERPRISE


def test_every_table_of_firms_sums_employees_capital_and_revenue(client):
    submitted_year(client)

    sheets = report_sheets(client)

    for prefix in ("1.", "2.", "3.", "4."):
        [title] = [title for title in sheets if title.startswith(prefix)]
        assert sheets[title][0][2:] == (
            "Số doanh nghiệp",
            "Lao động có BHXH (người)",
            "Vốn (đồng)",
            "Doanh thu (đồng)",
        )
    assert body_rows(sheets, "3.")["Siêu nhỏ"] == (1, 8, 1_500_000_000, 2_000_000_000)


def test_open_years_report_uses_that_years_figures_not_a_later_years_return(client):
    firm = business_firm(BUSINESS)
    submitted_year(client)
    before = report_sheets(client)
    open_year(client, year=YEAR + 1)
    as_user(client, BUSINESS)
    bigger = return_form(insured_employees="250", revenue_vnd="400000000000")
    post_form(client, return_url(firm, YEAR + 1), return_url(firm, YEAR + 1), bigger)
    as_user(client, CURATOR)
    assert refreshed(firm).size_class == SizeClass.LARGE

    after = report_sheets(client)

    assert body_rows(after, "3.")["Siêu nhỏ"] == (1, 8, 1_500_000_000, 2_000_000_000)
    assert after == before


def test_closed_years_report_is_frozen_against_later_directory_changes(client, seeded_app):
    firm = business_firm(BUSINESS)
    submitted_year(client)
    confirmed_post(client, f"/curation/reports/{YEAR}", f"/curation/reports/{YEAR}/close")
    frozen = report_sheets(client)
    frozen_page = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)

    firm = refreshed(firm)
    firm.ward_code = wards_of_province()[5][0]
    firm.zone = None
    other = db.session.scalar(
        sa.select(YearlyReturn).where(
            YearlyReturn.reporting_year_id == firm_year().id, YearlyReturn.firm_id != firm.id
        )
    )
    other.state, other.insured_employees, other.capital_vnd = ReturnState.SUBMITTED, 20, 10**9
    db.session.commit()

    assert report_sheets(client) == frozen
    page = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)
    assert page == frozen_page
    assert 'id="frozen"' in page and 'id="provisional"' not in page


def firm_year(year: int = YEAR) -> ReportingYear:
    return db.session.scalar(sa.select(ReportingYear).where(ReportingYear.year == year))


def test_report_of_a_year_without_returns_says_so_and_shows_no_live_firms(client):
    open_year(client)

    sheets = report_sheets(client)
    html = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)

    assert 'id="no-returns"' in html
    assert 'id="provisional"' in html
    for prefix in ("1.", "2.", "3.", "4.", "6."):
        assert totals_of(sheets, prefix)[2] == 0, prefix
    assert body_rows(sheets, "2.") == {}


# Workforce occupations ---------------------------------------------------------------------------


def test_occupations_differing_in_case_spacing_or_accents_are_one_row(client):
    submitted_year(client)
    need = db.session.scalar(
        sa.select(WorkforceNeed).where(WorkforceNeed.occupation == "Kỹ sư môi trường")
    )
    yearly_return = need.yearly_return
    yearly_return.workforce_needs.append(
        WorkforceNeed(occupation="kỹ sư  môi trường", level="engineer", number_needed=4)
    )
    yearly_return.workforce_needs.append(
        WorkforceNeed(occupation="Ky su moi truong", level="engineer", number_needed=1)
    )
    db.session.commit()

    skills = report_sheets(client)["8. Nhu cầu LĐ theo ngành nghề"]

    engineers = [row for row in skills[1:-1] if row[2] == "Kỹ sư"]
    assert [row[1:] for row in engineers] == [("Kỹ sư môi trường", "Kỹ sư", 7)]


# The administrative document (Decree 30/2020/NĐ-CP) ---------------------------------------------


def test_printable_report_has_the_decree_30_elements_from_the_agencys_settings(client):
    sct = db.session.scalar(sa.select(Agency).where(Agency.code == "SCT"))
    sct.superior_name = "Ủy ban nhân dân tỉnh Quảng Ngãi"
    sct.abbreviation = "SCT"
    sct.place_name = "Quảng Ngãi"
    sct.signer_position = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    sct.signer_name = "Nguyễn Văn Ký"
    sct.recipients = "UBND tỉnh;\nBộ Công Thương;\nLưu: VT."
    db.session.commit()
    submitted_year(client)
    confirmed_post(client, f"/curation/reports/{YEAR}", f"/curation/reports/{YEAR}/close")
    closed_on = clock.local(refreshed(firm_year()).closed_at).date()

    html = client.get(f"/curation/reports/{YEAR}/print").get_data(as_text=True)

    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        "SỞ CÔNG THƯƠNG TỈNH QUẢNG NGÃI",
        "Số: ……/BC-SCT",
        f"Quảng Ngãi, {vietnamese_date(closed_on)}",
        "BÁO CÁO",
        "Nơi nhận:",
        "<li>- Bộ Công Thương;</li>",
        "<li>- Lưu: VT.</li>",
        '<p class="signer-position">KT. GIÁM ĐỐC</p>',
        '<p class="signer-position">PHÓ GIÁM ĐỐC</p>',
        '<p class="signer-name">Nguyễn Văn Ký</p>',
    ):
        assert text in html, text
    assert html.index("CỘNG HÒA") < html.index("BÁO CÁO") < html.index("Nơi nhận:")


def test_dates_follow_decree_30():
    assert vietnamese_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vietnamese_date(date(2026, 11, 25)) == "ngày 25 tháng 11 năm 2026"
    assert vietnamese_date(date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
