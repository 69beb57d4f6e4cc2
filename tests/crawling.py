"""Crawling the site as one account: a real address for every endpoint and the forms that
post to each, with the records the sample data lacks for some pages to show their forms."""

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from app.accounts import api_tokens
from app.backoffice.returns import open_reporting_year
from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.events import registration as event_registration
from app.extensions import db
from app.firms.data import snapshot
from app.investors import introductions
from app.investors import service as investors
from app.marketplace import responses as market_responses
from app.marketplace import service as market
from app.models import (
    Article,
    Event,
    Firm,
    FirmClaim,
    FirmMember,
    FirmRevision,
    FirmStatus,
    Interest,
    InvestorProfile,
    MarketListing,
    MemberRole,
    Product,
    ProductPhoto,
    Programme,
    Role,
    User,
)
from app.news import service as news

ROLES = {  # the demo accounts, by role
    "anonymous": None,
    "business": "business@demo.cnmt.vn",
    "investor": "investor@demo.cnmt.vn",
    "curator": "curator@demo.cnmt.vn",
    "admin": "admin@demo.cnmt.vn",
}
# Ends the session the sweep runs in: swept last, and the next sweep logs in again.
SESSION_ENDING = {"accounts.logout"}
NOT_SWEPT = {"static"}
PATH_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def add_records_every_page_needs() -> None:
    """What the sample data lacks for some pages to show their forms: an open reporting year,
    an investor's list, saved search, introduction and API token (and a deleted list and
    search, to restore), a pending revision, claim and interest, an article's image, and the
    investor's registration for the first upcoming event (its cancel and check-in forms)."""
    business, investor = user(ROLES["business"]), user(ROLES["investor"])
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=business.id)))
    today = clock.today()
    open_reporting_year(user(ROLES["curator"]), today.year - 1, today + timedelta(days=30))
    db.session.add(InvestorProfile(user=investor, organisation="Quỹ Xanh", investor_type="fund"))
    db.session.commit()
    shortlist = investors.create_shortlist(investor, "Theo dõi")
    investors.add_to_shortlist(investor, firm.id, shortlist.id)
    investors.save_search(investor, "Nước thải", {"q": ["nước thải"]}, "daily")
    investors.delete_shortlist(investor, investors.create_shortlist(investor, "Năm ngoái").id)
    investors.delete_saved_search(investor, investors.save_search(investor, "Cũ", {}, "off").id)
    introductions.request_introduction(investor, firm.id, "Quỹ chúng tôi muốn tìm hiểu dự án.")
    api_tokens.create_token(investor, "Bảng tính của quỹ", "read", 90)
    event_registration.register_user(investor, first_upcoming_event().id)
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(picture, format="PNG")
    picture.seek(0)
    # the one the curators' list shows first, whose editor the crawl opens
    article = db.session.scalar(
        sa.select(Article).order_by(Article.created_at.desc(), Article.id.desc())
    )
    news.add_image(user(ROLES["curator"]), article.id, picture, "Bể xử lý nước thải", None)
    colleague = User(
        email="dongnghiep@example.vn", name="Đồng Nghiệp", role=Role.BUSINESS, password_hash="x"
    )
    other = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED, ~Firm.members.any())
    )
    programme = db.session.scalar(sa.select(Programme).order_by(Programme.id))
    product = db.session.scalars(
        sa.select(Product).where(Product.firm_id == firm.id).order_by(Product.name_vi)
    ).first()
    db.session.add(colleague)
    db.session.flush()
    db.session.add_all(
        [
            FirmRevision(
                firm=firm, author=business, data=snapshot(firm), base_version=firm.version
            ),
            FirmMember(firm=firm, user=colleague, role=MemberRole.EDITOR),
            FirmClaim(firm=other, user_id=colleague.id, evidence="Giấy đăng ký kinh doanh."),
            Interest(
                firm=firm, target_kind="programme", target_id=programme.id, message="Quan tâm"
            ),
            # A photo, for the form that removes it.
            ProductPhoto(product=product, path="p0-mau.jpg", alt_vi="Ảnh mẫu"),
        ]
    )
    db.session.commit()
    add_marketplace_records(business, firm)


