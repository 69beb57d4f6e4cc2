"""What the server benchmarks share (bench/load.py, bench/concurrency.py): a seeded instance,
gunicorn started with deploy/gunicorn.conf.py on the bench's app, business accounts that own
synthetic firms, and a small HTTP client that logs in and posts the real forms with their CSRF
token. Only the standard library on the client side, so the client measures the server and not
a framework of its own.

`bench_app()` is the app gunicorn serves here: wsgi.py's app plus `/bench/bare`, a route that
returns a constant (the baseline every page is compared with), and the rate limiter off when
BENCH_NO_RATE_LIMIT=1. The real app never has that route.
"""

import contextlib
import http.client
import os
import re
import signal
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BARE = "/bench/bare"
EDITOR_PASSWORD = "bench-editor-password-2026"


def bench_app():
    """For gunicorn: `bench.harness:bench_app()`."""
    from app import create_app
    from config import CONFIGS

    config = CONFIGS[os.environ.get("APP_CONFIG", "default")]()
    if os.environ.get("BENCH_NO_RATE_LIMIT") == "1":
        config.RATELIMIT_ENABLED = False
    app = create_app(config)
    app.add_url_rule(BARE, "bench_bare", lambda: "ok")
    return app


# The instance ----------------------------------------------------------------------------------


def bench_env(instance: Path, database_url: str | None, search_backend: str | None) -> dict:
    """The environment of every command and server of a run: the instance folder, and the
    database and search backend when given (else whatever the environment says)."""
    env = {**os.environ, "INSTANCE_DIR": str(instance), "FLASK_APP": "wsgi"}
    if database_url:
        env["DATABASE_URL"] = database_url
    if search_backend:
        env["SEARCH_BACKEND"] = search_backend
    return env


