"""Matching entry points: what fits a firm; which firms fit a programme, a zone, an investor.

See `engine.py` for the algorithm. These functions load profiles, compute text relevance once
per call through the search index, and return ranked `Match` lists (all sections included).
"""

from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.matching import engine
from app.matching.profiles import (
    Catalogue,
    FirmProfile,
    firm_profiles,
    incubator_profiles,
    programme_profiles,
    zone_profiles,
)
from app.search.engine import search_backend


def firm_profile(firm_id: int, catalogue: Catalogue) -> FirmProfile:
    return firm_profiles(db.session, catalogue, {firm_id})[0]


def _candidates(catalogue: Catalogue) -> dict[str, list]:
    """Public programmes, zones and incubators as profiles, cached per search-index generation:
    every change to them (or to the catalogue) is written through the index (see search/outbox),
    so a new generation is exactly when the cache may be stale."""
    cache = current_app.extensions.setdefault("matching_candidates", {})
    generation = search_backend(current_app).generation()
    if cache.get("generation") != generation:
        cache.clear()
        cache["generation"] = generation
        cache["profiles"] = {
            "programme": programme_profiles(db.session, catalogue),
            "zone": zone_profiles(db.session, catalogue),
            "incubator": incubator_profiles(db.session, catalogue),
        }
    return cache["profiles"]


def match_firm(firm_id: int, today: date | None = None) -> dict[str, list[engine.Match]]:
    """Programmes, zones/clusters and incubators for one firm, each list ranked."""
    today = today or date.today()
    catalogue = Catalogue.load(db.session)
    firm = firm_profile(firm_id, catalogue)
    candidates = _candidates(catalogue)
    text = engine.text_scores(firm.text_terms, "programme", "zone", "incubator")
    programme_text, zone_text, incubator_text = (text["programme"], text["zone"], text["incubator"])
    return {
        "programme": engine.ranked(
            [
                engine.evaluate_programme(firm, p, catalogue, programme_text.get(p.id, 0.0), today)
                for p in candidates["programme"]
            ]
        ),
        "zone": engine.ranked(
            [
                engine.evaluate_zone(firm, z, catalogue, zone_text.get(z.id, 0.0))
                for z in candidates["zone"]
            ]
        ),
        "incubator": engine.ranked(
            [
                engine.evaluate_incubator(firm, i, catalogue, incubator_text.get(i.id, 0.0), today)
                for i in candidates["incubator"]
            ]
        ),
    }


def match_programme(programme_id: int, today: date | None = None) -> list[engine.Match]:
    """Published firms for one programme, ranked (its eligibility seen from each firm)."""
    today = today or date.today()
    catalogue = Catalogue.load(db.session)
    programme = programme_profiles(db.session, catalogue, {programme_id})[0]
    text = engine.text_scores(programme.text_terms, "firm")["firm"]
    matches = []
    for firm in firm_profiles(db.session, catalogue):
        match = engine.evaluate_programme(firm, programme, catalogue, text.get(firm.id, 0.0), today)
        matches.append(_as_firm(match, firm))
    return engine.ranked(matches)


def match_zone(zone_id: int) -> list[engine.Match]:
    catalogue = Catalogue.load(db.session)
    zone = zone_profiles(db.session, catalogue, {zone_id})[0]
    text = engine.text_scores(zone.text_terms, "firm")["firm"]
    matches = [
        _as_firm(engine.evaluate_zone(firm, zone, catalogue, text.get(firm.id, 0.0)), firm)
        for firm in firm_profiles(db.session, catalogue)
    ]
    return engine.ranked(matches)


def match_investor(interests: engine.InvestorInterests) -> list[engine.Match]:
    catalogue = Catalogue.load(db.session)
    text = engine.text_scores(interests.text_terms, "firm")["firm"]
    return engine.ranked(
        [
            engine.evaluate_for_investor(firm, interests, catalogue, text.get(firm.id, 0.0))
            for firm in firm_profiles(db.session, catalogue)
        ]
    )


def _as_firm(match: engine.Match, firm: FirmProfile) -> engine.Match:
    """The same evaluation, named after the firm (for lists of firms)."""
    return engine.Match(
        kind="firm",
        id=firm.id,
        name=firm.name,
        score=match.score,
        section=match.section,
        reasons=match.reasons,
    )


def records_of(model, matches: list[engine.Match]) -> dict[int, object]:
    """The records behind the matches shown, by id, in one query."""
    ids = [match.id for match in matches]
    return {obj.id: obj for obj in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}
