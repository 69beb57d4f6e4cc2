"""Public pages kept for visitors who are not signed in (app/page_cache.py): served again without
running the view, never stale, never someone else's."""

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus, User
from app.page_cache import Page, PageCache
from tests.conftest import login_as, make_app


def published_firm() -> Firm:
    return db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )


def database_of(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


class Statements:
    """The SQL statements the app runs while the block runs."""

    def __enter__(self):
        self.seen = []
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, connection, cursor, statement, *args):
        self.seen.append(statement)

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._count)


def test_a_visitor_gets_the_kept_page_without_the_view_running(client):
    first = client.get("/firms")
    with Statements() as second_visit:
        second = client.get("/firms")

    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert second.content_type == first.content_type
    # Only the data's state is read (the data generation, the search index's generation when
    # the index is in the database, and which news articles are visible, since a scheduled one
    # becomes visible with no write): no firm, no catalogue, no zone.
    state_tables = ("data_generation", "search_state", "FROM article")
    assert second_visit.seen
    assert [s for s in second_visit.seen if not any(t in s for t in state_tables)] == []
    assert second.headers["Content-Security-Policy"]  # the app's own headers are still added
    assert second.headers["X-Request-Id"] != first.headers["X-Request-Id"]


def test_a_committed_change_shows_at_once(client):
    firm = published_firm()
    assert "0255 3 999 999" not in client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    assert firm.slug not in client.get("/search?q=lọc+bụi+sigmaxanh").get_data(as_text=True)

    firm.phone = "0255 3 999 999"
    firm.description_vi = "Thiết bị lọc bụi sigmaxanh"
    db.session.commit()

    assert "0255 3 999 999" in client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    found = client.get("/search?q=lọc+bụi+sigmaxanh").get_data(as_text=True)
    assert f'href="/firms/{firm.slug}"' in found


def test_each_language_has_its_own_page(client):
    vietnamese = client.get("/programmes").get_data(as_text=True)
    assert '<html lang="vi">' in vietnamese
    assert '<html lang="en">' in client.get("/programmes?lang=en").get_data(as_text=True)
    # The choice is remembered: the same URL is English for this visitor, Vietnamese for others.
    assert '<html lang="en">' in client.get("/programmes").get_data(as_text=True)
    assert client.application.test_client().get("/programmes").get_data(as_text=True) == vietnamese


def test_signed_in_users_neither_get_nor_leave_visitors_pages(seeded_app, client):
    client.get("/firms")  # kept for visitors
    user = db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))
    member = seeded_app.test_client()
    login_as(member, user)

    page = member.get("/firms").get_data(as_text=True)

    assert "/logout" in page or 'action="/logout"' in page
    assert "/logout" not in client.get("/firms").get_data(as_text=True)
    remembered = seeded_app.test_client()
    remembered.set_cookie("remember_token", "anything")
    with Statements() as visit:
        remembered.get("/firms")
    assert any("FROM firm" in s for s in visit.seen)  # rendered, not the kept page


def test_a_message_waiting_to_be_shown_is_shown(client):
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Thông báo dành riêng cho bạn")]

    assert "Thông báo dành riêng cho bạn" in client.get("/").get_data(as_text=True)
    assert "Thông báo dành riêng cho bạn" not in client.get("/").get_data(as_text=True)


def test_errors_and_pages_that_touch_the_session_are_not_kept(seeded_app, client):
    cache = seeded_app.extensions["page_cache"]
    client.get("/firms/no-such-firm")
    client.get("/login")  # not a visitor page: it carries a CSRF token
    client.get("/search?q=nước thải")
    assert [key[0] for key in cache.pages] == ["/search"]


def test_the_day_is_part_of_what_a_page_depends_on():
    cache = PageCache(capacity=1000)
    page = Page(b"<p>open</p>", ())
    cache.put(None, ("/programmes", b"", "vi"), page)  # no state seen yet: not kept
    assert cache.get((1, "g", date(2026, 12, 1)), ("/programmes", b"", "vi")) is None
    cache.put((1, "g", date(2026, 12, 1)), ("/programmes", b"", "vi"), page)
    assert cache.get((1, "g", date(2026, 12, 1)), ("/programmes", b"", "vi")) == page
    assert cache.get((1, "g", date(2026, 12, 2)), ("/programmes", b"", "vi")) is None
    assert cache.pages == {}  # every page of the old state is dropped


def test_memory_is_bounded_least_recently_used_first():
    cache = PageCache(capacity=28)  # a page costs its body and its key: 10 + 1 bytes
    state = (1, "g", date(2026, 12, 2))
    cache.get(state, ("/",))
    for name in ("a", "b", "c"):
        cache.put(state, (name,), Page(b"x" * 10, ()))
        cache.get(state, ("a",))  # "a" stays in use
    cache.put(state, ("huge",), Page(b"x" * 26, ()))

    assert list(cache.pages) == [("c",), ("a",)] and cache.size == 22


def test_hostile_query_strings_cost_no_more_than_the_bound(seeded_app, tmp_path):
    app = make_app(tmp_path / "small", database_of(seeded_app), PAGE_CACHE_BYTES=200_000)
    client = app.test_client()
    for number in range(40):
        assert client.get(f"/firms?junk={number}").status_code == 200
    assert app.extensions["page_cache"].size <= 200_000


def test_off_when_the_bound_is_zero(seeded_app, tmp_path):
    app = make_app(tmp_path / "off", database_of(seeded_app), PAGE_CACHE_BYTES=0)
    assert "page_cache" not in app.extensions
    assert app.test_client().get("/firms").status_code == 200
