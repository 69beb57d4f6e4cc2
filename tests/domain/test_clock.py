"""Dates and times are Quảng Ngãi's (Asia/Ho_Chi_Minh, UTC+7), never the server's or UTC's."""

import re
from datetime import datetime
from pathlib import Path

from app.domain import clock
from app.i18n import format_day, format_moment

APP = Path(__file__).resolve().parents[2] / "app"
# A clock read without a zone: the server's date (or UTC's), not Quảng Ngãi's.
NAIVE_CLOCK = re.compile(r"\bdate\.today\b|\bdatetime\.now\(\)|\bdatetime\.today\(")


def test_app_code_reads_the_date_only_through_the_local_clock():
    readers = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if path != APP / "domain/clock.py" and NAIVE_CLOCK.search(path.read_text())
    ]
    assert readers == []


def test_a_timestamp_late_in_the_utc_evening_is_the_next_morning_in_quang_ngai(app):
    stored = datetime(2026, 12, 2, 23, 30)  # naive UTC, as the models store it

    assert clock.local(stored).isoformat() == "2026-12-03T06:30:00+07:00"
    assert format_day(stored) == "03/12/2026"
    assert format_moment(stored) == "03/12/2026 06:30"


def test_now_is_quang_ngai_time():
    assert clock.now().utcoffset().total_seconds() == 7 * 3600