def flask(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def in_app(env: dict, code: str) -> str:
    """Run `code` (Python, with `app` created and its context pushed); return what it printed."""
    script = (
        "import sys\nsys.path.insert(0, 'bench')\nfrom harness import bench_app\n"
        "app = bench_app()\nwith app.app_context():\n"
        + "".join(f"    {line}\n" for line in code.strip().splitlines())
    )
    done = subprocess.run(
        [str(BIN / "python"), "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return done.stdout


def synthetic_firm_count(env: dict) -> int:
    return int(
        in_app(
            env,
            """
import sqlalchemy as sa
from app.extensions import db
from app.models import Firm
print(db.session.scalar(sa.select(sa.func.count()).select_from(Firm)
      .where(Firm.legal_name.like('%mẫu tổng hợp%'))))
""",
        )
    )


def prepare(env: dict, firms: int) -> None:
    """Migrate, load the reference data and `firms` synthetic firms unless they are there."""
    flask(env, "db", "upgrade")
    if synthetic_firm_count(env) < firms:
        print(f"seeding {firms:,} synthetic firms (a few minutes) …", flush=True)
        flask(env, "seed", capture=True)
        flask(env, "seed", "--synthetic", str(firms), "--random-seed", "7", capture=True)
        flask(env, "search", "rebuild", capture=True)


def ensure_editors(env: dict, count: int, shared_firm_editors: int = 0) -> list[tuple[str, int]]:
    """`count` verified business accounts `bench-editor-N@bench.invalid`, each the owner of its
    own published synthetic firm, plus `shared_firm_editors` accounts `bench-shared-N@…` who are
    all members of one more firm. Made once, like `flask seed` makes the demo accounts (one
    unit of work). Returns (email, firm id) pairs, the shared ones last."""
    out = in_app(
        env,
        f"""
import sqlalchemy as sa
from werkzeug.security import generate_password_hash
from app.extensions import db
from app.models import Firm, FirmMember, FirmStatus, MemberRole, Role, User
from app.models.base import utcnow
from app.transaction import unit_of_work
firms = list(db.session.scalars(sa.select(Firm.id).where(
    Firm.status == FirmStatus.PUBLISHED, Firm.legal_name.like('%mẫu tổng hợp%'))
    .order_by(Firm.id).limit({count + 1})))
wanted = [(f'bench-editor-{{n}}@bench.invalid', firms[n]) for n in range({count})]
shared = firms[{count}]
wanted += [(f'bench-shared-{{n}}@bench.invalid', shared) for n in range({shared_firm_editors})]
known = set(db.session.scalars(sa.select(User.email).where(User.email.like('bench-%'))))
password_hash = generate_password_hash({EDITOR_PASSWORD!r})
with unit_of_work():
    for email, firm_id in wanted:
        if email in known:
            continue
        user = User(email=email, name='Bench editor', role=Role.BUSINESS,
                    password_hash=password_hash, email_verified_at=utcnow(),
                    preferred_language='vi')
        db.session.add(user)
        db.session.add(FirmMember(firm_id=firm_id, user=user, role=MemberRole.OWNER))
for email, firm_id in wanted:
    print(email, firm_id)
""",
    )
    pairs = (line.split() for line in out.splitlines() if line)
    return [(email, int(firm_id)) for email, firm_id in pairs]


# The server ------------------------------------------------------------------------------------


def start_server(
    env: dict, port: int, workers: int, log_path: Path, app_spec: str = "bench.harness:bench_app()"
) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py in its own process group; waits until it answers."""
    server_env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_TIMEOUT": "300",
        "ACCESS_LOG": "",
    }
    log = open(log_path, "ab")  # noqa: SIM115 (kept for the server's life)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", app_spec],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log_path}")
        if fetch(port, "/healthz")[0] == 200:
            return server
        time.sleep(0.5)
    stop_process(server)
    raise SystemExit("gunicorn did not answer within 120 s")


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process started with start_new_session=True, and everything in its group."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError):  # orphaned workers, if the master died first
        os.killpg(process.pid, signal.SIGKILL)


# The client ------------------------------------------------------------------------------------


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[object, int, float]:
    """One GET, reading the whole body (gunicorn's sync workers close every connection):
    status (or the exception's name), bytes read, and the Retry-After asked for (0 if none)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        return response.status, size, float(response.getheader("Retry-After") or 0)
    except (OSError, http.client.HTTPException) as error:
        return type(error).__name__, 0, 0.0
    finally:
        connection.close()


class Browser:
    """One visitor: a cookie jar and the forms of the pages it reads."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields=None) -> tuple[object, str, str]:
        """(status or exception name, body, Location)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, text, response.getheader("Location") or ""
        except (OSError, http.client.HTTPException) as error:
            return type(error).__name__, "", ""
        finally:
            connection.close()

    def login(self, email: str, password: str = EDITOR_PASSWORD) -> None:
        status, page, _ = self.request("GET", "/login")
        fields = form_fields(page, "/login")
        fields = [(k, v) for k, v in fields if k not in ("email", "password")]
        fields += [("email", email), ("password", password)]
        status, page, location = self.request("POST", "/login", fields)
        if status != 302:
            raise RuntimeError(f"log-in of {email} answered {status}")


def form_fields(page: str, action: str) -> list[tuple[str, str]]:
    """The fields a browser would send from the form posting to `action` (inputs, checked
    boxes, selected options, text areas; not buttons or files). `page` is the page at `action`
    itself or another one: a form without an action posts to its own page."""
    parser = _FormParser(action)
    parser.feed(page)
    if not parser.found:
        raise RuntimeError(f"no form posting to {action}")
    return parser.fields


class _FormParser(HTMLParser):
    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.found = self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.select_multiple = False
        self.options: list[tuple[str, bool]] = []
        self.option_value: str | None = None
        self.option_selected = False
        self.option_text = ""
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            target = a.get("action", "").split("?")[0] or self.action
            self.inside = target == self.action and a.get("method", "").lower() == "post"
            self.inside = self.inside and not self.found
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.fields.append((name, a.get("value", default)))
        elif tag == "select" and name:
            self.select, self.select_multiple, self.options = name, "multiple" in a, []
        elif tag == "option" and self.select is not None:
            self._end_option()
            self.option_value = a.get("value")
            self.option_selected = "selected" in a
            self.option_text = ""
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def _end_option(self):
        if self.option_value is not None or self.option_text:
            value = self.option_value if self.option_value is not None else self.option_text.strip()
            self.options.append((value, self.option_selected))
        self.option_value, self.option_text = None, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data
        elif self.select is not None:
            self.option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self.select is not None:
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not self.select_multiple and self.options:
                chosen = [self.options[0][0]]
            self.fields.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the newline that opens a text area.
            self.fields.append((self.textarea, re.sub(r"^\r?\n", "", self.text)))
            self.textarea = None


VERSION_MARK = re.compile(r" \(bench edit [0-9a-z-]+\)$")


def edited(fields: list[tuple[str, str]], mark: str) -> list[tuple[str, str]]:
    """The form with its Vietnamese description ending in `(bench edit MARK)` (replacing the
    mark of an earlier bench edit, so the text does not grow)."""
    out = []
    for name, value in fields:
        if name == "description_vi":
            value = VERSION_MARK.sub("", value) + f" (bench edit {mark})"
        out.append((name, value))
    return out
