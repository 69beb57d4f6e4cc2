"""Every decision leaves an audit event shown on the history page; reviewers hear about new
submissions; mail goes out only after the commit."""

import sqlalchemy as sa

from app.curation.notifications import notify_reviewers_of_submission
from app.extensions import db
from app.models import AuditEvent
from tests.curation.helpers import (
    ADMIN,
    CURATOR,
    CURATOR_KHCN,
    as_user,
    body,
    confirmed_post,
    mails,
    post_form,
    refreshed,
    submitted_firm,
)


def test_each_decision_is_recorded_with_actor_action_and_reason(client):
    firm = submitted_firm()
    curator = as_user(client, CURATOR)
    url = f"/curation/firms/{firm.id}"
    post_form(
        client,
        url,
        f"{url}/request-changes",
        {"version": str(firm.version), "reason": "Thiếu mã ngành", "checks": ["ward"]},
    )
    firm = refreshed(firm)
    firm.status = "submitted"
    db.session.commit()
    confirmed_post(client, url, f"{url}/reject", {"version": str(firm.version), "reason": "Trùng"})

    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_kind == "firm", AuditEvent.entity_id == firm.id)
        .order_by(AuditEvent.id)
    ).all()

    assert [(e.action, e.actor_id, e.reason) for e in events] == [
        ("firm.request_changes", curator.id, "Thiếu mã ngành"),
        ("firm.reject", curator.id, "Trùng"),
    ]
    assert events[0].before["status"] == "submitted"
    assert events[0].after["status"] == "changes_requested"
    assert events[0].after["review_failed_checks"] == ["ward"]
    history = client.get(f"/curation/history/firm/{firm.id}").get_data(as_text=True)
    assert (
        'data-action="firm.reject"' in history and 'data-action="firm.request_changes"' in history
    )
    assert "Thiếu mã ngành" in history and curator.name in history
    assert f"/curation/history/firm/{firm.id}" in client.get(url).get_data(as_text=True)


def test_reviewers_are_told_about_a_submission_only_once_it_is_committed(seeded_app):
    firm = submitted_firm()
    with seeded_app.test_request_context():
        notify_reviewers_of_submission(firm)
        assert mails(seeded_app) == []
        db.session.commit()

    recipients = {message["To"] for message in mails(seeded_app)}
    assert recipients == {CURATOR, ADMIN}
    assert CURATOR_KHCN not in recipients
    message = mails(seeded_app)[0]
    assert firm.display_name in message["Subject"]
    assert f"/curation/firms/{firm.id}" in body(message)


def test_rolled_back_decision_sends_no_mail(seeded_app):
    firm = submitted_firm()
    with seeded_app.test_request_context():
        notify_reviewers_of_submission(firm)
        db.session.rollback()
        db.session.commit()

    assert mails(seeded_app) == []
