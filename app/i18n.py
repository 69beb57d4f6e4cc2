"""Language choice and the field's formats: dd/mm/yyyy dates, VND amounts, bilingual fields,
and Vietnamese text marked as such on English pages."""

from datetime import date, datetime
from urllib.parse import urlencode

from babel.lists import format_list
from babel.numbers import format_decimal
from flask import Flask, current_app, has_request_context, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.domain import clock
from app.errors import API_PREFIX

BILLION = 1_000_000_000


def select_locale() -> str:
    """Vietnamese unless English was chosen: `?lang=` (remembered in the session), the
    session, the signed-in user's saved language. Never the browser's Accept-Language: many
    Vietnamese users' browsers say en-US. Outside a request (the CLI, the seed loader): the
    default, Vietnamese.

    The JSON API (/api/v1/) is stateless and called by programs, which say what they want: `?lang=`,
    else Accept-Language, else Vietnamese; it never reads or writes the session."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if request.path.startswith(API_PREFIX):
        if asked in languages:
            return asked
        return request.accept_languages.best_match(languages, default)
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    return default


def current_language() -> str:
    return str(get_locale() or "vi")


def localized(obj, field: str) -> str:
    """`obj.<field>_en` in English when it is filled in, else the Vietnamese `obj.<field>_vi`."""
    if current_language() == "en":
        english = getattr(obj, f"{field}_en", None)
        if english:
            return english
    return getattr(obj, f"{field}_vi", None) or ""


def language_of(obj, field: str) -> str:
    """The language `localized(obj, field)` shows: "en" where English is filled in and chosen."""
    english = current_language() == "en" and getattr(obj, f"{field}_en", None)
    return "en" if english else "vi"


def in_vietnamese(text: str | None) -> Markup:
    """`text` (a name, an address, a field with no English), marked lang="vi" on English pages
    so that screen readers read it as Vietnamese."""
    if not text or current_language() == "vi":
        return escape(text or "")
    return Markup('<span lang="vi">%s</span>') % text


def localized_html(obj, field: str) -> Markup:
    """`localized(obj, field)`, marked lang="vi" where an English page shows the Vietnamese."""
    text = localized(obj, field)
    return in_vietnamese(text) if language_of(obj, field) == "vi" else escape(text)


def format_day(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy; a stored timestamp (UTC) on its local date; also takes an ISO date string (as
    stored in search documents)."""
    if isinstance(value, str):
        value = date.fromisoformat(value) if value else None
    if isinstance(value, datetime):
        value = clock.local(value)
    return value.strftime("%d/%m/%Y") if value else ""


def format_moment(value: datetime | None) -> str:
    """A stored timestamp (UTC) as local date and time: `03/12/2026 14:05`."""
    return clock.local(value).strftime("%d/%m/%Y %H:%M") if value else ""


def format_words(items) -> str:
    """`a, b và c` / `a, b, and c`."""
    return format_list([str(item) for item in items], locale=current_language())


def format_vnd(amount: int | None) -> str:
    """`1.500.000.000 ₫` in Vietnamese, `VND 1,500,000,000` in English."""
    if amount is None:
        return ""
    if current_language() == "en":
        return f"VND {format_decimal(amount, locale='en')}"
    return f"{format_decimal(amount, locale='vi')} ₫"


def format_vnd_short(amount: int | None) -> str:
    """Large sums in billions: `1,5 tỷ đồng` / `VND 1.5 billion`."""
    if amount is None:
        return ""
    if amount < BILLION:
        return format_vnd(amount)
    billions = format_number(amount / BILLION)
    return _("%(amount)s billion VND", amount=billions)


def format_number(value: float | int | None) -> str:
    """`1.234,5` in Vietnamese, `1,234.5` in English."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##", locale=current_language())


def url_with(**changes) -> str:
    """The current page's URL with some query arguments replaced (works on error pages too)."""
    args = request.args.to_dict(flat=False)
    args.update({key: [str(value)] for key, value in changes.items()})
    return f"{request.path}?{urlencode(args, doseq=True)}"


def url_with_query(endpoint: str, **values) -> str:
    """An address carrying the current page's query arguments except the page number (the
    download of a filtered list). As keywords of `url_for` they could clash with the route's
    own arguments (`?kind=`) or its options (`?_external=`)."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return f"{url_for(endpoint, **values)}?{urlencode(args, doseq=True)}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        day=format_day,
        moment=format_moment,
        words=format_words,
        vnd=format_vnd,
        vnd_short=format_vnd_short,
        number=format_number,
        vi=in_vietnamese,
    )
    app.jinja_env.globals.update(
        localized=localized,
        localized_html=localized_html,
        language_of=language_of,
        current_language=current_language,
        url_with=url_with,
        url_with_query=url_with_query,
    )
