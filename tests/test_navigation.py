"""The menu tells each signed-in user what waits for them: introduction requests, yearly
returns due, the review queue — one query per count, and nothing for visitors."""

import re
from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from app.curation.queue import QueueFilters, review_queue
from app.extensions import db
from app.models import (
    Firm,
    IntroductionRequest,
    ReportingYear,
    ReturnState,
    User,
    YearlyReturn,
)
from tests.conftest import login_as

DEMO_TAX_CODE = "4398388232"


def account(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def badges(html: str, href: str) -> list[str]:
    """The accessible words of the badges on the main-menu link to `href`."""
    menu = html[html.index('class="main-nav"') :]
    link = re.search(rf'<a href="{re.escape(href)}"[^>]*>(.*?)</a>', menu, re.S)
    assert link, href
    return re.findall(r'<span class="visually-hidden">([^<]+)</span>', link.group(1))


def ask_for_an_introduction() -> Firm:
    firm = db.session.scalar(sa.select(Firm).where(Firm.tax_code == DEMO_TAX_CODE))
    db.session.add(
        IntroductionRequest(
            investor_id=account("investor@demo.cnmt.vn").id,
            firm_id=firm.id,
            message="Chúng tôi muốn tìm hiểu cơ hội đầu tư.",
        )
    )
    db.session.commit()
    return firm


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_business_menu_counts_introduction_requests_and_returns_due(client):
    firm = ask_for_an_introduction()
    db.session.add_all(
        [
            ReportingYear(year=2025, deadline=date(2026, 3, 31)),
            ReportingYear(year=2024, deadline=date(2025, 3, 31)),
        ]
    )
    db.session.commit()
    submitted = db.session.scalar(sa.select(ReportingYear).where(ReportingYear.year == 2024))
    db.session.add(
        YearlyReturn(reporting_year=submitted, firm_id=firm.id, state=ReturnState.SUBMITTED)
    )
    db.session.commit()
    login_as(client, account("business@demo.cnmt.vn"))

    html = client.get("/firms").get_data(as_text=True)

    assert badges(html, "/my/firms") == [
        "1 yêu cầu giới thiệu cần trả lời",
        "1 báo cáo năm cần nộp",
    ]
    mine = client.get("/my/firms").get_data(as_text=True)
    assert f'href="/my/firms/{firm.id}/returns/2025"' in mine
    assert f'href="/my/firms/{firm.id}/returns/2024"' not in mine
    assert 'href="/my/introductions"' in mine


def test_investor_menu_counts_requests_awaiting_an_answer(client):
    ask_for_an_introduction()
    login_as(client, account("investor@demo.cnmt.vn"))

    html = client.get("/firms?lang=en").get_data(as_text=True)

    assert badges(html, "/investor") == ["1 introduction request awaiting an answer"]


def test_curator_menu_counts_the_review_queue_in_one_query(client):
    curator = account("curator@demo.cnmt.vn")
    waiting = review_queue(curator, QueueFilters(), 1).total
    assert waiting > 0
    login_as(client, curator)

    with statements() as seen:
        html = client.get("/programmes").get_data(as_text=True)

    # The seed has one product certificate waiting for a curator too.
    assert badges(html, "/curation/") == [f"{waiting} chờ duyệt", "1 chứng nhận cần xác minh"]
    assert len([s for s in seen if "firm_claim" in s]) == 1


def test_nothing_waiting_shows_no_badge(client):
    login_as(client, account("business@demo.cnmt.vn"))

    html = client.get("/firms").get_data(as_text=True)

    assert badges(html, "/my/firms") == []


def test_visitors_get_no_badges_and_no_count_queries(client):
    ask_for_an_introduction()

    with statements() as seen:
        html = client.get("/programmes").get_data(as_text=True)

    assert "badge-count" not in html
    assert not [s for s in seen if "introduction_request" in s or "firm_claim" in s]
