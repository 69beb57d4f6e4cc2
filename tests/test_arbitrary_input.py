"""No input makes the site answer 5xx: arbitrary strings (NUL and other control characters,
Unicode digits, huge numbers, very long text) in every query parameter, form field and path
argument of every route, anonymously and as each role of the demo accounts.

Each role's run first crawls the site from its pages to find a real address for every endpoint
and the forms that post to it, then lets Hypothesis (derandomized, so CI sees the same inputs
every time) sweep every route, each time changing all fields, one field, one path argument
or adding a parameter. Two sweeps per role keep the run to a few tens of seconds; set
ARBITRARY_INPUT_SWEEPS=50 for a deeper local run.
"""

import os
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from app.backoffice.returns import open_reporting_year
from app.extensions import db
from app.firms.data import snapshot
from app.forms import Form
from app.investors import introductions
from app.investors import service as investors
from app.models import (
    Firm,
    FirmClaim,
    FirmMember,
    FirmRevision,
    FirmStatus,
    Interest,
    InvestorProfile,
    MemberRole,
    Programme,
    Role,
    User,
)
from tests.conftest import login_as

APP_DIR = Path(__file__).resolve().parent.parent / "app"
ROLES = {
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

NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x08\x0b\x1b\x7f\x9f",
    "²",
    "١٢٣",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "1.5",
    "1e400",
    "nan",
    "-inf",
    "",
    " ",
    "x" * 5000,
    "\u202e\ufeff",
    "%00",
    "../..",
    "<script>",
    "_external",
]
arbitrary_strings = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.from_regex(r"[0-9²³¹٠-٩]{1,25}", fullmatch=True),
)
# Names a view might pass on to url_for, and names it reads, as extra parameters.
SPECIAL_NAMES = ["_external", "_scheme", "_anchor", "_method", "kind", "fmt", "page", "next"]


def parameter_names(existing: list[str], value: str):
    """A parameter name to add: a special one, any text, or an existing one whose numbers
    (a list index, an item id: `offer_note_12`) are replaced by `value`."""
    renumbered = [re.sub(r"[0-9]+", lambda _m: value, name) for name in existing]
    return st.one_of(
        st.sampled_from(SPECIAL_NAMES),
        st.text(min_size=1, max_size=12),
        *([st.sampled_from(renumbered)] if renumbered else []),
    )


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def add_records_every_page_needs() -> None:
    """What the sample data lacks for some pages to show their forms: an open reporting year,
    an investor's list, saved search and introduction, a pending revision, claim and interest."""
    business, investor = user(ROLES["business"]), user(ROLES["investor"])
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=business.id)))
    today = date.today()
    open_reporting_year(user(ROLES["curator"]), today.year - 1, today + timedelta(days=30))
    db.session.add(InvestorProfile(user=investor, organisation="Quỹ Xanh", investor_type="fund"))
    db.session.commit()
    shortlist = investors.create_shortlist(investor, "Theo dõi")
    investors.add_to_shortlist(investor, firm.id, shortlist.id)
    investors.save_search(investor, "Nước thải", {"q": ["nước thải"]}, "daily")
    introductions.request_introduction(investor, firm.id, "Quỹ chúng tôi muốn tìm hiểu dự án.")
    colleague = User(
        email="dongnghiep@example.vn", name="Đồng Nghiệp", role=Role.BUSINESS, password_hash="x"
    )
    other = db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED, ~Firm.members.any())
    )
    programme = db.session.scalar(sa.select(Programme).order_by(Programme.id))
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
        ]
    )
    db.session.commit()


def query_names() -> set[str]:
    """Every query argument name the application reads (request.args or an `args` passed on)."""
    pattern = re.compile(r"""args(?:\.get|\.getlist)?[(\[]\s*["'](\w+)["']""")
    names = {"page", "lang", "next"}
    for path in [*APP_DIR.rglob("*.py"), *APP_DIR.rglob("*.html")]:
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def form_field_names() -> set[str]:
    """Every field name of every WTForms class of the site."""
    names: set[str] = set()
    pending = [Form]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names.update(
            name
            for name in dir(cls)
            if not name.startswith("_") and hasattr(getattr(cls, name), "field_class")
        )
    return names


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
            response = self.client.get(url)
            assert response.status_code < 500, f"GET {url} → {response.status_code}"
            if response.mimetype != "text/html":
                continue
            parser = PageParser()
            parser.feed(response.get_data(as_text=True))
            queue.extend(parser.links)
            for form in parser.forms:
                if form["method"] == "get":
                    self.filter_names.update(name for name, _value in form["fields"])
                action = form["action"] or url
                target = self._match(action, form["method"])
                if target is not None:
                    key = (form["method"].upper(), target[0])
                    self.found.setdefault(key, (target[1], MultiDict(form["fields"])))

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


def _csrf_token(client, logged_in: bool) -> str:
    html = client.get("/account" if logged_in else "/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("role", ROLES)
def test_no_input_makes_any_route_fail_with_a_server_error(seeded_app, role):
    with seeded_app.test_request_context():  # the records' e-mails link to pages
        add_records_every_page_needs()
    client = seeded_app.test_client()
    email = ROLES[role]
    account = user(email) if email else None
    if account is not None:
        login_as(client, account)
    site = Site(seeded_app, client)
    site.crawl()
    targets = site.targets(query_names(), form_field_names())

    @settings(
        max_examples=int(os.environ.get("ARBITRARY_INPUT_SWEEPS", "2")),
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def sweep(data):
        if account is not None:
            db.session.expire_all()  # the last sweep's logout ended the session it knew
            login_as(client, account)
        token = _csrf_token(client, account is not None)
        failures = []
        for target in targets:
            value = data.draw(arbitrary_strings)
            modes = (
                ["all", "name"]
                + (["one"] if target.fields else [])
                + (["path"] if target.rule.arguments else [])
            )
            mode = data.draw(st.sampled_from(modes))
            fields = MultiDict(target.fields)
            path = target.path()
            if mode == "all":
                fields = MultiDict((name, value) for name in fields if name != "csrf_token")
            elif mode == "one":
                fields[data.draw(st.sampled_from(sorted(fields)))] = value
            elif mode == "name":
                fields.add(data.draw(parameter_names(sorted(fields), value)), value)
            else:
                argument = data.draw(st.sampled_from(sorted(target.rule.arguments)))
                path = target.path(argument, value)
            if target.method == "POST":
                fields["csrf_token"] = token
            request = f"{target.method} {path} {dict(fields.lists())!r}"[:2000]
            try:
                if target.method == "GET":
                    response = client.get(path, query_string=fields)
                else:
                    response = client.post(path, data=fields)
            except Exception as error:
                failures.append(f"{request} raised {error!r}")
            else:
                if response.status_code >= 500:
                    failures.append(f"{request} → {response.status_code}")
        assert not failures, "\n".join(failures)

    sweep()