MARKET_TITLES = {
    "draft": "Bản nháp: mua máy ép bùn băng tải",
    "answered": "Cần mô-đun màng lọc cho tái sử dụng nước",
    "submitted": "Chờ duyệt: thuê chuyên gia quan trắc",
}


def add_marketplace_records(business: User, firm: Firm) -> None:
    """The business's draft request, its published request with one answer waiting, one
    accepted and a change waiting for review, and a submitted request for curators to decide
    on."""
    curator = user(ROLES["curator"])
    tree = catalogue_tree()

    def data(title: str, code: str) -> dict:
        return {
            "kind": "buy_equipment",
            "title": title,
            "description": "Mô tả đủ dài cho yêu cầu công nghệ mẫu của phép thử.",
            "ward_code": firm.ward_code,
            "item_ids": [tree.by_code[code].id],
        }

    market.create_listing(business, firm.id, "request", data(MARKET_TITLES["draft"], "NT.TB.04"))
    for key, code in (("answered", "NT.TB.06"), ("submitted", "QT.TB.02")):
        listing = market.create_listing(
            business, firm.id, "request", data(MARKET_TITLES[key], code)
        )
        market.submit_listing(business, listing.id, listing.version)
        if key == "answered":
            market.approve_listing(curator, listing.id, listing.version)
            answered = listing
    suppliers = db.session.scalars(
        sa.select(Firm)
        .where(Firm.status == FirmStatus.PUBLISHED, ~Firm.members.any(), Firm.id != firm.id)
        .order_by(Firm.id.desc())
        .limit(2)
    ).all()
    for number, supplier in enumerate(suppliers):
        person = User(
            email=f"nhacungcap{number}@example.vn",
            name=f"Nhà Cung Cấp {number}",
            role=Role.BUSINESS,
            password_hash="x",
            email_verified_at=clock.today(),
        )
        db.session.add(FirmMember(firm=supplier, user=person, role=MemberRole.OWNER))
        db.session.commit()
        answer = market_responses.respond(
            person, answered.id, supplier.id, "Chúng tôi cung cấp được, giao trong sáu tuần."
        )
        if number == 1:
            market_responses.decide(business, answer.id, "accept", answer.version)
    changed = {**data(MARKET_TITLES["answered"], "NT.TB.06"), "description": CHANGED_DESCRIPTION}
    market.update_listing(business, answered.id, changed, answered.version)


CHANGED_DESCRIPTION = "Mô tả đã sửa, chờ duyệt: cần thêm bảo hành năm năm cho mô-đun màng."


def marketplace_pages() -> dict[str, list[str]]:
    """The marketplace pages that show each form, by demo account (after the records above)."""
    ids = {
        key: db.session.scalar(sa.select(MarketListing.id).where(MarketListing.title == title))
        for key, title in MARKET_TITLES.items()
    }
    others = db.session.scalar(
        sa.select(MarketListing.id)
        .join(Firm)
        .where(MarketListing.is_sample, MarketListing.side == "request")
        .where(~Firm.members.any())
        .order_by(MarketListing.id)
    )
    return {
        "business": [
            f"/marketplace/{ids['draft']}",
            f"/marketplace/{ids['draft']}/edit",
            f"/marketplace/{ids['answered']}",
            f"/marketplace/{others}",
            "/marketplace/new?side=request",
            "/marketplace/new?side=offer",
            "/my/marketplace",
        ],
        "curator": [f"/marketplace/{ids['submitted']}", "/curation/marketplace"],
    }


def first_upcoming_event() -> Event:
    """The sample event the public list shows first (registration open)."""
    return db.session.scalar(
        sa.select(Event)
        .where(Event.public(), Event.starts_at > sa.func.current_timestamp())
        .order_by(Event.starts_at, Event.id)
    )


