"""Every destructive action asks first: its button is styled as dangerous, posting its form
shows what will happen and changes nothing, a request without `confirm` (forged, replayed)
changes nothing, and the confirmation page's own form then does it."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.firms.data import snapshot
from app.models import (
    CatalogueItem,
    FirmClaim,
    FirmIndustryCode,
    FirmRevision,
    FirmStatus,
    IndustryCode,
    ReportingYear,
    ReviewState,
    WorkforceNeed,
)
from tests.backoffice.helpers import YEAR
from tests.backoffice.test_occupations import with_a_second_name
from tests.backoffice.test_report import submitted_year
from tests.crawling import PageParser
from tests.curation.helpers import (
    CURATOR,
    INVESTOR,
    add_owner,
    as_user,
    programme_of,
    published_firm,
    refreshed,
    submitted_firm,
    user,
)

CSS = Path(__file__).resolve().parent.parent / "app" / "static" / "css"


@dataclass
class Destructive:
    page: str  # the page with the button
    action: str  # where its form posts
    typed: dict  # what the person types or chooses in the form
    done: Callable[[], bool]  # whether the action happened


def _reject_firm(client) -> Destructive:
    firm = submitted_firm()
    add_owner(firm)
    page = f"/curation/firms/{firm.id}"
    return Destructive(
        page,
        f"{page}/reject",
        {"reason": "Không thuộc lĩnh vực môi trường."},
        lambda: refreshed(firm).status == FirmStatus.REJECTED,
    )


def _archive_firm(client) -> Destructive:
    firm = published_firm()
    page = f"/curation/firms/{firm.id}"
    return Destructive(
        page,
        f"{page}/archive",
        {"reason": "Ngừng hoạt động"},
        lambda: refreshed(firm).status == FirmStatus.ARCHIVED,
    )


def _reject_revision(client) -> Destructive:
    firm = published_firm()
    revision = FirmRevision(firm=firm, data=snapshot(firm), base_version=firm.version)
    db.session.add(revision)
    db.session.commit()
    page = f"/curation/revisions/{revision.id}"
    return Destructive(
        page,
        f"{page}/reject",
        {"reason": "Chưa có chứng nhận."},
        lambda: refreshed(revision).state == ReviewState.REJECTED,
    )


def _reject_claim(client) -> Destructive:
    claim = FirmClaim(firm=published_firm(), user=user(INVESTOR), evidence="Hồ sơ")
    db.session.add(claim)
    db.session.commit()
    page = f"/curation/claims/{claim.id}"
    return Destructive(
        page,
        f"{page}/reject",
        {"reason": "Giấy tờ không khớp."},
        lambda: refreshed(claim).state == ReviewState.REJECTED,
    )


def _archive_programme(client) -> Destructive:
    programme = programme_of("SCT")
    return Destructive(
        f"/curation/programmes/{programme.id}/edit",
        f"/curation/programmes/{programme.id}/archive",
        {"reason": "Đã hết kinh phí"},
        lambda: refreshed(programme).archived,
    )


def _entry(code: str) -> CatalogueItem:
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def _gone(model, record_id: int) -> Callable[[], bool]:
    def gone() -> bool:
        db.session.expire_all()
        return db.session.get(model, record_id) is None

    return gone


def _delete_item(client) -> Destructive:
    item = _entry("NT.TB.08")  # nothing points at it
    page = f"/curation/refdata/catalogue/{item.id}"
    return Destructive(page, f"{page}/delete", {}, _gone(CatalogueItem, item.id))


def _merge_item(client) -> Destructive:
    item, target = _entry("NT.TB.08"), _entry("NT.TB.05")
    page = f"/curation/refdata/catalogue/{item.id}"
    return Destructive(
        page, f"{page}/merge", {"merge-target_id": str(target.id)}, _gone(CatalogueItem, item.id)
    )


def _delete_industry_code(client) -> Destructive:
    used = sa.select(FirmIndustryCode.industry_code_id)
    code = db.session.scalar(
        sa.select(IndustryCode).where(IndustryCode.id.not_in(used)).order_by(IndustryCode.id)
    )
    page = f"/curation/refdata/industry-codes/{code.id}"
    return Destructive(page, f"{page}/delete", {}, _gone(IndustryCode, code.id))


def _close_year(client) -> Destructive:
    submitted_year(client)

    def closed() -> bool:
        db.session.expire_all()
        return db.session.scalar(sa.select(ReportingYear).where(ReportingYear.year == YEAR)).closed

    page = f"/curation/reports/{YEAR}"
    return Destructive(page, f"{page}/close", {}, closed)


def _merge_occupations(client) -> Destructive:
    submitted_year(client)
    with_a_second_name()
    page = "/curation/reports/occupations"

    def merged() -> bool:
        db.session.expire_all()
        return "KS môi trường" not in db.session.scalars(sa.select(WorkforceNeed.occupation))

    typed = {"source": "ks moi truong", "target": "ky su moi truong"}
    return Destructive(page, page, typed, merged)


ACTIONS = {
    "reject a listing": _reject_firm,
    "archive a listing": _archive_firm,
    "reject a revision": _reject_revision,
    "reject a claim": _reject_claim,
    "archive a programme": _archive_programme,
    "delete a catalogue entry": _delete_item,
    "merge catalogue entries": _merge_item,
    "delete an industry code": _delete_industry_code,
    "close a reporting year": _close_year,
    "merge occupations": _merge_occupations,
}


def _form(html: str, action: str) -> tuple[MultiDict, str]:
    """The fields of the form on the page that posts to `action`, and its button's markup."""
    parser = PageParser()
    parser.feed(html)
    [form] = [f for f in parser.forms if f["action"] and f["action"].split("?")[0] == action]
    start = html.index(f'action="{form["action"]}"')
    button = re.search(r"<button[^>]*>", html[start:]).group(0)
    return MultiDict(form["fields"]), button


