"""The yearly report: the XLSX workbook opens, has one sheet per table with a totals row, and
its totals are the printable page's."""

import io
import re

from openpyxl import load_workbook

from tests.backoffice.helpers import YEAR, business_firm, open_year, return_form, return_url
from tests.curation.helpers import BUSINESS, CURATOR, as_user, post_form


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
    assert len(workbook.sheetnames) == len(sections) == 11
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
    assert list(totals[2:]) == [1, 2_000_000_000, 700_000_000, 100_000_000, 50_000_000]
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


def test_report_of_an_unknown_year_is_not_found(client):
    as_user(client, CURATOR)
    assert client.get("/curation/reports/2001.xlsx").status_code == 404
