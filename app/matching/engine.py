"""Matching firms with programmes, zones/clusters and incubators — and firms with investors.

The algorithm, deterministic and the same in every direction:

1. **Rules.** Each candidate is checked against the structured rules that apply to the pair;
   every rule gives a reason marked *met*, *not met* or *unknown* (unknown when the firm's
   profile lacks the data; the reason says which field to add):
   - programmes: status (open, upcoming, closed) and the criteria its curator set, each
     *required* or *preferred*: type of firm (SME size classes imply enterprises and their
     branches), size class, target catalogue groups/items (met by what the firm supplies or
     what it needs), geographic scope (national, province, wards, zones), firm age bounds;
   - zones/clusters: status (planned zones are not open yet), priority domains, location,
     and a central wastewater plant when the firm's domain produces wastewater;
   - incubators: the startup-age limit and the focus domains;
   - investors: seeking investment, investment type, ticket size, domains, location;
   - firms as suppliers of what a firm needs, or buyers of what it supplies: listed only when
     an offer meets a need (or works in the same group); see `evaluate_trade`.
   A candidate with any *not met* required rule is **ineligible**; a preference not met only
   lowers the score. Closed programmes and planned zones go to their own **closed** section.
   Nothing is dropped: every candidate is in exactly one of the sections eligible / ineligible
   / closed.
2. **Score** (0–100) = (50 × catalogue fit + 35 × text relevance + 15 × location fit) × 0.75
   for each preference not met, where
   - catalogue fit = 0.6 for one covered item, + 0.2 for each further one, at most 1; an item
     is covered when the candidate targets it or a group or kind above it (so a programme for
     a whole group fits as well as one naming the item); items only sharing a group with a
     target count 0.2 each, at most 0.4; a candidate with no catalogue targets gets 0.3;
   - text relevance = the candidate's score for an OR query of the other side's profile
     phrases (catalogue item names, VSIC names, titles), run through the search index with
     the same Vietnamese analysis as the search page, divided by the best score in the run;
   - location fit = 1 for the same ward or zone (a park inside a zone counts as the zone);
     for zones, when both the firm's ward and the zone have a position, 1 − distance / 100 km
     (nothing beyond 100 km, and the reasons say how far); otherwise 0.5 for the same
     province, else 0. Positions: the zone's own coordinates, else its ward's point; a
     firm's ward's point (`app.domain.places.ward_centroid`).
3. **Order**: section, then score (highest first), then name, then id — so ties break the
   same way on every run.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from app.domain.enterprise import SIZED, has_size_class
from app.domain.places import QUANG_NGAI, haversine_km, ward_province
from app.matching.profiles import (
    Catalogue,
    FirmProfile,
    IncubatorProfile,
    ProgrammeProfile,
    Targets,
    ZoneProfile,
)
from app.models.programme import Criterion
from app.search.engine import search_backend

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
INFO = "info"  # not a criterion: something that moved the score (text relevance)
ELIGIBLE, INELIGIBLE, CLOSED = "eligible", "ineligible", "closed"
SECTIONS = (ELIGIBLE, INELIGIBLE, CLOSED)
PREFERENCE_PENALTY = 0.75
ZONE_REACH_KM = 100  # a zone this far from the firm, or farther, gets no location fit
# Domains whose firms usually discharge wastewater and need a zone with a central plant.
WASTEWATER_GROUPS = frozenset({"NT", "CTR", "CTNH", "TC", "NL"})
MAX_TEXT_TERMS = 40


# Plain slotted classes: a programme against 10,000 firms makes some 60,000 reasons, and a
# frozen dataclass's checked __init__ would double their cost. Treat them as values anyway.
@dataclass(slots=True)
class Reason:
    code: str
    state: str
    params: dict = field(default_factory=dict)
    rule: bool = True  # a required rule (a "not met" makes the candidate ineligible)

    @property
    def mark(self) -> str:
        """How the reason is shown: a preference not met is not a ✗ (it does not exclude)."""
        if self.state == NOT_MET and not self.rule:
            return "unmet_preference"
        return self.state


@dataclass(slots=True)
class Match:
    kind: str
    id: int
    name: str
    score: float
    section: str
    reasons: list[Reason]

    @property
    def eligible(self) -> bool:
        return self.section == ELIGIBLE


# Text relevance -------------------------------------------------------------------------------


def _profile_query(terms: Iterable[str]) -> str:
    """The phrases side by side: `relevance` matches any syllable and boosts adjacent pairs."""
    phrases = [t.replace('"', " ").replace("|", " ").strip() for t in terms if t and t.strip()]
    return " | ".join(phrases[:MAX_TEXT_TERMS])


def text_scores(terms: Iterable[str], *kinds: str) -> dict[str, dict[int, float]]:
    """Relevance in [0, 1] of documents of each kind to the profile `terms` (absent = 0),
    from one index query, normalised per kind by that kind's best score."""
    found: dict[str, dict[int, float]] = {kind: {} for kind in kinds}
    query = _profile_query(terms)
    if not query:
        return found
    for key, score in search_backend(current_app).relevance(query, kinds=kinds).items():
        kind, entity_id = key.split(":", 1)
        found[kind][int(entity_id)] = score
    for kind, scores in found.items():
        best = max(scores.values(), default=0.0)
        found[kind] = {i: v / best for i, v in scores.items()} if best > 0 else {}
    return found


