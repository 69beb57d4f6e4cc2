"""Who may open and post to each curation page: one table, every role."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.firms.data import snapshot
from app.models import Agency, Firm, FirmClaim, FirmRevision, Programme, Zone
from tests.conftest import csrf_token, login_as
from tests.curation.helpers import (
    ADMIN,
    BUSINESS,
    CURATOR,
    CURATOR_KHCN,
    INVESTOR,
    anonymous_token,
    programme_of,
    published_firm,
    submitted_firm,
    user,
)

ROLES = ("anonymous", "business", "investor", "curator_khcn", "curator_sct", "admin")
EMAILS = {
    "business": BUSINESS,
    "investor": INVESTOR,
    "curator_khcn": CURATOR_KHCN,
    "curator_sct": CURATOR,
    "admin": ADMIN,
}
LOGIN = "login"
REVIEWERS_ONLY = (LOGIN, 403, 403, 403, 200, 200)
AGENCY_STAFF = (LOGIN, 403, 403, 200, 200, 200)

# (method, url template, expected status per role in ROLES order)
MATRIX = [
    # Another agency's curator gets their agency's home there instead of the review queue.
    ("GET", "/curation/", AGENCY_STAFF),
    ("GET", "/curation/?kind=claim&page=1", AGENCY_STAFF),
    ("GET", "/curation/firms/{submitted}", REVIEWERS_ONLY),
    ("GET", "/curation/revisions/{revision}", REVIEWERS_ONLY),
    ("GET", "/curation/claims/{claim}", REVIEWERS_ONLY),
    ("GET", "/curation/history/firm/{submitted}", REVIEWERS_ONLY),
    ("POST", "/curation/firms/{submitted}/approve", (LOGIN, 403, 403, 403, 302, 302)),
    ("POST", "/curation/firms/{submitted}/reject", (LOGIN, 403, 403, 403, 302, 302)),
    ("POST", "/curation/firms/{published}/verify", (LOGIN, 403, 403, 403, 302, 302)),
    ("POST", "/curation/revisions/{revision}/approve", (LOGIN, 403, 403, 403, 302, 302)),
    ("POST", "/curation/claims/{claim}/reject", (LOGIN, 403, 403, 403, 302, 302)),
    ("POST", "/curation/bulk-approve", (LOGIN, 403, 403, 403, 302, 302)),
    ("GET", "/curation/programmes", AGENCY_STAFF),
    ("GET", "/curation/programmes/new", AGENCY_STAFF),
    ("GET", "/curation/zones", AGENCY_STAFF),
    ("GET", "/curation/programmes/{khcn_programme}/edit", (LOGIN, 403, 403, 200, 403, 200)),
    ("GET", "/curation/programmes/{sct_programme}/edit", (LOGIN, 403, 403, 403, 200, 200)),
    ("GET", "/curation/programmes/{sct_draft}/edit", (LOGIN, 404, 404, 404, 200, 200)),
    ("GET", "/curation/history/programme/{khcn_programme}", (LOGIN, 403, 403, 200, 403, 200)),
    ("POST", "/curation/programmes/{khcn_programme}/unpublish", (LOGIN, 403, 403, 302, 403, 302)),
    ("GET", "/curation/zones/{board_zone}/edit", (LOGIN, 403, 403, 403, 403, 200)),
    ("GET", "/curation/history/zone/{board_zone}", (LOGIN, 403, 403, 403, 403, 200)),
]
CASES = [
    pytest.param(method, url, role, expected[i], id=f"{role}-{method}-{url}")
    for method, url, expected in MATRIX
    for i, role in enumerate(ROLES)
]


def records() -> dict:
    firm = submitted_firm()
    published = published_firm()
    revision = FirmRevision(
        firm=published, data=snapshot(published), base_version=published.version
    )
    claim = FirmClaim(firm=published, user=user(INVESTOR), evidence="Hồ sơ")
    sct_draft = Programme(
        slug="ban-nhap-sct", agency=programme_of("SCT").agency, title_vi="Bản nháp của Sở"
    )
    db.session.add_all([revision, claim, sct_draft])
    db.session.commit()
    board = db.session.scalar(sa.select(Agency).where(Agency.code == "BQLKKT"))
    return {
        "submitted": firm.id,
        "published": published.id,
        "revision": revision.id,
        "claim": claim.id,
        "khcn_programme": programme_of("SKHCN").id,
        "sct_programme": programme_of("SCT").id,
        "sct_draft": sct_draft.id,
        "board_zone": db.session.scalar(
            sa.select(Zone.id).where(Zone.managing_agency_id == board.id).order_by(Zone.id)
        ),
    }


def form_data(url: str, ids: dict) -> dict:
    """What a curator's form would send (a version seen, a reason, a selection), confirmed."""
    firm = db.session.get(Firm, ids["published"] if "/verify" in url else ids["submitted"])
    data = {"version": str(firm.version), "reason": "Lý do", "confirm": "yes"}
    if "/revisions/" in url:
        data["version"] = str(db.session.get(Firm, ids["published"]).version)
    if url.endswith("bulk-approve"):
        data["selected"] = f"{firm.id}:{firm.version}"
    if "/programmes/" in url:
        programme = db.session.get(Programme, ids["khcn_programme"])
        data["version"] = programme.updated_at.isoformat()
    return data


@pytest.mark.parametrize(("method", "url", "role", "expected"), CASES)
def test_access(client, method, url, role, expected):
    ids = records()
    url = url.format(**ids)
    token = anonymous_token(client) if method == "POST" else None
    if role != "anonymous":
        login_as(client, user(EMAILS[role]))

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token, **form_data(url, ids)})

    if expected == LOGIN:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected
        if expected == 302:
            assert "/login" not in response.headers["Location"]


def test_csrf_token_is_required_for_decisions(client):
    login_as(client, user(CURATOR))
    firm = submitted_firm()
    csrf_token(client, f"/curation/firms/{firm.id}")

    response = client.post(f"/curation/firms/{firm.id}/approve", data={"version": firm.version})

    assert response.status_code == 400
    assert db.session.get(Firm, firm.id).status == "submitted"
