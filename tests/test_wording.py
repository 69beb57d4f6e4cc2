"""Vietnamese pages, as every signed-in role reaches them, say everything in Vietnamese: no
stored codes (audit actions, enumerated values), no Python lists, no UTC times, no interface
text left in English."""

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.curation.listings import request_changes
from app.extensions import db
from app.labels import LABELS
from app.models import AuditEvent, Firm, FirmStatus
from tests.conftest import login_as
from tests.crawling import ROLES, Site, add_records_every_page_needs, user
from tests.test_public_pages import _fixed_words, _translations

# What only code prints: a Python list or dict, an empty value, a stored role, UTC times.
RAW_MARKS = re.compile(r"\['|\{'|\bNone\b|\bUTC\b|\((owner|editor)\)")


class TextNodes(HTMLParser):
    """The interface text a reader sees, node by node. Left out: what people typed into forms
    (textarea contents; input values are attributes), text marked as another language
    (`lang="en"`: a record's English title), and `<code>`, which is literal syntax to type as
    shown (an import file's column names)."""

    SKIPPED = {"script", "style", "textarea", "code"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        language = dict(attrs).get("lang") or "vi"
        self._open.append((tag, tag in self.SKIPPED or not language.startswith("vi")))

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if data.strip() and not any(skipped for _tag, skipped in self._open):
            self.nodes.append(" ".join(data.split()))


class VietnameseSite(Site):
    """The crawl without the language link (following it would choose English)."""

    def visit(self, url: str) -> list[str]:
        return [link for link in super().visit(url) if "lang=" not in link]


def english_phrases() -> list[str]:
    """Interface phrases of two words or more whose Vietnamese does not contain them."""
    return [
        _fixed_words(msgid)
        for msgid, msgstr in _translations()
        if msgstr and _fixed_words(msgid) not in msgstr and len(_fixed_words(msgid).split()) >= 2
    ]


def stored_codes() -> set[str]:
    """Codes only code should see: audit actions and every enumerated value."""
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct()).all()
    return set(actions) | {str(value) for value in LABELS}


def leaks_on(html: str, english: list[str], codes: set[str]) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    text = " ".join(parser.nodes)
    leaks = [match.group() for match in RAW_MARKS.finditer(text)]
    leaks += [node for node in parser.nodes if node.strip("()[]:,.·") in codes]
    leaks += [code for code in codes if ("." in code or "_" in code) and code in text]
    leaks += [phrase for phrase in english if phrase in text]
    return leaks


def decided_listing() -> Firm:
    """A submitted listing a curator sent back, with what to fix: its history has codes,
    lists, timestamps and field names to show in words."""
    firm = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.SUBMITTED).order_by(Firm.id)
    )
    request_changes(user(ROLES["curator"]), firm.id, firm.version, "Thiếu mô tả.", ["ward"])
    return firm


@pytest.mark.parametrize("role", ["business", "investor", "curator", "admin"])
def test_vietnamese_pages_show_no_codes_or_english(seeded_app, role):
    with seeded_app.test_request_context():
        add_records_every_page_needs()
        firm = decided_listing()
    client = seeded_app.test_client()
    login_as(client, user(ROLES[role]))
    client.get("/?lang=vi")
    site = VietnameseSite(seeded_app, client)

    site.crawl()
    site.visit(f"/curation/history/firm/{firm.id}")

    english, codes = english_phrases(), stored_codes()
    found = {url: leaks_on(html, english, codes) for url, html in site.pages.items()}
    found = {url: leaks for url, leaks in found.items() if leaks}
    assert len(site.pages) > 20
    assert found == {}, "\n".join(f"{url}: {leaks}" for url, leaks in found.items())
