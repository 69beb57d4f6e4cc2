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
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.forms import Form
from tests.conftest import login_as
from tests.crawling import ROLES, Site, add_records_every_page_needs, session_token, user

APP_DIR = Path(__file__).resolve().parent.parent / "app"
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
        token = session_token(client, account is not None)
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