# Shared pieces --------------------------------------------------------------------------------


def catalogue_fit(
    offers: frozenset[int],
    targets: Targets,
    catalogue: Catalogue,
    needs: frozenset[int] = frozenset(),
) -> tuple[float, Reason]:
    """How well what the firm supplies (and, for programmes, what it needs) fits the targets;
    see the module docstring for the weights."""
    if not targets.items:
        return 0.3, Reason("domains_any", MET, rule=False)
    if not offers and not needs:
        return 0.0, Reason("domains", UNKNOWN, {"field": "offers"})
    supplied, needed = offers & targets.covered, needs & targets.covered
    if supplied or needed:
        fit = min(1.0, 0.6 + 0.2 * (len(supplied) + len(needed) - 1))
        params = {"items": catalogue.names_of(supplied), "needs": catalogue.names_of(needed)}
        return fit, Reason("domains_items", MET, params)
    related = (offers | needs) & targets.related
    if related:
        groups = sorted({catalogue.group_of[i] for i in related})
        return min(0.4, 0.2 * len(related)), Reason("domains_groups", MET, {"groups": groups})
    return 0.0, Reason("domains", NOT_MET, {"groups": sorted(targets.groups)})


def location_fit(firm: FirmProfile, ward: int | None, zones: frozenset[int] = frozenset()) -> float:
    """1 in the same zone (or a zone inside it) or ward, 0.5 in the same province, else 0."""
    if firm.zone_id is not None and firm.zone_id in zones:
        return 1.0
    if ward is not None and firm.ward_code == ward:
        return 1.0
    if firm.ward_code is not None and ward_province(firm.ward_code) == ward_province(ward):
        return 0.5
    return 0.0


def _text_reason(text: float) -> list[Reason]:
    """Mention text relevance only when it is a real signal (a fifth of the best or more). It
    is relative to the best candidate of the run, so it is a weight in the score, never a
    criterion met."""
    if text < 0.2:
        return []
    return [Reason("text", INFO, {"percent": round(100 * text)}, rule=False)]


def _score(
    catalogue_part: float, text_part: float, location_part: float, unmet_preferences: int = 0
) -> float:
    score = 50 * catalogue_part + 35 * text_part + 15 * location_part
    return round(score * PREFERENCE_PENALTY**unmet_preferences, 1)


def _section(reasons: list[Reason], closed: bool) -> str:
    if closed:
        return CLOSED
    for reason in reasons:
        if reason.rule and reason.state == NOT_MET:
            return INELIGIBLE
    return ELIGIBLE


