"""The public firm directory: filters, ignored filter values, bounded queries."""

import re
import threading
import unicodedata
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import Firm, FirmStatus, LinkRelation
from search_index import fold


def listed_slugs(client, query: str) -> set[str]:
    slugs, page = set(), 1
    while True:
        response = client.get(f"/firms?{query}&page={page}")
        if response.status_code == 404:
            return slugs
        found = set(
            re.findall(r'<h3><a href="/firms/([a-z0-9-]+)"', response.get_data(as_text=True))
        )
        if not found:
            return slugs
        slugs |= found
        page += 1


def published() -> list[Firm]:
    return list(db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)))


def test_unfiltered_list_shows_every_published_firm(client):
    assert listed_slugs(client, "") == {f.slug for f in published()}


def test_group_filter_keeps_firms_supplying_something_in_the_group(client):
    tree = CatalogueTree.load()
    group = tree.by_code["NT"]
    expected = {
        f.slug
        for f in published()
        if any(tree.group_of(link.item_id) is group for link in f.links(LinkRelation.OFFERS))
    }
    assert expected
    assert listed_slugs(client, "group=NT") == expected


def test_two_groups_mean_either(client):
    assert listed_slugs(client, "group=NT&group=QT") == listed_slugs(
        client, "group=NT"
    ) | listed_slugs(client, "group=QT")


def test_ward_filter(client):
    ward = published()[0].ward_code
    expected = {f.slug for f in published() if f.ward_code == ward}
    assert listed_slugs(client, f"ward={ward}") == expected


@pytest.mark.parametrize("size", ["micro", "small", "medium", "large"])
def test_size_filter(client, size):
    expected = {f.slug for f in published() if f.size_class == size}
    assert expected
    assert listed_slugs(client, f"size={size}") == expected


def test_zone_filter(client):
    firm = next(f for f in published() if f.zone is not None)
    expected = {f.slug for f in published() if f.zone_id == firm.zone_id}
    assert listed_slugs(client, f"zone={firm.zone.slug}") == expected


def test_seeking_investment_filter(client):
    expected = {f.slug for f in published() if f.seeking_investment}
    assert expected
    assert listed_slugs(client, "seeking=1") == expected


def test_filters_combine_with_and(client):
    both = listed_slugs(client, "group=NT&seeking=1")
    assert both == listed_slugs(client, "group=NT") & listed_slugs(client, "seeking=1")


def test_text_finds_the_same_firms_with_or_without_accents_in_any_case(client):
    firm = next(f for f in published() if "Đ" in f.legal_name.upper())
    word = next(w for w in firm.legal_name.split() if "Đ" in w.upper())
    typed = [word, word.upper(), fold(word), fold(word).upper(), unicodedata.normalize("NFD", word)]

    found = [listed_slugs(client, f"q={quote(text)}") for text in typed]

    assert firm.slug in found[0]
    assert all(slugs == found[0] for slugs in found), typed


def test_unknown_filter_values_are_ignored_with_a_visible_note(client):
    response = client.get("/firms?group=XX&ward=99999&size=huge&zone=nowhere&seeking=maybe&lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ignored filter values we do not recognise" in html
    for value in ("XX", "99999", "huge", "nowhere", "maybe"):
        assert value in html
    assert listed_slugs(client, "group=XX&size=huge") == {f.slug for f in published()}


def test_filter_values_are_escaped_in_the_note(client):
    html = client.get("/firms?group=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_list_page_runs_a_bounded_number_of_queries(seeded_app):
    statements = []
    this_thread = threading.get_ident()

    def count(*args):
        # Only this request's statements: a server thread left by another test may be working.
        if threading.get_ident() == this_thread:
            statements.append(args)

    client = seeded_app.test_client()
    # What is loaded once per data generation (a test before this one may have changed it)
    # is not what this test counts: load it first.
    client.get("/firms?warm=1")
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        seeded_app.config["FIRMS_PER_PAGE"] = 5
        client.get("/firms")
        small = len(statements)
        statements.clear()
        seeded_app.config["FIRMS_PER_PAGE"] = 40
        client.get("/firms?page=1")  # another URL: not the page kept for visitors
        large = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert large == small


def test_firm_page_shows_tax_code_size_and_offerings(client):
    firm = next(f for f in published() if f.offerings and f.size_class)
    html = client.get(f"/firms/{firm.slug}?lang=en").get_data(as_text=True)
    assert firm.tax_code_display in html
    assert firm.offerings[0].item.code in html


def test_contact_details_are_hidden_unless_the_firm_shows_them(client):
    hidden = next((f for f in published() if f.phone and not f.show_contact), None)
    if hidden is None:
        pytest.fail("seed data should include a firm with a phone that it does not show")
    assert hidden.phone not in client.get(f"/firms/{hidden.slug}").get_data(as_text=True)
