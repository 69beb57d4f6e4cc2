"""The search page and suggestions: tabs, facets, chips, sorting, and no 500 for any query."""

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import Firm, FirmStatus, Programme
from app.search.engine import search_backend


def hrefs(html: str, prefix: str) -> list[str]:
    return re.findall(rf'<h3><a href="({prefix}[^"]+)"', html)


def test_blank_search_shows_entry_points(client):
    html = client.get("/search?lang=en").get_data(as_text=True)
    assert "Published environmental-industry firms" in html
    assert 'href="/catalogue"' in html


def test_accented_and_unaccented_queries_find_the_same_firms(client):
    def every_firm(query: str) -> set[str]:
        # Every page: accents typed change the ranking (exact matches first), not what is found.
        found: set[str] = set()
        for page in range(1, 20):
            html = client.get(f"/search?q={query}&kind=firm&page={page}").get_data(as_text=True)
            links = hrefs(html, "/firms/")
            if not links:
                break
            found.update(links)
        return found

    accented = every_firm("xử lý nước thải")
    assert len(accented) > 10
    assert every_firm("xu ly nuoc thai") == accented


def test_tabs_show_counts_per_kind_and_filter_by_kind(client):
    html = client.get("/search?q=nuoc thai&lang=en").get_data(as_text=True)
    tabs = dict(re.findall(r'>(Firms|Catalogue|Programmes) <span class="count">(\d+)</span>', html))
    assert int(tabs["Firms"]) > 0 and int(tabs["Catalogue"]) > 0
    only_programmes = client.get("/search?q=nuoc thai&kind=programme").get_data(as_text=True)
    assert hrefs(only_programmes, "/")
    assert all(h.startswith("/programmes/") for h in hrefs(only_programmes, "/"))


def test_facet_filters_or_within_and_across(seeded_app):
    tree = CatalogueTree.load()
    firms = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    groups = {f.id: {tree.group_of(link.item_id).code for link in f.offerings} for f in firms}
    seeking = {f.id for f in firms if f.seeking_investment}

    def ids(filters: dict) -> set[int]:
        result = search_backend(seeded_app).search(
            "", kinds=["firm"], filters=filters, per_page=100
        )
        return {hit.id for hit in result.hits}

    either = {i for i, g in groups.items() if g & {"NT", "QT"}}
    assert ids({"group": ["NT", "QT"]}) == either
    assert ids({"group": ["NT", "QT"], "seeking": ["yes"]}) == either & seeking


def test_facet_counts_match_the_database(client):
    html = client.get("/search?kind=firm&q=&lang=en").get_data(as_text=True)
    expected = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED, Firm.seeking_investment.is_(True))
    )
    match = re.search(r'name="seeking" value="yes"[^>]*> Yes <span class="muted">\((\d+)\)', html)
    assert match and int(match.group(1)) == expected


def test_active_filters_show_as_removable_chips(client):
    html = client.get("/search?q=&kind=firm&size=small&seeking=yes&lang=en").get_data(as_text=True)
    chips = re.findall(r'<a class="chip chip-filter" href="([^"]+)"', html)
    assert len(chips) == 2
    removed = client.get(chips[0].replace("&amp;", "&")).get_data(as_text=True)
    assert removed.count('class="chip chip-filter"') == 1


def test_closing_soon_sorts_programmes_by_deadline(client):
    html = client.get("/search?q=&kind=programme&sort=closing").get_data(as_text=True)
    slugs = [h.removeprefix("/programmes/") for h in hrefs(html, "/programmes/")]
    closes = {p.slug: p.closes_on for p in db.session.scalars(sa.select(Programme))}
    dated = [closes[s] for s in slugs if closes.get(s)]
    assert dated == sorted(dated)


def test_newest_sort_puts_the_latest_published_firm_first(client):
    firm = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id.desc())
    )
    firm.description_vi = "Mới cập nhật"
    db.session.commit()
    html = client.get("/search?q=&kind=firm&sort=newest").get_data(as_text=True)
    assert hrefs(html, "/firms/")


def test_did_you_mean_for_a_misspelt_word(client):
    html = client.get("/search?q=quan traccc&lang=en").get_data(as_text=True)
    assert "Did you mean" in html


def test_matches_are_highlighted(client):
    html = client.get("/search?q=nước thải").get_data(as_text=True)
    assert "<mark>nước</mark> <mark>thải</mark>" in html


def test_the_query_is_escaped_wherever_it_is_shown(client):
    html = client.get("/search?q=<b>nước</b> thải").get_data(as_text=True)
    assert "<b>nước</b>" not in html
    assert "&lt;b&gt;nước&lt;/b&gt;" in html


def test_search_page_out_of_range_is_404(client):
    assert client.get("/search?q=nuoc&page=999").status_code == 404
    assert client.get("/search?q=nuoc&page=x").status_code == 404


def test_suggestions_are_json_with_links(client):
    data = client.get("/search/suggest?q=quan tr").json
    assert data["suggestions"]
    assert all(s["url"].startswith("/") and s["title"] for s in data["suggestions"])
    assert client.get("/search/suggest?q=").json == {"suggestions": []}


NASTY = [
    '"unbalanced',
    "AND OR NOT",
    "***",
    "a:b:c",
    "x" * 5000,
    "\x00\x01\x1f",
    "🌿♻️ nước",
    "((()))",
    "-",
    "NOT",
    "nu\u031bo\u0301c tha\u0309i",
]