def ranked(matches: list[Match]) -> list[Match]:
    order = {s: n for n, s in enumerate(SECTIONS)}
    return sorted(matches, key=lambda m: (order[m.section], -m.score, m.name, m.id))


# Firm × programme ------------------------------------------------------------------------------


def evaluate_programme(
    firm: FirmProfile,
    programme: ProgrammeProfile,
    catalogue: Catalogue,
    text: float,
    today: date,
) -> Match:
    fit, domain_reason = catalogue_fit(firm.offers, programme.targets, catalogue, firm.needs)
    geography = _geography(firm, programme)
    criteria = (
        (Criterion.ENTERPRISE_TYPES, _enterprise_type(firm, programme)),
        (Criterion.SIZES, _size(firm, programme)),
        (Criterion.DOMAINS, domain_reason),
        (Criterion.SCOPE, geography),
        (Criterion.AGE, _age(firm, programme, today)),
    )
    reasons = [_status(programme, today)]
    unmet = 0  # preferences not met (a domain one already lowered the fit to 0)
    for name, reason in criteria:
        if reason is None:
            continue
        if reason.rule and name in programme.preferred:
            reason = Reason(reason.code, reason.state, {**reason.params, "preferred": True}, False)
            unmet += reason.state == NOT_MET and name != Criterion.DOMAINS
        reasons.append(reason)
    reasons.extend(_text_reason(text))

    if geography.state != MET:
        location = 0.0
    else:
        location = 1.0 if programme.scope in ("wards", "zones") else 0.5
    return Match(
        kind="programme",
        id=programme.id,
        name=programme.title,
        score=_score(fit, text, location, unmet),
        section=_section(reasons, closed=programme.status(today) == "closed"),
        reasons=reasons,
    )


def _status(programme: ProgrammeProfile, today: date) -> Reason:
    status = programme.status(today)
    if status == "open":
        state = "rolling" if programme.rolling or not programme.closes_on else "open"
        return Reason(f"status_{state}", MET, {"date": programme.closes_on})
    if status == "forecast":
        return Reason("status_forecast", MET, {"date": programme.opens_on})
    return Reason("status_closed", NOT_MET, {"date": programme.closes_on})


def _enterprise_type(firm: FirmProfile, programme: ProgrammeProfile) -> Reason | None:
    """The types the programme lists; SME size classes without a list admit the units that
    have a size class (enterprises, and branches through their parent)."""
    allowed = programme.types or (SIZED if programme.sizes else frozenset())
    if not allowed:
        return None
    if firm.enterprise_type is None:
        return Reason("enterprise_type", UNKNOWN, {"field": "enterprise_type"})
    state = MET if firm.enterprise_type in allowed else NOT_MET
    params = {"type": firm.enterprise_type, "types": sorted(allowed), "sme": not programme.types}
    return Reason("enterprise_type", state, params)


def _size(firm: FirmProfile, programme: ProgrammeProfile) -> Reason | None:
    if not programme.sizes:
        return Reason("size_any", MET, rule=False)
    if firm.enterprise_type is not None and not has_size_class(firm.enterprise_type):
        return None  # the type of firm decides (a household business has no size class)
    if firm.size_class is None:
        return Reason("size", UNKNOWN, {"field": "size"})
    state = MET if firm.size_class in programme.sizes else NOT_MET
    return Reason("size", state, {"size": firm.size_class, "sizes": sorted(programme.sizes)})


def _age(firm: FirmProfile, programme: ProgrammeProfile, today: date) -> Reason | None:
    if programme.min_age is None and programme.max_age is None:
        return None
    age = firm.age(today)
    if age is None:
        return Reason("age", UNKNOWN, {"field": "founded_year"})
    ok = (programme.min_age is None or age >= programme.min_age) and (
        programme.max_age is None or age <= programme.max_age
    )
    params = {"age": age, "min": programme.min_age, "max": programme.max_age}
    return Reason("age", MET if ok else NOT_MET, params)


