"""Every statistic against a small directory whose figures are computed by hand."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import sqlalchemy as sa

from app.backoffice import statistics
from app.backoffice.charts import Bar, bar_chart
from tests.backoffice.fixtures import WARD_A, WARD_B, build_directory
from tests.curation.helpers import ADMIN, BUSINESS, CURATOR, CURATOR_KHCN, INVESTOR, as_user

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def directory(app):
    objects = build_directory()
    with app.test_request_context("/?lang=en"):
        yield objects


def rows(figure) -> dict:
    return {bar.label: bar.value for bar in figure.rows}


def test_firms_by_group_counts_each_group_a_firm_supplies_and_firms_without_items(directory):
    assert rows(statistics.firms_by_group()) == {
        "Wastewater": 2,
        "Exhaust gas": 1,
        "No catalogue item listed": 1,
    }


def test_firms_by_ward_zone_size_and_verification_count_published_firms_only(directory):
    from app.domain.places import ward_name

    assert rows(statistics.firms_by_ward()) == {ward_name(WARD_A): 2, ward_name(WARD_B): 1}
    assert rows(statistics.firms_by_zone()) == {"KCN Alpha": 2, "Outside zones and clusters": 1}
    assert rows(statistics.firms_by_size()) == {
        "Micro": 1,
        "Small": 1,
        "Medium": 0,
        "Large": 0,
        "Not known": 1,
    }
    assert rows(statistics.firms_verified()) == {"Verified by a curator": 2, "Not verified": 1}


def test_firms_by_year_counts_by_year_of_publication(directory):
    assert [(bar.label, bar.value) for bar in statistics.firms_by_year().rows] == [
        ("2024", 1),
        ("2025", 2),
    ]


def test_programmes_by_support_type_and_status_count_public_programmes(directory):
    support = rows(statistics.programmes_by_support_type())
    assert support["Grant"] == 2
    assert support["Training"] == 2
    assert support["Preferential loan"] == 1
    assert sum(support.values()) == 5
    assert rows(statistics.programmes_by_status(date(2026, 6, 1))) == {
        "Open": 2,
        "Upcoming": 1,
        "Closed": 1,
    }


def test_interest_funnel_counts_every_status(directory):
    assert rows(statistics.interests_by_status()) == {
        "New": 1,
        "Contacted": 2,
        "Supported": 1,
        "Not supported": 0,
    }


def test_workforce_needs_sum_submitted_returns_only(directory):
    assert rows(statistics.workforce_by_skill(2025)) == {
        "Vận hành lò đốt": 7,
        "Kỹ sư môi trường": 3,
    }
    assert rows(statistics.workforce_by_level(2025)) == {
        "Worker": 0,
        "Technician": 7,
        "Engineer": 2,
        "Manager": 1,
    }
    assert statistics.workforce_by_skill().title.endswith("(2025)")


def test_introductions_funnel_is_empty_without_requests(directory):
    assert rows(statistics.introductions_by_state()) == {
        "Waiting for the firm": 0,
        "Accepted": 0,
        "Declined": 0,
    }


def test_chart_is_valid_svg_with_title_description_and_one_bar_per_row(app):
    with app.test_request_context("/?lang=en"):
        svg = bar_chart("c", "Firms <by> group", [Bar("A & B", 3), Bar("<script>", 0)])
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Firms <by> group"
    assert "A & B: 3" in root.find(f"{SVG}desc").text
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 2
    assert "style=" not in str(svg)
    assert "<script>" not in str(svg)


def test_chart_without_rows_is_still_valid_svg(app):
    with app.test_request_context("/"):
        ET.fromstring(str(bar_chart("empty", "Nothing", [])))


# Pages and downloads on the seeded directory ----------------------------------------------------


def test_statistics_page_shows_every_public_figure_as_chart_and_table(client):
    html = client.get("/statistics?lang=en").get_data(as_text=True)
    for key in statistics.PUBLIC_FIGURES:
        assert f'id="{key}"' in html
        assert f"/statistics/{key}.csv" in html
    assert html.count("<svg") == len(statistics.PUBLIC_FIGURES)
    assert "interests-by-status" not in html


def test_statistics_page_renders_in_vietnamese(client):
    assert client.get("/statistics?lang=vi").status_code == 200


def test_figure_csv_matches_the_figure(client, seeded_app):
    response = client.get("/statistics/firms-by-size.csv?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    with seeded_app.test_request_context("/?lang=en"):
        figure = statistics.firms_by_size()
    assert table[0] == ["Size class", "Count"]
    assert table[1:-1] == [[bar.label, str(bar.value)] for bar in figure.rows]
    assert table[-1] == ["Total", str(figure.total)]


def test_firm_counts_on_the_seeded_directory_match_plain_python(seeded_app):
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Firm, FirmStatus

    published = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    with seeded_app.test_request_context("/?lang=en"):
        by_size = rows(statistics.firms_by_size())
        verified = rows(statistics.firms_verified())
        by_year = rows(statistics.firms_by_year())
    assert by_size["Micro"] == sum(1 for f in published if f.size_class == "micro")
    assert sum(by_size.values()) == len(published)
    assert verified["Verified by a curator"] == sum(1 for f in published if f.verified_at)
    expected_years: dict[str, int] = {}
    for firm in published:
        expected_years[str(firm.published_at.year)] = (
            expected_years.get(str(firm.published_at.year), 0) + 1
        )
    assert by_year == expected_years


def test_curator_figures_are_not_public(client):
    assert client.get("/statistics/interests-by-status.csv").status_code == 403
    assert client.get("/statistics/no-such-figure.csv").status_code == 404


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR])
def test_dashboard_is_for_curators_only(client, email):
    as_user(client, email)
    assert client.get("/curation/dashboard").status_code == 403
    assert client.get("/statistics/interests-by-status.csv").status_code == 403


def test_another_agencys_curator_gets_its_own_dashboard_without_the_reviewers_figures(client):
    as_user(client, CURATOR_KHCN)
    response = client.get("/curation/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key in statistics.CURATOR_FIGURES:
        assert f'id="{key}"' not in html
    for key in statistics.AGENCY_FIGURES:
        assert f'id="{key}"' in html
    assert client.get("/statistics/interests-by-status.csv").status_code == 403


@pytest.mark.parametrize("email", [CURATOR, ADMIN])
def test_dashboard_shows_every_figure_to_reviewers(client, email):
    as_user(client, email)
    response = client.get("/curation/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key in (*statistics.PUBLIC_FIGURES, *statistics.CURATOR_FIGURES):
        assert f'id="{key}"' in html
    assert client.get("/statistics/interests-by-status.csv").status_code == 200


def test_dashboard_needs_a_login(client):
    response = client.get("/curation/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_workforce_needs_count_spellings_of_one_occupation_as_one(directory):
    from app.extensions import db
    from app.models import WorkforceNeed

    need = db.session.scalar(
        sa.select(WorkforceNeed).where(WorkforceNeed.occupation == "Vận hành lò đốt")
    )
    need.yearly_return.workforce_needs.append(
        WorkforceNeed(occupation="VAN HANH  lo dot", level="worker", number_needed=2)
    )
    db.session.commit()

    assert rows(statistics.workforce_by_skill(2025)) == {
        "Vận hành lò đốt": 9,
        "Kỹ sư môi trường": 3,
    }
