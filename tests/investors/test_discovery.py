"""Firm discovery for investors: every filter agrees with the database, sorting, table view,
and filter values that are not understood are ignored with a note."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import Firm, LinkRelation
from tests.conftest import login_as
from tests.investors.conftest import published_firms, slugs_in_table

pytestmark = pytest.mark.usefixtures("all_on_one_page")


def shown(client, query: str) -> list[str]:
    response = client.get(f"/investor/firms?view=table&lang=en&{query}")
    assert response.status_code == 200
    return slugs_in_table(response.get_data(as_text=True))


def expected(predicate) -> set[str]:
    return {firm.slug for firm in published_firms() if predicate(firm)}


@pytest.fixture
def logged_in(client, investor):
    login_as(client, investor)
    return client


def test_without_filters_every_published_firm_is_listed(logged_in):
    assert set(shown(logged_in, "")) == expected(lambda f: True)


def test_seeking_investment(logged_in):
    result = shown(logged_in, "seeking=1")
    assert set(result) == expected(lambda f: f.seeking_investment)
    assert 0 < len(result) < len(published_firms())


@pytest.mark.parametrize("kind", ["loan", "equity", "joint_venture"])
def test_investment_type(logged_in, kind):
    result = shown(logged_in, f"invest_type={kind}")
    assert set(result) == expected(lambda f: kind in (f.investment_types or []))
    assert result


@pytest.mark.parametrize(
    ("low", "high"),
    [(20_000_000_000, 40_000_000_000), (None, 3_000_000_000), (150_000_000_000, None)],
)
def test_amount_range_overlaps_the_firms_ask(logged_in, low, high):
    def overlaps(firm: Firm) -> bool:
        ask_low, ask_high = firm.investment_min_vnd, firm.investment_max_vnd
        if ask_low is None and ask_high is None:
            return False
        fits_high = high is None or (ask_low or 0) <= high
        fits_low = low is None or ask_high is None or ask_high >= low
        return fits_high and fits_low

    args = "&".join(
        f"{name}={value:,}".replace(",", ".")
        for name, value in (("amount_min", low), ("amount_max", high))
        if value is not None
    )
    result = shown(logged_in, args)
    assert set(result) == expected(overlaps)
    assert result


def test_amount_range_bounds_read_as_a_range_in_vietnamese(logged_in):
    html = logged_in.get("/investor/firms?lang=vi").get_data(as_text=True)

    assert '<label for="d-min">Từ</label>' in html
    assert '<label for="d-max">Đến</label>' in html  # not the programmes' "maximum support"


def test_size_class(logged_in):
    result = shown(logged_in, "size=medium")
    assert set(result) == expected(lambda f: f.size_class == "medium")
    assert result


def test_catalogue_group(logged_in):
    tree = CatalogueTree.load()

    def in_group(firm: Firm) -> bool:
        return any(
            tree.group_of(link.item_id).code == "NT"
            for link in firm.catalogue_links
            if link.relation == LinkRelation.OFFERS
        )

    result = shown(logged_in, "group=NT")
    assert set(result) == expected(in_group)
    assert result


def test_ward_and_zone(logged_in):
    firm = next(f for f in published_firms() if f.zone_id)
    assert set(shown(logged_in, f"ward={firm.ward_code}")) == expected(
        lambda f: f.ward_code == firm.ward_code
    )
    assert set(shown(logged_in, f"zone={firm.zone.slug}")) == expected(
        lambda f: f.zone_id == firm.zone_id
    )


def test_verified_only(logged_in):
    result = shown(logged_in, "verified=1")
    assert set(result) == expected(lambda f: f.verified_at is not None)
    assert 0 < len(result) < len(published_firms())


def test_updated_since(logged_in):
    recent = datetime.now() + timedelta(days=30)
    chosen = [f.id for f in published_firms()[:3]]
    db.session.execute(sa.update(Firm).where(Firm.id.in_(chosen)).values(updated_at=recent))
    db.session.commit()
    since = (recent - timedelta(days=1)).date().isoformat()
    assert set(shown(logged_in, f"since={since}")) == expected(
        lambda f: f.updated_at >= datetime.fromisoformat(since)
    )
    assert len(shown(logged_in, f"since={since}")) == 3


def test_filters_combine(logged_in):
    result = shown(logged_in, "seeking=1&verified=1&invest_type=equity")
    assert set(result) == expected(
        lambda f: f.seeking_investment and f.verified_at and "equity" in f.investment_types
    )


def test_text_query_ranks_the_named_firm_first(logged_in):
    firm = published_firms()[0]
    result = shown(logged_in, f"q={firm.legal_name}&sort=relevance")
    assert result[0] == firm.slug


def test_text_query_is_combined_with_filters(logged_in):
    firm = next(f for f in published_firms() if not f.seeking_investment)
    assert firm.slug in shown(logged_in, f"q={firm.legal_name}")
    assert firm.slug not in shown(logged_in, f"q={firm.legal_name}&seeking=1")


def test_sort_newest_and_by_amount(logged_in):
    firms = published_firms()
    newest = sorted(firms, key=lambda f: (f.published_at, f.id), reverse=True)
    assert shown(logged_in, "sort=newest") == [f.slug for f in newest]

    seeking = [f for f in firms if f.investment_max_vnd or f.investment_min_vnd]
    by_amount = sorted(
        seeking, key=lambda f: (f.investment_max_vnd or f.investment_min_vnd, f.id), reverse=True
    )
    result = shown(logged_in, "sort=amount")
    assert result[: len(by_amount)] == [f.slug for f in by_amount]


def test_card_view_is_the_default(logged_in):
    html = logged_in.get("/investor/firms?lang=en").get_data(as_text=True)
    assert 'class="card firm-card"' in html
    assert "Show as a table" in html


def test_unknown_values_are_ignored_with_a_visible_note(logged_in):
    html = logged_in.get(
        "/investor/firms?lang=en&view=table&size=giant&invest_type=<b>grant</b>"
        "&amount_min=lots&since=yesterday&sort=random"
    ).get_data(as_text=True)
    assert "Ignored filter values we do not recognise" in html
    for value in ("giant", "&lt;b&gt;grant&lt;/b&gt;", "lots", "yesterday", "random"):
        assert value in html
    assert "<b>grant</b>" not in html
    assert set(slugs_in_table(html)) == expected(lambda f: True)


def test_a_page_past_the_end_is_not_found(logged_in):
    assert logged_in.get("/investor/firms?page=99").status_code == 404