def _geography(firm: FirmProfile, programme: ProgrammeProfile) -> Reason:
    if programme.scope == "national":
        return Reason("national", MET)  # open to firms anywhere in Vietnam
    if programme.scope == "zones":
        # A listing that names no zone is not in one of the programme's zones (its reason
        # says to add the zone if the firm is in one).
        if firm.zone_id is None:
            return Reason("zones", NOT_MET, {"none": True})
        return Reason("zones", MET if firm.zone_id in programme.zones else NOT_MET)
    if firm.ward_code is None:
        return Reason("place", UNKNOWN, {"field": "ward"})
    if programme.scope == "wards":
        return Reason("wards", MET if firm.ward_code in programme.wards else NOT_MET)
    in_province = ward_province(firm.ward_code) == QUANG_NGAI
    return Reason("province", MET if in_province else NOT_MET)


# Firm × zone and incubator ---------------------------------------------------------------------


def evaluate_zone(firm: FirmProfile, zone: ZoneProfile, catalogue: Catalogue, text: float) -> Match:
    reasons: list[Reason] = []
    planned = zone.status == "planned"
    reasons.append(Reason(f"zone_{zone.status}", NOT_MET if planned else MET))
    fit, domain_reason = catalogue_fit(firm.offers, zone.priorities, catalogue)
    reasons.append(Reason(domain_reason.code, domain_reason.state, domain_reason.params, False))
    within = zone.within or frozenset({zone.id})
    km = haversine_km(firm.point, zone.point)
    location = location_fit(firm, zone.ward_code, within)
    if firm.zone_id is not None and firm.zone_id in within:
        reasons.append(Reason("located_here", MET, rule=False))
    elif firm.ward_code is not None and firm.ward_code == zone.ward_code:
        reasons.append(Reason("same_ward", MET, rule=False))
    elif km is not None:
        location = max(0.0, 1 - km / ZONE_REACH_KM)
        reasons.append(Reason("distance", INFO, {"km": round(km)}, rule=False))
    if catalogue.groups(firm.offers | firm.needs) & WASTEWATER_GROUPS:
        if zone.wastewater_capacity:
            reasons.append(
                Reason("wastewater_plant", MET, {"capacity": zone.wastewater_capacity}, False)
            )
        else:
            reasons.append(Reason("wastewater_plant", UNKNOWN, {}, False))
    reasons.extend(_text_reason(text))
    return Match(
        kind="zone",
        id=zone.id,
        name=zone.name,
        score=_score(fit, text, location),
        section=_section(reasons, closed=planned),
        reasons=reasons,
    )


def evaluate_incubator(
    firm: FirmProfile, incubator: IncubatorProfile, catalogue: Catalogue, text: float, today: date
) -> Match:
    reasons: list[Reason] = []
    age = firm.age(today)
    if incubator.max_startup_age is None:
        reasons.append(Reason("startup_any", MET, rule=False))
    elif age is None:
        reasons.append(Reason("startup_age", UNKNOWN, {"field": "founded_year"}))
    else:
        state = MET if age <= incubator.max_startup_age else NOT_MET
        reasons.append(Reason("startup_age", state, {"age": age, "max": incubator.max_startup_age}))
    fit, domain_reason = catalogue_fit(firm.offers, incubator.focus, catalogue)
    reasons.append(Reason(domain_reason.code, domain_reason.state, domain_reason.params, False))
    reasons.extend(_text_reason(text))
    return Match(
        kind="incubator",
        id=incubator.id,
        name=incubator.name,
        score=_score(fit, text, location_fit(firm, incubator.ward_code)),
        section=_section(reasons, closed=False),
        reasons=reasons,
    )


# Firm × firm: who supplies what a firm needs ---------------------------------------------------


