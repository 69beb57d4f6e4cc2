"""Every public page renders in both languages; unknown things are 404s; drafts never show."""

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from markupsafe import escape

from app.extensions import db
from app.models import (
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmStatus,
    Incubator,
    LinkRelation,
    Programme,
    Zone,
)

PO_FILE = Path(__file__).resolve().parent.parent / "app/translations/vi/LC_MESSAGES/messages.po"


def public_urls() -> list[str]:
    firm = db.session.scalar(
        sa.select(Firm.slug).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    item = db.session.scalar(sa.select(CatalogueItem.code).where(CatalogueItem.level == "item"))
    programme = db.session.scalar(sa.select(Programme.slug))
    zone = db.session.scalar(sa.select(Zone.slug).where(Zone.parent_id.is_not(None)))
    incubator = db.session.scalar(sa.select(Incubator.slug))
    return [
        "/",
        "/firms",
        "/firms?page=2",
        f"/firms/{firm}",
        "/catalogue",
        "/catalogue/NT",
        f"/catalogue/{item}",
        "/programmes",
        f"/programmes/{programme}",
        "/zones",
        f"/zones/{zone}",
        "/incubators",
        f"/incubators/{incubator}",
    ]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?span\b[^>]*>", "", html)  # inline: a <span lang="vi"> adds no space
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _translations() -> list[tuple[str, str]]:
    with PO_FILE.open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        pairs.append((msgid, msgstr))
    return pairs


def _fixed_words(text: str) -> str:
    """The longest run of a message's words without placeholders."""
    parts = re.split(r"%\(\w+\)\w|[“”\"]", text)
    return max(parts, key=len).strip()


def test_every_translatable_string_has_a_vietnamese_translation():
    missing = [msgid for msgid, msgstr in _translations() if not msgstr]
    assert missing == []


def test_source_strings_all_appear_in_the_catalogue(tmp_path):
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent.parent
    known = {msgid for msgid, _ in _translations()}
    method_map = [
        ("app/**.py", "python"),
        ("app/templates/**.html", "jinja2"),
        ("app/templates/**.txt", "jinja2"),
    ]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "N_": (1, 2),
    }
    found = set()
    for _, _, message, _, _ in extract_from_dir(root, method_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    assert sorted(found - known) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_public_page_renders_in_both_languages(client, lang):
    english_only = [
        _fixed_words(msgid)
        for msgid, msgstr in _translations()
        if msgstr and msgid != msgstr and len(_fixed_words(msgid).split()) >= 2
    ]
    # Vietnamese words are single syllables: six make a UI phrase rather than a name in the data.
    vietnamese_only = [
        _fixed_words(msgstr)
        for msgid, msgstr in _translations()
        if msgstr and msgid != msgstr and len(_fixed_words(msgstr).split()) >= 6
    ]
    client.get(f"/?lang={lang}")
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        text = visible_text(html)
        leaked = english_only if lang == "vi" else vietnamese_only
        untranslated = [phrase for phrase in leaked if phrase in text]
        assert untranslated == [], (url, untranslated)


def test_language_choice_is_remembered_in_the_session(client):
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/firms").get_data(as_text=True)
    client.get("/?lang=vi")
    assert '<html lang="vi">' in client.get("/firms").get_data(as_text=True)


def test_default_language_is_vietnamese(client):
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/firms/no-such-firm",
        "/catalogue/NO-SUCH-CODE",
        "/programmes/no-such-programme",
        "/zones/no-such-zone",
        "/incubators/no-such-incubator",
        "/no/such/page",
        "/firms?page=abc",
        "/firms?page=0",
        "/firms?page=-1",
        "/firms?page=9999",
        "/firms?page=1.5",
    ],
)
def test_unknown_things_are_404_pages(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True)


