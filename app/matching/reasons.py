"""Reasons in words, in the reader's language (values are escaped by the templates)."""

from flask_babel import gettext as _

from app.i18n import format_day, format_number
from app.labels import label
from app.matching.engine import Reason

# Which profile field to complete, for "unknown" reasons.
MISSING_FIELD = {
    "size": lambda: _("add your sector, insured employees and revenue or capital"),
    "enterprise_type": lambda: _(
        "add your type of firm (company, cooperative, household business, branch …)"
    ),
    "offers": lambda: _("add what your firm supplies from the catalogue"),
    "founded_year": lambda: _("add the year your firm was founded"),
    "ward": lambda: _("add your ward or commune"),
    "zone": lambda: _("add the zone or cluster you are in"),
}


def missing_field_text(name: str) -> str:
    return MISSING_FIELD[name]() if name in MISSING_FIELD else name


def _group_names(codes, names: dict[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in codes)


SHOWN_ITEMS = 3


def _names(names: list[str]) -> str:
    """The first few names, and how many more (a reason stays one readable line)."""
    shown = ", ".join(names[:SHOWN_ITEMS])
    if len(names) > SHOWN_ITEMS:
        return _("%(names)s and %(count)s more", names=shown, count=len(names) - SHOWN_ITEMS)
    return shown


def _items(p: dict) -> str:
    parts = []
    if p.get("items"):
        parts.append(_("You supply what it targets: %(items)s.", items=_names(p["items"])))
    if p.get("needs"):
        parts.append(_("It supports what you need: %(items)s.", items=_names(p["needs"])))
    return " ".join(parts)


def reason_text(reason: Reason, group_names: dict[str, str] | None = None) -> str:
    """One line saying what was checked and how it came out (a preference says so)."""
    text = _reason_text(reason, group_names or {})
    return _("Preference: %(text)s", text=text) if reason.params.get("preferred") else text


def _reason_text(reason: Reason, names: dict[str, str]) -> str:
    p, state = reason.params, reason.state
    if state == "unknown" and p.get("field") in MISSING_FIELD:
        return _("Cannot check yet: %(what)s.", what=missing_field_text(p["field"]))
    texts = {
        "status_open": lambda: _("Open until %(date)s.", date=format_day(p.get("date"))),
        "status_rolling": lambda: _("Open all year, no deadline."),
        "status_forecast": lambda: _("Opens on %(date)s.", date=format_day(p.get("date"))),
        "status_closed": lambda: _("Closed on %(date)s.", date=format_day(p.get("date"))),
        "size_any": lambda: _("Open to firms of every size."),
        "enterprise_type": lambda: (
            _("Your type of firm (%(type)s) is eligible.", type=label(p.get("type")))
            if state == "met"
            else _(
                "SME support is for enterprises and their branches; a %(type)s is not one.",
                type=label(p.get("type")),
            )
            if p.get("sme")
            else _(
                "For %(types)s; yours is %(type)s.",
                types=", ".join(label(t) for t in p.get("types", [])),
                type=label(p.get("type")),
            )
        ),
        "size": lambda: (
            _("Your size (%(size)s) is eligible.", size=label(p.get("size")))
            if state == "met"
            else _(
                "For %(sizes)s firms; yours is %(size)s.",
                sizes=", ".join(label(s) for s in p.get("sizes", [])),
                size=label(p.get("size")),
            )
        ),
        "domains_any": lambda: _("Open to every environmental domain."),
        "domains_items": lambda: _items(p),
        "domains_groups": lambda: _(
            "Same domain: %(groups)s.", groups=_group_names(p.get("groups", []), names)
        ),
        "domains": lambda: _(
            "Targets other domains: %(groups)s.", groups=_group_names(p.get("groups", []), names)
        ),
        "national": lambda: _("Open to firms anywhere in Vietnam."),
        "province": lambda: (
            _("Your firm is in Quảng Ngãi province.")
            if state == "met"
            else _("Only for firms located in Quảng Ngãi province.")
        ),
        "wards": lambda: (
            _("Your ward or commune is covered.")
            if state == "met"
            else _("Only for some wards and communes; yours is not one of them.")
        ),
        "zones": lambda: (
            _("Your zone or cluster is covered.")
            if state == "met"
            else _(
                "Only for firms in some zones and clusters; your listing names none (add it if "
                "your firm is in one)."
            )
            if p.get("none")
            else _("Only for firms in some zones and clusters; yours is not one of them.")
        ),
        "age": lambda: (
            _("Your firm's age (%(age)s years) fits.", age=p.get("age"))
            if state == "met"
            else _("Your firm's age (%(age)s years) is outside the limits.", age=p.get("age"))
        ),
        "text": lambda: _(
            "Its description resembles your profile: %(percent)s%% of the closest one found.",
            percent=p.get("percent"),
        ),
        "zone_operating": lambda: _("Operating."),
        "zone_calling_for_investment": lambda: _("Calling for investment now."),
        "zone_planned": lambda: _("Planned: not open to investors yet."),
        "located_here": lambda: _("Your firm is located here."),
        "same_ward": lambda: _("In your ward or commune."),
        "distance": lambda: _("About %(km)s km from your ward or commune.", km=p.get("km")),
        "wastewater_plant": lambda: (
            _(
                "Central wastewater plant: %(capacity)s m³/day.",
                capacity=format_number(p.get("capacity")),
            )
            if state == "met"
            else _("Central wastewater capacity not published: ask the managing board.")
        ),
        "startup_any": lambda: _("No limit on the firm's age."),
        "startup_age": lambda: _(
            "For startups up to %(max)s years; yours is %(age)s.",
            max=p.get("max"),
            age=p.get("age"),
        ),
        "seeking": lambda: (
            _("Seeking investment.") if state == "met" else _("Not seeking investment now.")
        ),
        "investment_type": lambda: (
            _("Wants: %(types)s.", types=", ".join(label(t) for t in p.get("types", [])))
            if state == "met"
            else _("Wants another kind of investment.")
            if state == "not_met"
            else _("Has not said which kind of investment it wants.")
        ),
        "ticket": lambda: (
            _("The amount sought fits your ticket size.")
            if state == "met"
            else _("The amount sought is outside your ticket size.")
            if state == "not_met"
            else _("Has not said how much it seeks.")
        ),
        "investor_groups": lambda: (
            _("In your domains: %(groups)s.", groups=_group_names(p.get("groups", []), names))
            if state == "met"
            else _("Outside your domains.")
        ),
        "investor_place": lambda: (
            _("In a place you follow.") if state == "met" else _("Outside the places you follow.")
        ),
        "verified": lambda: _("Verified by Sở Công Thương."),
        "supplies": lambda: _("Supplies what is needed: %(items)s.", items=_names(p["items"])),
        "supplies_groups": lambda: _(
            "Same domain as what is needed: %(groups)s.",
            groups=_group_names(p.get("groups", []), names),
        ),
        "near": lambda: _("In the same ward, commune or zone."),
        "same_province": lambda: _("In the same province."),
    }
    text = texts.get(reason.code)
    return text() if text else reason.code


def score_band(score: float) -> str:
    score = round(score)
    if score >= 60:
        return _("Strong fit")
    if score >= 35:
        return _("Good fit")
    return _("Weak fit")