def evaluate_trade(
    buyer: FirmProfile, supplier: FirmProfile, catalogue: Catalogue, candidate: FirmProfile
) -> Match | None:
    """How well `supplier` can supply what `buyer` needs, named after `candidate` (the
    supplier in a buyer's list of suppliers, the buyer in a supplier's list of buyers); None
    when they have nothing in common. A need is met by an offer of the item or of anything
    below it (a need for "monitoring equipment" is met by a maker of dust monitors).

    Score = 80 × (0.6 + 0.4 × share of the needs met) + 20 × location fit: what is supplied
    decides, nearness breaks ties (text relevance is left out: the catalogue says exactly what
    is traded). A firm that only works in the same group as a need (fit 0.2 per shared group,
    at most 0.4) is scored at 40 %, so it always ranks below one that supplies a need."""
    if buyer.id == supplier.id or not buyer.needs or not supplier.offers:
        return None
    met = buyer.needs & catalogue.nodes(supplier.offers)
    scale = 1.0
    if met:
        fit = 0.6 + 0.4 * len(met) / len(buyer.needs)
        reasons = [Reason("supplies", MET, {"items": catalogue.names_of(met)})]
    else:
        shared = catalogue.groups(buyer.needs) & catalogue.groups(supplier.offers)
        if not shared:
            return None
        fit, scale = min(0.4, 0.2 * len(shared)), 0.4
        reasons = [Reason("supplies_groups", MET, {"groups": sorted(shared)})]
    location = location_fit(buyer, supplier.ward_code, frozenset({supplier.zone_id}))
    if location == 1.0:
        reasons.append(Reason("near", MET, rule=False))
    elif location == 0.5:
        reasons.append(Reason("same_province", MET, rule=False))
    if candidate.verified:
        reasons.append(Reason("verified", MET, rule=False))
    return Match(
        kind="firm",
        id=candidate.id,
        name=candidate.name,
        score=round((80 * fit + 20 * location) * scale, 1),
        section=ELIGIBLE,
        reasons=reasons,
    )


# Investor interests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvestorInterests:
    groups: frozenset[str] = frozenset()
    investment_types: frozenset[str] = frozenset()
    wards: frozenset[int] = frozenset()
    zones: frozenset[int] = frozenset()
    ticket_min: int | None = None
    ticket_max: int | None = None
    text_terms: tuple[str, ...] = ()


def evaluate_for_investor(
    firm: FirmProfile, interests: InvestorInterests, catalogue: Catalogue, text: float
) -> Match:
    reasons = [Reason("seeking", MET if firm.seeking_investment else NOT_MET)]
    if interests.investment_types:
        if not firm.investment_types:
            reasons.append(Reason("investment_type", UNKNOWN, {}, False))
        else:
            shared = sorted(interests.investment_types & set(firm.investment_types))
            reasons.append(Reason("investment_type", MET if shared else NOT_MET, {"types": shared}))
    if interests.ticket_min is not None or interests.ticket_max is not None:
        if firm.investment_min is None and firm.investment_max is None:
            reasons.append(Reason("ticket", UNKNOWN, {}, False))
        else:
            low = firm.investment_min or 0
            high = firm.investment_max or firm.investment_min or 0
            fits = (interests.ticket_max is None or low <= interests.ticket_max) and (
                interests.ticket_min is None or high >= interests.ticket_min
            )
            reasons.append(Reason("ticket", MET if fits else NOT_MET))
    firm_groups = catalogue.groups(firm.offers)
    if interests.groups:
        shared = sorted(firm_groups & interests.groups)
        reasons.append(Reason("investor_groups", MET if shared else NOT_MET, {"groups": shared}))
        fit = min(1.0, len(shared) / 2)
    else:
        fit = 0.3
    location = 0.0
    if interests.wards or interests.zones:
        here = firm.ward_code in interests.wards or firm.zone_id in interests.zones
        reasons.append(Reason("investor_place", MET if here else NOT_MET, rule=False))
        location = 1.0 if here else 0.0
    if firm.verified:
        reasons.append(Reason("verified", MET, rule=False))
    reasons.extend(_text_reason(text))
    return Match(
        kind="firm",
        id=firm.id,
        name=firm.name,
        score=_score(fit, text, location),
        section=_section(reasons, closed=False),
        reasons=reasons,
    )