@pytest.mark.parametrize("query", NASTY)
def test_no_query_string_causes_an_error(client, query):
    assert client.get("/search", query_string={"q": query}).status_code == 200
    assert client.get("/search/suggest", query_string={"q": query}).status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=60))
def test_any_unicode_query_renders(client, query):
    response = client.get("/search", query_string={"q": query, "kind": "firm"})
    assert response.status_code == 200


def test_a_site_whose_index_was_never_built_answers_searches_with_no_results(app):
    client = app.test_client()
    for url in ("/search?q=nuoc+thai", "/search?q=xử lý&sort=newest", "/search/suggest?q=xu"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("query", ["Sơn Tịnh", "Tịnh Bắc Sơn Tịnh", "tinh bac, son tinh"])
def test_an_old_commune_or_district_finds_firms_in_the_ward_it_became(seeded_app, query):
    """Vạn An is in Ba Gia (made in 2025 of Tịnh Bắc, Tịnh Hiệp, Tịnh Trà of Sơn Tịnh district);
    nothing in its own text says Sơn Tịnh."""
    van_an = db.session.scalar(sa.select(Firm).where(Firm.legal_name.contains("Vạn An")))
    kon_tum = db.session.scalars(  # Phường Kon Tum, in old Kon Tum province
        sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED, Firm.ward_code == 23293)
    ).all()

    result = search_backend(seeded_app).search(query, kinds=["firm"], per_page=100)

    found = {hit.id for hit in result.hits}
    assert van_an.ward_code == 21205 and van_an.id in found
    assert kon_tum and not found & set(kon_tum)


def test_an_english_page_shows_english_titles_for_a_vietnamese_query(client):
    def title_of(html: str, slug: str) -> str:
        found = re.search(rf'<h3><a href="/firms/{slug}">(.*?)</a></h3>', html)
        return re.sub(r"</?mark>", "", found.group(1)) if found else ""

    # No word of the query is in the English name.
    english = client.get("/search?q=môi trường xanh&kind=firm&lang=en").get_data(as_text=True)
    assert title_of(english, "moi-truong-xanh-tra-khuc") == "Tra Khuc Green Environment Co., Ltd."
    vietnamese = client.get("/search?q=môi trường xanh&kind=firm&lang=vi").get_data(as_text=True)
    assert title_of(vietnamese, "moi-truong-xanh-tra-khuc") == "Môi trường Xanh Trà Khúc"


def test_a_word_found_only_apart_says_so(client):
    # No record has "đào thải" together; some have "đào" and "thải" apart.
    html = client.get("/search?q=đào thải").get_data(as_text=True)
    assert "khớp ít chính xác hơn" in html
    assert hrefs(html, "/")
    together = client.get("/search?q=xử lý nước thải&lang=en").get_data(as_text=True)
    assert "fewer exact matches" not in together


def result_count(html: str) -> int:
    return int(re.search(r'class="h4 muted">(\d+) ', html).group(1))


def test_a_word_still_being_typed_finds_what_the_whole_word_finds(client):
    whole = client.get("/search?q=tái chế&kind=firm").get_data(as_text=True)
    partial = client.get("/search?q=tái ch&kind=firm").get_data(as_text=True)
    assert result_count(partial) == result_count(whole) > 10
    assert "Có phải bạn muốn tìm" not in partial
    assert set(hrefs(partial, "/firms/")) == set(hrefs(whole, "/firms/"))


def test_the_all_tab_shows_the_best_of_each_kind_firms_first(client):
    html = client.get("/search?q=xử lý nước thải&lang=en").get_data(as_text=True)
    links = hrefs(html, "/")
    assert links[0].startswith("/firms/")
    assert 0 < sum(link.startswith("/firms/") for link in links) <= 5
    sections = re.findall(r'<h2 id="overview-(\w+)"', html)
    assert sections[0] == "firm" and {"catalogue", "programme"} <= set(sections)
    assert "See all" in html and 'kind=firm"' in html.replace("&amp;", "&")
    # One page: each kind's tab pages through all of its results.
    assert client.get("/search?q=xử lý nước thải&page=2").status_code == 404
    assert client.get("/search?q=xử lý nước thải&kind=catalogue&page=2").status_code == 200
    newest = client.get("/search?q=xử lý nước thải&sort=newest").get_data(as_text=True)
    assert 'id="overview-' not in newest and len(hrefs(newest, "/")) == 20


def test_catalogue_hits_show_their_group_not_a_dump_of_keywords(client):
    html = client.get("/search?q=wastewater&kind=catalogue").get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S)
    assert not any("·" in s or "Wastewater" in s for s in snippets)
    assert "Xử lý nước thải</span>" in html  # the group, as a chip


def test_suggestions_blend_kinds_with_firms_and_follow_the_language(client):
    vietnamese = client.get("/search/suggest?q=nuoc thai").json["suggestions"]
    kinds = [s["kind"] for s in vietnamese]
    assert kinds[0] == "firm" and "catalogue" in kinds
    english = client.get("/search/suggest?q=nuoc thai&lang=en").json["suggestions"]
    titles = {s["url"]: s["title"] for s in english}
    assert titles["/catalogue/NT"] == "Wastewater treatment"
    assert {s["url"]: s["title"] for s in vietnamese}["/catalogue/NT"] == "Xử lý nước thải"