def test_404_answers_json_to_api_clients(client):
    response = client.get("/firms/no-such-firm", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_non_public_firms_never_show(client):
    hidden = db.session.scalars(sa.select(Firm).where(Firm.status != FirmStatus.PUBLISHED)).all()
    assert hidden
    pages = [client.get(url).get_data(as_text=True) for url in public_urls()]
    pages += [client.get(f"/firms?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    for firm in hidden:
        assert client.get(f"/firms/{firm.slug}").status_code == 404
        assert all(firm.legal_name not in page for page in pages)


def test_programmes_page_puts_open_upcoming_and_closed_apart(client):
    html = client.get("/programmes?lang=en").get_data(as_text=True)
    today = date.today()
    for programme in db.session.scalars(sa.select(Programme)):
        section = {"open": 'id="open"', "forecast": 'id="forecast"', "closed": 'id="closed"'}[
            programme.status_on(today)
        ]
        start = html.index(section)
        following = [html.find(s, start + 1) for s in ('id="open"', 'id="forecast"', 'id="closed"')]
        end = min([i for i in following if i > start] or [len(html)])
        assert f"/programmes/{programme.slug}" in html[start:end], programme.slug


def test_sample_records_carry_a_visible_mark(client):
    firm = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED))
    assert "Sample data" in client.get(f"/firms/{firm.slug}?lang=en").get_data(as_text=True)
    incubator = db.session.scalar(sa.select(Incubator))
    page = client.get(f"/incubators/{incubator.slug}?lang=vi").get_data(as_text=True)
    assert "dữ liệu mẫu" in page.lower()


def test_a_catalogue_page_shows_who_needs_the_item_as_well_as_who_supplies_it(client):
    link = db.session.scalars(
        sa.select(FirmCatalogueLink)
        .join(Firm)
        .where(
            FirmCatalogueLink.relation == LinkRelation.NEEDS, Firm.status == FirmStatus.PUBLISHED
        )
    ).first()
    assert link is not None, "the seed has published firms with needs"
    html = client.get(f"/catalogue/{link.item.code}?lang=en").get_data(as_text=True)
    needs = html.split("Firms that need this", 1)[1].split("Programmes targeting this", 1)[0]
    assert escape(link.firm.display_name) in needs


def _programme_with(**provenance) -> Programme:
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.cofinancing_pct == 30).order_by(Programme.id)
    )
    for name, value in provenance.items():
        setattr(programme, name, value)
    db.session.commit()
    return programme


def test_a_sample_programme_says_its_figures_are_not_real_and_the_page_says_it_shows_demo_data(
    client,
):
    programme = _programme_with()
    assert programme.provenance == "sample"

    for url in (f"/programmes/{programme.slug}", "/programmes"):
        text = visible_text(client.get(f"{url}?lang=en").get_data(as_text=True))
        assert "Sample data — not real figures" in text
        assert "This page shows demo data." in text


def test_a_programme_from_a_public_source_names_the_document_its_date_and_link(client):
    programme = _programme_with(
        provenance="public_source",
        source_document="Quyết định 22/QĐ-BKHCN",
        source_date=date(2024, 1, 11),
        source_url="https://most.gov.vn/vb/22",
    )

    html = client.get(f"/programmes/{programme.slug}?lang=en").get_data(as_text=True)

    assert "Source: Quyết định 22/QĐ-BKHCN, 11/01/2024" in visible_text(html)
    assert 'href="https://most.gov.vn/vb/22"' in html
    assert "Sample data — not real figures" not in html


def test_a_verified_programme_names_the_agency_and_the_day(client):
    programme = _programme_with(
        provenance="verified",
        source_document="Quyết định 22/QĐ-BKHCN",
        source_date=date(2024, 1, 11),
        verified_on=date(2026, 11, 30),
    )
    programme.verified_by_agency = programme.agency
    db.session.commit()

    text = visible_text(client.get(f"/programmes/{programme.slug}?lang=vi").get_data(as_text=True))

    assert f"Đã được {programme.agency.name_vi} xác minh ngày 30/11/2026" in text


def test_zone_and_incubator_pages_say_where_their_figures_come_from(client):
    zone = db.session.scalar(sa.select(Zone).where(Zone.area_ha.is_not(None)))
    incubator = db.session.scalar(sa.select(Incubator).where(Incubator.capacity.is_not(None)))

    for url in (f"/zones/{zone.slug}", "/zones", f"/incubators/{incubator.slug}", "/incubators"):
        text = visible_text(client.get(f"{url}?lang=en").get_data(as_text=True))
        assert "Sample data — not real figures" in text, url
        assert "This page shows demo data." in text, url


def test_the_cost_share_says_who_pays_what(client):
    programme = _programme_with()

    text = visible_text(client.get(f"/programmes/{programme.slug}?lang=vi").get_data(as_text=True))

    assert "chương trình hỗ trợ tối đa 30 %, doanh nghiệp đối ứng ít nhất 70 %" in text
    assert "Tỷ lệ vốn đối ứng 30 %" not in text


def test_the_footer_explains_the_three_kinds_of_figures_honestly(client):
    text = visible_text(client.get("/?lang=vi").get_data(as_text=True))

    # Unverified figures are not all "taken from public sources": sample values are invented.
    assert "lấy từ nguồn công khai và đang chờ" not in text
    assert "Dữ liệu mẫu — ví dụ giả định để minh họa; số liệu không có thật." in text
    assert "Nguồn — do biên tập viên lấy từ văn bản công khai được nêu" in text
    assert "Đã xác minh — được cơ quan nêu tên xác nhận vào ngày ghi kèm" in text
