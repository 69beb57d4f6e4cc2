"""Matching entry points: what fits a firm; which firms fit a programme, a zone, an investor.

See `engine.py` for the algorithm. These functions load profiles, compute text relevance once
per call through the search index, and return ranked `Match` lists (all sections included).
"""

import functools
import gc
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.domain import clock
from app.extensions import db
from app.generation import current_generation
from app.matching import engine
from app.matching.profiles import (
    Catalogue,
    FirmProfile,
    firm_profiles,
    incubator_profiles,
    programme_profiles,
    zone_profiles,
)


def _without_cycle_collection(function):
    """Run a matching call with the cycle collector paused. A call makes tens of thousands of
    small results (none in a reference cycle, so nothing waits for the collector); with it on,
    they trigger full collections that walk every cached profile — two thirds of the time at
    10,000 firms. Memory is still freed as usual, by reference counting."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def firm_profile(firm_id: int, catalogue: Catalogue) -> FirmProfile:
    return firm_profiles(db.session, catalogue, {firm_id})[0]


def _profiles() -> dict:
    """The catalogue and the profiles of published firms and of public programmes, zones and
    incubators, built once per data generation (`app.generation`: every committed change to
    directory data moves it), so they are rebuilt exactly when they may be stale; between
    generations matching loads nothing but the firm it is asked about."""
    cache = current_app.extensions.setdefault("matching_profiles", {})
    generation = current_generation()
    if cache.get("generation") != generation:
        cache.clear()
        catalogue = Catalogue.load(db.session)
        cache.update(
            catalogue=catalogue,
            firm=firm_profiles(db.session, catalogue),
            programme=programme_profiles(db.session, catalogue),
            zone=zone_profiles(db.session, catalogue),
            incubator=incubator_profiles(db.session, catalogue),
            generation=generation,
        )
        cache.update(_trade_index(cache["firm"], catalogue))
    return cache


def _trade_index(firms: list[FirmProfile], catalogue: Catalogue) -> dict:
    """Who offers and who needs each catalogue node and group, so that a firm's suppliers and
    buyers are found without walking every firm: an offer is filed under its item and every
    node above it (a need for a whole kind is met by any item of it), a need under its item."""
    offered, needed = defaultdict(set), defaultdict(set)
    for firm in firms:
        for key in _offer_keys(catalogue, firm.offers):
            offered[key].add(firm.id)
        for key in _need_keys(catalogue, firm.needs):
            needed[key].add(firm.id)
    return {"by_id": {firm.id: firm for firm in firms}, "offered": offered, "needed": needed}


def _offer_keys(catalogue: Catalogue, offers) -> frozenset:
    """What an offer is filed under and looked up by: its items, the nodes above, its groups."""
    return catalogue.nodes(offers) | catalogue.groups(offers)


def _need_keys(catalogue: Catalogue, needs) -> frozenset:
    """What a need is filed under and looked up by: its items and its groups."""
    return frozenset(needs) | catalogue.groups(needs)


@_without_cycle_collection
def match_firm(firm_id: int, today: date | None = None) -> dict[str, list[engine.Match]]:
    """Programmes, zones/clusters, incubators, suppliers of what the firm needs and buyers of
    what it supplies, for one firm (in any state: its owner sees its matches before
    publication), each list ranked."""
    today = today or clock.today()
    profiles = _profiles()
    catalogue = profiles["catalogue"]
    # A published firm's profile is already built; a draft's is loaded for its owner.
    firm = profiles["by_id"].get(firm_id) or firm_profile(firm_id, catalogue)
    text = engine.text_scores(firm.text_terms, "programme", "zone", "incubator")
    programme_text, zone_text, incubator_text = (text["programme"], text["zone"], text["incubator"])
    return {
        "programme": engine.ranked(
            [
                engine.evaluate_programme(firm, p, catalogue, programme_text.get(p.id, 0.0), today)
                for p in profiles["programme"]
            ]
        ),
        "zone": engine.ranked(
            [
                engine.evaluate_zone(firm, z, catalogue, zone_text.get(z.id, 0.0))
                for z in profiles["zone"]
            ]
        ),
        "incubator": engine.ranked(
            [
                engine.evaluate_incubator(firm, i, catalogue, incubator_text.get(i.id, 0.0), today)
                for i in profiles["incubator"]
            ]
        ),
        "supplier": _trade(
            profiles,
            profiles["offered"],
            _need_keys(catalogue, firm.needs),
            lambda other: (firm, other),
        ),
        "buyer": _trade(
            profiles,
            profiles["needed"],
            _offer_keys(catalogue, firm.offers),
            lambda other: (other, firm),
        ),
    }


def _trade(profiles: dict, index: dict, keys, roles) -> list[engine.Match]:
    """The published firms filed in `index` under any of `keys` (see `_trade_index`), each
    evaluated with `roles` putting it in the supplier's or the buyer's place."""
    candidates = set().union(*(index.get(key, ()) for key in keys))
    matches = []
    for other_id in sorted(candidates):
        other = profiles["by_id"][other_id]
        buyer, supplier = roles(other)
        match = engine.evaluate_trade(buyer, supplier, profiles["catalogue"], other)
        if match is not None:
            matches.append(match)
    return engine.ranked(matches)


@_without_cycle_collection
def match_programme(programme_id: int, today: date | None = None) -> list[engine.Match]:
    """Published firms for one programme, ranked (its eligibility seen from each firm)."""
    today = today or clock.today()
    profiles = _profiles()
    catalogue = profiles["catalogue"]
    programme = programme_profiles(db.session, catalogue, {programme_id})[0]
    text = engine.text_scores(programme.text_terms, "firm")["firm"]
    matches = []
    for firm in profiles["firm"]:
        match = engine.evaluate_programme(firm, programme, catalogue, text.get(firm.id, 0.0), today)
        matches.append(_as_firm(match, firm))
    return engine.ranked(matches)


@_without_cycle_collection
def match_zone(zone_id: int) -> list[engine.Match]:
    profiles = _profiles()
    catalogue = profiles["catalogue"]
    zone = zone_profiles(db.session, catalogue, {zone_id})[0]
    text = engine.text_scores(zone.text_terms, "firm")["firm"]
    matches = [
        _as_firm(engine.evaluate_zone(firm, zone, catalogue, text.get(firm.id, 0.0)), firm)
        for firm in profiles["firm"]
    ]
    return engine.ranked(matches)


@_without_cycle_collection
def match_investor(interests: engine.InvestorInterests) -> list[engine.Match]:
    profiles = _profiles()
    catalogue = profiles["catalogue"]
    text = engine.text_scores(interests.text_terms, "firm")["firm"]
    return engine.ranked(
        [
            engine.evaluate_for_investor(firm, interests, catalogue, text.get(firm.id, 0.0))
            for firm in profiles["firm"]
        ]
    )


def _as_firm(match: engine.Match, firm: FirmProfile) -> engine.Match:
    """The same evaluation, named after the firm (for lists of firms)."""
    match.kind, match.id, match.name = "firm", firm.id, firm.name
    return match


def records_of(model, matches: list[engine.Match]) -> dict[int, object]:
    """The records behind the matches shown, by id, in one query."""
    ids = [match.id for match in matches]
    return {obj.id: obj for obj in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


@_without_cycle_collection
def match_suppliers(buyer: FirmProfile) -> list[engine.Match]:
    """Published firms that supply what `buyer` needs (a profile made for the purpose, such
    as a marketplace request: its needs, its ward), ranked as a firm's suppliers are."""
    profiles = _profiles()
    keys = _need_keys(profiles["catalogue"], buyer.needs)
    return _trade(profiles, profiles["offered"], keys, lambda other: (buyer, other))


def catalogue() -> Catalogue:
    """The catalogue as matching reads it (built once per data generation)."""
    return _profiles()["catalogue"]
