"""Malformed input to the curators' pages is refused cleanly, never a server error; text with
control characters from a business never blocks a curator's decision."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmRevision, FirmStatus, ReviewState
from tests.conftest import login_as
from tests.curation.helpers import CURATOR, as_user, post_form, submitted_firm, user
from tests.firms.test_self_service import form_data


@pytest.mark.parametrize("query", ["ward=²", "ward=99999999999999999999", "page=²"])
def test_queue_refuses_or_ignores_values_that_are_no_numbers(client, query):
    as_user(client, CURATOR)
    assert client.get(f"/curation/?{query}").status_code in (200, 404)


def test_bulk_approve_skips_selections_that_are_no_numbers(client):
    as_user(client, CURATOR)
    firm = submitted_firm()
    response = post_form(
        client,
        "/curation/",
        "/curation/bulk-approve",
        {"selected": [f"²:{firm.version}", f"{firm.id}:²", "99999999999999999999:1"]},
    )
    assert response.status_code == 302
    db.session.refresh(firm)
    assert firm.status == FirmStatus.SUBMITTED


@pytest.mark.parametrize("version", ["²", "99999999999999999999"])
def test_a_decision_with_a_version_that_is_no_number_is_refused(client, version):
    as_user(client, CURATOR)
    firm = submitted_firm()
    page = f"/curation/firms/{firm.id}"
    response = post_form(client, page, f"{page}/approve", {"version": version})
    assert response.status_code == 400
    db.session.refresh(firm)
    assert firm.status == FirmStatus.SUBMITTED


def test_a_revision_typed_with_nul_can_be_approved(client):
    business = user("business@demo.cnmt.vn")
    login_as(client, business)
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=business.id)))
    url = f"/my/firms/{firm.id}/edit"
    data = form_data(client, url, description_vi="Xử lý\x00 nước thải\x00")
    data.update(version=str(firm.version), legal_name=firm.legal_name, tax_code=firm.tax_code)
    assert client.post(url, data=data).status_code == 302
    revision = db.session.scalar(
        sa.select(FirmRevision).where(
            FirmRevision.firm_id == firm.id, FirmRevision.state == ReviewState.PENDING
        )
    )
    as_user(client, CURATOR)
    page = f"/curation/revisions/{revision.id}"
    db.session.refresh(firm)

    response = post_form(client, page, f"{page}/approve", {"version": str(firm.version)})

    assert response.status_code == 302
    db.session.refresh(firm)
    assert firm.description_vi == "Xử lý nước thải"