class PageParser(HTMLParser):
    """Same-site links and forms (method, action, fields with their current values)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._select: tuple[str, bool] | None = None
        self._select_values: list[str] = []
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str | None, value: str) -> None:
        if name and self.forms:
            self.forms[-1]["fields"].append((name, value))

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(
                {"method": a.get("method", "get").lower(), "action": a.get("action"), "fields": []}
            )
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "image", "reset"}:
                return
            self._add(a.get("name"), a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "button" and a.get("name"):
            self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select = (a.get("name", ""), "multiple" in a)
            self._select_values = []
        elif tag == "option" and self._select is not None:
            self._select_values.append(a.get("value", ""))
            if "selected" in a:
                self._add(self._select[0], a.get("value", ""))
                self._select = (self._select[0], True)
        elif tag == "textarea":
            self._textarea = a.get("name", "")
            self._text = ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, chosen = self._select
            if not chosen and self._select_values:
                self._add(name, self._select_values[0])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, self._text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data


class Target:
    """One request to sweep: a rule, a real address for it, and the fields it takes."""

    def __init__(self, rule: Rule, method: str, values: dict, fields: MultiDict):
        self.rule, self.method, self.values, self.fields = rule, method, values, fields

    def path(self, changed: str | None = None, value: str = "") -> str:
        def argument(match):
            name = match.group(1)
            raw = value if name == changed else str(self.values.get(name, "1"))
            return quote(raw, safe="")

        return PATH_ARGUMENT.sub(argument, self.rule.rule)


class Site:
    """What one role can reach: a real address per endpoint and the forms posting to each."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.adapter = app.url_map.bind("localhost")
        self.found: dict[tuple[str, str], tuple[dict, MultiDict]] = {}
        self.filter_names: set[str] = set()
        self.pages: dict[str, str] = {}  # address → HTML of every page the crawl read

    def _match(self, url: str, method: str):
        try:
            return self.adapter.match(urlsplit(url).path, method=method.upper())
        except HTTPException:
            return None

    def crawl(self) -> None:
        queue = [r.rule for r in self.app.url_map.iter_rules() if not r.arguments]
        queue = [url for url in queue if "GET" in self._rule(url).methods]
        seen_endpoints: set[str] = set()
        while queue:
            url = queue.pop(0)
            matched = self._match(url, "get")
            if matched is None or matched[0] in seen_endpoints | NOT_SWEPT:
                continue
            seen_endpoints.add(matched[0])
            self.found.setdefault(("GET", matched[0]), (matched[1], MultiDict()))
            queue.extend(self.visit(url))

    def visit(self, url: str) -> list[str]:
        """Note the forms of the page at `url`; its same-site links."""
        response = self.client.get(url)
        assert response.status_code < 500, f"GET {url} → {response.status_code}"
        if response.mimetype != "text/html":
            return []
        self.pages[url] = response.get_data(as_text=True)
        parser = PageParser()
        parser.feed(self.pages[url])
        for form in parser.forms:
            if form["method"] == "get":
                self.filter_names.update(name for name, _value in form["fields"])
            action = form["action"] or url
            target = self._match(action, form["method"])
            if target is not None:
                key = (form["method"].upper(), target[0])
                self.found.setdefault(key, (target[1], MultiDict(form["fields"])))
        return parser.links

    def _rule(self, rule_text: str) -> Rule:
        return next(r for r in self.app.url_map.iter_rules() if r.rule == rule_text)

    def targets(self, query: set[str], form_fields: set[str]) -> list[Target]:
        """Every rule and method; GET ones take every query name the site reads or its filter
        forms send, POST ones the fields of their form (or of every form, if none was seen)."""
        query = query | self.filter_names
        targets = []
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint in NOT_SWEPT:
                continue
            for method in sorted(rule.methods & {"GET", "POST"}):
                values, fields = self.found.get((method, rule.endpoint), ({}, None))
                if fields is None:
                    names = query if method == "GET" else form_fields
                    fields = MultiDict((name, "") for name in sorted(names))
                elif method == "GET":
                    fields = MultiDict(fields)
                    for name in sorted(query - set(fields)):
                        fields.add(name, "")
                values = values or {
                    name: _placeholder(rule, name) for name in sorted(rule.arguments)
                }
                targets.append(Target(rule, method, values, fields))
        targets.sort(key=lambda t: (t.rule.endpoint in SESSION_ENDING, t.rule.rule, t.method))
        return targets


def _placeholder(rule: Rule, name: str) -> str:
    """A value for a path argument no crawled page showed: the first of an `any`, else 1."""
    converter = rule._converters.get(name)
    items = getattr(converter, "items", None)
    return sorted(items)[0] if items else "1"


def session_token(client, logged_in: bool) -> str:
    """The CSRF token of the client's session, from a page with a form."""
    html = client.get("/account" if logged_in else "/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
