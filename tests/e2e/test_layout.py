"""Layout at phone and desktop widths (issue 15): no page scrolls sideways at 320 or 390 px
(WCAG 1.4.10), a phone shows a list's first result and a page's title without scrolling, the
header's links and buttons never cover each other, and folded filters and menus work with and
without JavaScript."""

import re
from itertools import combinations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.role_pages import BY_ROLE, addresses, log_in, prepare

pytestmark = pytest.mark.browser

PHONE_HEIGHT = 844
DESKTOP_WIDTHS = [1024, 1280, 1920]
SEARCH = "/search?q=xử+lý+nước+thải"
# Each role's list pages and what one result on them is.
LISTS = {
    "anonymous": [
        ("/firms", "article.firm-card", "firms"),
        (SEARCH, "article.hit", "search"),
        ("/programmes", "article.programme-card", "programmes"),
    ],
    "investor": [("/investor/firms", "article.firm-card", "investor-firms")],
    "curator": [("/curation/", "main table tbody tr", "curation-queue")],
}
HEADER_ITEMS = ".site-header :is(a, button, input, select, summary)"


@pytest.fixture
def site(seeded_app, live_server):
    prepare(seeded_app)
    return live_server


@pytest.fixture
def open_page(browser, site):
    """`open_page(role, width)`: a new browser window of that width, signed in as `role`."""
    contexts = []

    def open_page(role: str, width: int, height: int = PHONE_HEIGHT, javascript: bool = True):
        context = browser.new_context(
            locale="vi-VN",
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        contexts.append(context)
        # Chromium fetches the icon in the background: leaving a page while it downloads leaves
        # the test server's file open (a ResourceWarning), and no check here looks at it.
        context.route("**/favicon.svg", lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, site, role)
        return page

    yield open_page
    for context in contexts:
        context.close()


def top(page, selector: str) -> float:
    """How far down the page the first element matching `selector` starts, in CSS pixels."""
    return page.locator(selector).first.bounding_box()["y"] + page.evaluate("window.scrollY")


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_no_page_scrolls_sideways_on_a_phone(seeded_app, site, open_page, role):
    wider = []
    for width, language in [(320, "vi"), (320, "en"), (390, "vi"), (390, "en")]:
        page = open_page(role, width)
        page.goto(f"{site}/?lang={language}")  # the session keeps the language
        for path in addresses(seeded_app, role):
            page.goto(site + path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                wider.append((width, language, path, scroll_width))
    assert wider == []


@pytest.mark.parametrize("role", list(LISTS))
def test_a_phone_shows_the_first_result_without_scrolling(site, open_page, role):
    page = open_page(role, 390)
    for path, result, name in LISTS[role]:
        page.goto(site + path)
        assert top(page, result) < PHONE_HEIGHT, path
        screenshot(page, f"layout-390-{name}")


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_header_and_menus_leave_a_phone_screen_to_the_page(seeded_app, site, open_page, role):
    page = open_page(role, 390)
    for path in addresses(seeded_app, role):
        page.goto(site + path)
        menus = page.locator(".site-header, main > details.fold")  # the site's and the section's
        height = sum(menus.nth(i).bounding_box()["height"] for i in range(menus.count()))
        assert height < PHONE_HEIGHT / 4, path
        assert page.locator("main h1").first.is_visible(), path
        if path.startswith("/programmes/"):
            screenshot(page, "layout-390-programme")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_phone_menu_opens_and_leads_to_a_section(site, open_page, javascript):
    page = open_page("curator", 390, javascript=javascript)
    page.goto(site + "/")
    main_menu = page.get_by_role("navigation", name="Điều hướng chính")
    assert not main_menu.is_visible()

    page.locator(".site-header summary").click()
    assert page.locator(".account-nav").is_visible()
    main_menu.get_by_role("link", name="Doanh nghiệp").click()
    page.wait_for_url(re.compile(r"/firms$"))


def boxes_overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_header_links_and_buttons_never_cover_each_other_on_a_desktop(site, open_page, role):
    overlaps = []
    for width in DESKTOP_WIDTHS:
        page = open_page(role, width, height=900)
        page.goto(site + "/")
        items = page.locator(HEADER_ITEMS)
        boxes = [
            (items.nth(i).evaluate("e => e.outerHTML.slice(0, 60)"), items.nth(i).bounding_box())
            for i in range(items.count())
            if items.nth(i).is_visible()
        ]
        overlaps += [
            (width, first, second)
            for (first, a), (second, b) in combinations(boxes, 2)
            if boxes_overlap(a, b)
        ]
    assert overlaps == []


def test_a_desktop_shows_the_menus_in_full(seeded_app, site, open_page):
    programme = next(p for p in addresses(seeded_app, "curator") if p.startswith("/programmes/"))
    page = open_page("curator", 1280, height=900)
    pages = {
        "firms": "/firms",
        "search": SEARCH,
        "programme": programme,
        "curation-queue": "/curation/",
    }
    for name, path in pages.items():
        page.goto(site + path)
        assert page.get_by_role("navigation", name="Điều hướng chính").is_visible()
        assert not page.locator(".site-header summary").is_visible()
        screenshot(page, f"layout-1280-{name}")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_folded_filters_open_apply_and_stay_open_on_a_phone(site, open_page, javascript):
    page = open_page("anonymous", 390, javascript=javascript)
    page.goto(site + "/firms")
    seeking = page.get_by_label("Đang kêu gọi đầu tư")
    count = page.locator("main section > p.muted").first
    everything = count.inner_text()
    assert not seeking.is_visible()

    page.locator("main summary", has_text="Bộ lọc").click()
    seeking.check()
    page.get_by_role("button", name="Áp dụng bộ lọc").click()
    page.wait_for_url(re.compile(r"seeking=1"))

    assert count.inner_text() != everything
    assert seeking.is_visible() and seeking.is_checked()  # open: the filters applied show
