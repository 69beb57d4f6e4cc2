"""Curators merge two names of one occupation across every year's workforce needs, through
the one write path (authorized, audited); nobody else may."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, WorkforceNeed
from tests.backoffice.test_report import report_sheets, submitted_year
from tests.conftest import csrf_token
from tests.curation.helpers import (
    ADMIN,
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    INVESTOR,
    anonymous_token,
    as_user,
    confirmed_post,
    post_form,
)

URL = "/curation/reports/occupations"


def with_a_second_name(name: str = "KS môi trường") -> None:
    """The submitted return also needs an engineer under another name of the occupation."""
    need = db.session.scalar(
        sa.select(WorkforceNeed).where(WorkforceNeed.occupation == "Kỹ sư môi trường")
    )
    need.yearly_return.workforce_needs.append(
        WorkforceNeed(occupation=name, level="engineer", number_needed=5)
    )
    db.session.commit()


def occupations() -> list[str]:
    db.session.expire_all()
    return sorted(set(db.session.scalars(sa.select(WorkforceNeed.occupation))))


def test_curator_merges_two_occupations_into_one_row_of_the_report(client):
    submitted_year(client)
    with_a_second_name()
    page = client.get(URL).get_data(as_text=True)
    assert "KS môi trường" in page and "Kỹ sư môi trường" in page

    response = confirmed_post(
        client, URL, URL, {"source": "ks moi truong", "target": "ky su moi truong"}
    )

    assert response.status_code == 302
    assert occupations() == ["Kỹ sư môi trường", "Vận hành trạm xử lý nước thải"]
    skills = report_sheets(client)["8. Nhu cầu LĐ theo ngành nghề"]
    assert ("Kỹ sư môi trường", "Kỹ sư", 7) in {row[1:] for row in skills[1:-1]}
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "workforce.occupations_merged")
    ).all()
    assert event.entity_kind == "reporting_year"
    assert event.before == {"occupations": ["KS môi trường"]}
    assert event.after == {"occupation": "Kỹ sư môi trường", "needs": 1}


@pytest.mark.parametrize(
    "data",
    [
        {"source": "ky su moi truong", "target": "ky su moi truong"},
        {"source": "no such occupation", "target": "ky su moi truong"},
        {"source": "", "target": ""},
    ],
)
def test_a_merge_that_makes_no_sense_is_refused_and_changes_nothing(client, data):
    submitted_year(client)
    with_a_second_name()
    before = occupations()

    response = post_form(client, URL, URL, data)

    assert response.status_code == 400
    assert occupations() == before
    assert 'class="field-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("email", [CURATOR, ADMIN])
def test_reviewers_see_the_merge_screen(client, email):
    as_user(client, email)
    assert client.get(URL).status_code == 200
    assert URL in client.get("/curation/reports").get_data(as_text=True)


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR, CURATOR_KHCN])
def test_others_may_neither_see_nor_merge_occupations(client, email):
    submitted_year(client)
    with_a_second_name()
    before = occupations()
    as_user(client, email)
    token = csrf_token(client, "/")

    assert client.get(URL).status_code == 403
    posted = client.post(
        URL, data={"csrf_token": token, "source": "ks moi truong", "target": "ky su moi truong"}
    )

    assert posted.status_code == 403
    assert occupations() == before


def test_anonymous_visitors_are_sent_to_log_in(client):
    token = anonymous_token(client)
    response = client.post(URL, data={"csrf_token": token, "source": "a", "target": "b"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
