"""The platform's clock: today and now as people in Quảng Ngãi read them (Asia/Ho_Chi_Minh).

Timestamps are stored as naive UTC (`app.models.base.utcnow`); dates people see or choose, and
the times shown on pages, are local: until 07:00 in Quảng Ngãi it is still yesterday in UTC.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The local time, zone attached."""
    return datetime.now(LOCAL_ZONE)


def today() -> date:
    """The local date."""
    return now().date()


def local(moment: datetime) -> datetime:
    """A stored timestamp (naive means UTC) in local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE)


def stored(moment: datetime) -> datetime:
    """A time as people in Quảng Ngãi read it (naive means local) as timestamps are stored:
    naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(UTC).replace(tzinfo=None)
