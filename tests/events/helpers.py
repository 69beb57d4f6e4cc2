"""Shared pieces of the event tests: agencies, organisers and events made through the service,
mail read back from the files the app writes, and links found in them."""

import re
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import unquote

from app.domain import clock
from app.events import service
from app.extensions import db
from app.models import Agency, Role
from tests.conftest import make_user


def agencies() -> dict[str, Agency]:
    found = {
        "SCT": Agency(code="SCT", name_vi="Sở Công Thương"),
        "SKHCN": Agency(code="SKHCN", name_vi="Sở Khoa học và Công nghệ"),
    }
    db.session.add_all(found.values())
    db.session.commit()
    return found


def organisers(found: dict[str, Agency]) -> dict:
    return {
        "sct": make_user("curator-sct@example.vn", Role.CURATOR, agency_id=found["SCT"].id),
        "other": make_user("curator-khcn@example.vn", Role.CURATOR, agency_id=found["SKHCN"].id),
        "admin": make_user("admin@example.vn", Role.ADMIN),
    }


def local_in(days: int, hour: int = 8) -> datetime:
    """A naive local time `days` from today at `hour` o'clock (what a form gives)."""
    day = clock.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour)


def event_data(**changes) -> dict:
    data = {
        "kind": "technology_workshop",
        "title_vi": "Hội thảo công nghệ xử lý nước thải",
        "title_en": "Wastewater treatment workshop",
        "description_vi": "Đoạn một.\n\nĐoạn hai.",
        "starts_at": local_in(10, 8),
        "ends_at": local_in(10, 11),
        "place": "Hội trường Sở",
        "online_url": None,
        "capacity": 2,
        "registration_deadline": None,
        "contact": None,
    }
    data.update(changes)
    return data


def published_event(organiser, **changes):
    event = service.create_event(organiser, event_data(**changes))
    return service.change_event_state(organiser, event.id, "publish", event.version)


def mails(app) -> list:
    parser = BytesParser(policy=policy.default)
    folder = Path(app.config["MAIL_FILE_DIR"])
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def mails_to(app, address: str) -> list:
    return [m for m in mails(app) if m["To"] == address]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message, kind: str) -> str:
    """The path of the confirm or cancel link in a message."""
    match = re.search(rf"http://cnmt\.test(/events/registrations/\d+/{kind}/\S+)", body(message))
    assert match, body(message)
    return match.group(1)


def link_parts(message, kind: str) -> tuple[int, str]:
    """(registration id, token) of the confirm or cancel link in a message."""
    match = re.fullmatch(rf"/events/registrations/(\d+)/{kind}/(\S+)", link_in(message, kind))
    return int(match.group(1)), unquote(match.group(2))
