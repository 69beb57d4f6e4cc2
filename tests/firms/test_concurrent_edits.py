"""Several people editing one listing at once, in separate processes on one database: every
acknowledged save is kept, every other one is refused with a conflict, and none answers 500."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.firms.self_service import current_content
from app.models import Firm, FirmRevision, FirmStatus, User

ROOT = Path(__file__).resolve().parent.parent.parent
WRITERS = 4
ROUNDS = 3

# One writer: a browser session of the firm's owner. On "get" it opens the edit form; on "post"
# it appends its token to the description it was shown and saves the form as a browser would.
WRITER = textwrap.dedent(
    """
    import json
    import sys
    from html.parser import HTMLParser

    from app import create_app
    from config import TestConfig
    from tests.conftest import IsolatedClient, login_as

    database, folder, session_id, firm_id, worker = sys.argv[1:]


    class FormFields(HTMLParser):
        '''The values a browser would send for the listing form (form.firm-form).'''

        def __init__(self):
            super().__init__()
            self.fields, self.inside, self.select, self.textarea = [], False, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = "firm-form" in (attrs.get("class") or "")
            if not self.inside:
                return
            kind = attrs.get("type", "text")
            if tag == "input" and attrs.get("name") and kind not in ("submit", "file"):
                if kind not in ("checkbox", "radio") or "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on")))
            elif tag == "select":
                self.select = [attrs.get("name"), "multiple" in attrs, [], None]
            elif tag == "option" and self.select is not None:
                value = attrs.get("value", "")
                if self.select[3] is None:
                    self.select[3] = value
                if "selected" in attrs:
                    self.select[2].append(value)
            elif tag == "textarea":
                self.textarea = [attrs["name"], ""]

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select" and self.select is not None:
                name, multiple, chosen, first = self.select
                if not chosen and not multiple and first is not None:
                    chosen = [first]
                self.fields.extend((name, value) for value in chosen)
                self.select = None
            elif tag == "textarea" and self.textarea is not None:
                self.fields.append((self.textarea[0], self.textarea[1].lstrip("\\r\\n")))
                self.textarea = None

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data


    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database
    if database.startswith("sqlite"):  # wait for a busy file instead of failing at once
        config.SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
    config.SEARCH_SYNC = "worker"
    config.SEARCH_INDEX_DIR = f"{folder}/search_index"
    config.MAIL_FILE_DIR = f"{folder}/mail-{worker}"
    app = create_app(config)
    app.test_client_class = IsolatedClient

    class Account:
        def get_id(self):
            return session_id

    client = app.test_client()
    login_as(client, Account())
    url = f"/my/firms/{firm_id}/edit"
    round_number, fields = 0, None
    for command in sys.stdin:
        if command.strip() == "get":
            parser = FormFields()
            parser.feed(client.get(url).get_data(as_text=True))
            fields = parser.fields
            print("ready", flush=True)
            continue
        round_number += 1
        token = f"tok{worker}x{round_number}"
        data = {}
        for name, value in fields:
            if name == "description_vi":
                value = f"{value} {token}"
            data.setdefault(name, []).append(value)
        try:
            response = client.post(url + "?lang=en", data=data)
            status, body = response.status_code, response.get_data(as_text=True)
        except Exception as error:  # TESTING propagates what would be a 500
            status, body = 500, repr(error)
        print(json.dumps({"status": status, "token": token, "kept": token in body}), flush=True)
    """
)


def tokens(text: str | None) -> set[str]:
    return set(re.findall(r"tok\d+x\d+", text or ""))


def run_writers(app, tmp_path, owner: User, firm: Firm) -> list[dict]:
    """ROUNDS rounds: all writers open the form, then all save at once. Their answers."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    arguments = [database, str(tmp_path), owner.get_id(), str(firm.id)]
    db.session.remove()
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), *arguments, str(worker)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for worker in range(WRITERS)
    ]
    answers = []
    try:
        for _round in range(ROUNDS):
            for command in ("get", "post"):
                for writer in writers:
                    writer.stdin.write(f"{command}\n")
                    writer.stdin.flush()
                for writer in writers:
                    line = writer.stdout.readline()
                    assert line, "a writer stopped"
                    if command == "post":
                        answers.append(json.loads(line))
    finally:
        for writer in writers:
            writer.stdin.close()
        exits = [writer.wait(timeout=60) for writer in writers]
        for writer in writers:
            writer.stdout.close()
        assert exits == [0] * WRITERS
    return answers


@pytest.fixture
def owner(seeded_app) -> User:
    return db.session.scalar(sa.select(User).where(User.email == "business@demo.cnmt.vn"))


def owned_firm(owner: User, status: FirmStatus) -> Firm:
    firm = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=owner.id)))
    firm.status = status
    db.session.commit()
    return firm


@pytest.mark.parametrize("status", [FirmStatus.PUBLISHED, FirmStatus.DRAFT])
def test_concurrent_saves_are_kept_or_refused_with_a_conflict(seeded_app, tmp_path, owner, status):
    firm = owned_firm(owner, status)

    answers = run_writers(seeded_app, tmp_path, owner, firm)

    assert sorted({a["status"] for a in answers}) == [302, 409]
    acknowledged = {a["token"] for a in answers if a["status"] == 302}
    assert len(acknowledged) >= ROUNDS  # in every round someone's save goes through
    assert all(a["kept"] for a in answers if a["status"] == 409)
    firm = db.session.get(Firm, firm.id)
    # Every acknowledged edit was made on the content the previous one left, so the content
    # now shows each acknowledged token, and no refused one.
    assert tokens(current_content(firm)["description_vi"]) == acknowledged
    revisions = db.session.scalars(sa.select(FirmRevision).where(FirmRevision.firm_id == firm.id))
    states = sorted(str(r.state) for r in revisions)
    if status == FirmStatus.PUBLISHED:
        assert states == ["pending"] + ["withdrawn"] * (len(acknowledged) - 1)
        assert tokens(firm.description_vi) == set()  # the public still sees the approved text
    else:
        assert states == []