@pytest.mark.parametrize("name", ACTIONS)
def test_a_destructive_action_runs_only_once_confirmed(client, name):
    as_user(client, CURATOR)
    action = ACTIONS[name](client)
    fields, button = _form(client.get(action.page).get_data(as_text=True), action.action)
    assert 'class="button-danger"' in button
    for field, value in action.typed.items():
        fields[field] = value

    asked = client.post(action.action, data=fields)

    html = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert 'name="confirm" value="yes"' in html
    assert not action.done()

    confirmation, button = _form(html, action.action)
    assert 'class="button-danger"' in button
    confirmed = client.post(action.action, data=confirmation)

    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    assert action.done()


@pytest.mark.parametrize("name", ["reject a listing", "delete a catalogue entry"])
def test_a_request_without_confirm_changes_nothing_however_often_it_is_sent(client, name):
    as_user(client, CURATOR)
    action = ACTIONS[name](client)
    fields, _button = _form(client.get(action.page).get_data(as_text=True), action.action)
    for field, value in {**action.typed, "confirm": "no"}.items():
        fields[field] = value

    for _attempt in range(2):
        assert client.post(action.action, data=fields).status_code == 200
    assert not action.done()


def test_a_reject_without_a_reason_is_refused_before_asking(client):
    as_user(client, CURATOR)
    action = _reject_firm(client)
    fields, _button = _form(client.get(action.page).get_data(as_text=True), action.action)

    response = client.post(action.action, data=fields)

    assert response.status_code == 400
    assert 'name="confirm"' not in response.get_data(as_text=True)


def _luminance(hex_colour: str) -> float:
    digits = hex_colour[1:] if len(hex_colour) == 7 else "".join(2 * c for c in hex_colour[1:])
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_danger_buttons_are_red_with_text_readable_on_them():
    css = (CSS / "forms.css").read_text()
    for rule in re.findall(r"\.button-danger(?::hover)? \{([^}]*)\}", css):
        background = re.search(r"background: (#[0-9a-f]{6}|#[0-9a-f]{3})\b", rule).group(1)
        colour = re.search(r"(?<![-\w])color: (#[0-9a-f]{6}|#[0-9a-f]{3})\b", rule).group(1)
        lighter, darker = sorted((_luminance(background), _luminance(colour)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5
