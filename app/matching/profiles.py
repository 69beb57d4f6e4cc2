"""Plain, read-only profiles of firms and candidates, loaded with a few Core queries.

Matching works on these instead of ORM objects so that ranking a programme against ten
thousand firms costs a handful of queries and no object loading.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.domain.places import ward_centroid
from app.models import (
    CatalogueItem,
    Firm,
    FirmCatalogueLink,
    FirmIndustryCode,
    FirmStatus,
    Incubator,
    IndustryCode,
    LinkRelation,
    Programme,
    Zone,
)
from app.models.place import incubator_catalogue_item, zone_catalogue_item
from app.models.programme import programme_catalogue_item, programme_zone
from app.places.service import zones_within


@dataclass(frozen=True)
class Catalogue:
    """Item id → group code, its ancestors, and names for text queries and reasons."""

    group_of: dict[int, str]
    names: dict[int, str]
    levels: dict[int, str]
    # Each node with every node above it (itself included): a target group covers its items.
    lineage: dict[int, frozenset[int]] = field(default_factory=dict)
    _named: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, session: Session) -> "Catalogue":
        rows = session.execute(
            sa.select(
                CatalogueItem.id,
                CatalogueItem.parent_id,
                CatalogueItem.code,
                CatalogueItem.name_vi,
                CatalogueItem.level,
            )
        ).all()
        parent = {r.id: r.parent_id for r in rows}
        code = {r.id: r.code for r in rows}
        group_of, lineage = {}, {}
        for item_id in parent:
            chain = [item_id]
            while parent.get(chain[-1]) is not None and parent[chain[-1]] not in chain:
                chain.append(parent[chain[-1]])
            group_of[item_id] = code[chain[-1]]
            lineage[item_id] = frozenset(chain)
        return cls(
            group_of=group_of,
            names={r.id: r.name_vi for r in rows},
            levels={r.id: str(r.level) for r in rows},
            lineage=lineage,
        )

    def groups(self, item_ids) -> frozenset[str]:
        """The groups of these items (a group node is its own group)."""
        return frozenset(self.group_of[i] for i in item_ids if i in self.group_of)

    def names_of(self, item_ids: frozenset[int]) -> tuple[str, ...]:
        """The items' names in id order, remembered: matching one firm asks for the same few
        sets of names once per candidate."""
        named = self._named.get(item_ids)
        if named is None:
            named = self._named[item_ids] = tuple(self.names[i] for i in sorted(item_ids))
        return named

    def targets(self, item_ids) -> "Targets":
        """A candidate's targets, expanded once so that matching is a few set intersections."""
        items = frozenset(item_ids)
        groups = self.groups(items)
        return Targets(
            items=items,
            groups=groups,
            covered=frozenset(i for i, line in self.lineage.items() if not items.isdisjoint(line))
            | items,
            related=frozenset(i for i, group in self.group_of.items() if group in groups),
        )

    def nodes(self, item_ids) -> frozenset[int]:
        """These items and every node above them."""
        return frozenset().union(*(self.lineage.get(i, frozenset({i})) for i in item_ids))


@dataclass(frozen=True)
class Targets:
    """The catalogue groups and items a candidate targets, with the items each covers (itself
    and everything below it: a target group covers its items) and the items of the same
    groups (a weaker, "same domain" match)."""

    items: frozenset[int] = frozenset()
    groups: frozenset[str] = frozenset()
    covered: frozenset[int] = frozenset()
    related: frozenset[int] = frozenset()


@dataclass(frozen=True)
class FirmProfile:
    id: int
    name: str
    size_class: str | None
    ward_code: int | None
    zone_id: int | None
    founded_year: int | None
    offers: frozenset[int]
    needs: frozenset[int]
    enterprise_type: str | None = None
    point: tuple[float, float] | None = None  # the ward's representative point (lat, lon)
    seeking_investment: bool = False
    investment_types: tuple[str, ...] = ()
    investment_min: int | None = None
    investment_max: int | None = None
    verified: bool = False
    text_terms: tuple[str, ...] = ()

    def age(self, today: date) -> int | None:
        return today.year - self.founded_year if self.founded_year else None


@dataclass(frozen=True)
class ProgrammeProfile:
    id: int
    title: str
    opens_on: date | None
    closes_on: date | None
    rolling: bool
    sizes: frozenset[str]
    types: frozenset[str]
    preferred: frozenset[str]
    scope: str
    wards: frozenset[int]
    zones: frozenset[int]
    min_age: int | None
    max_age: int | None
    targets: Targets
    text_terms: tuple[str, ...] = ()

    def status(self, today: date) -> str:
        if self.opens_on and self.opens_on > today:
            return "forecast"
        if not self.rolling and self.closes_on and self.closes_on < today:
            return "closed"
        return "open"


@dataclass(frozen=True)
class ZoneProfile:
    id: int
    name: str
    status: str
    ward_code: int | None
    wastewater_capacity: int | None
    priorities: Targets
    within: frozenset[int] = frozenset()  # the zone and the zones inside it
    point: tuple[float, float] | None = None  # its own coordinates, else its ward's point
    text_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncubatorProfile:
    id: int
    name: str
    ward_code: int | None
    max_startup_age: int | None
    focus: Targets
    text_terms: tuple[str, ...] = ()


def _links(session: Session, table_query) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for owner, item in session.execute(table_query):
        found[owner].add(item)
    return found


def _phrases(*texts: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


def firm_profiles(
    session: Session, catalogue: Catalogue, firm_ids: set[int] | None = None
) -> list[FirmProfile]:
    """Published firms (or the given ones, whatever their state), in id order."""
    where = (
        [Firm.id.in_(firm_ids)] if firm_ids is not None else [Firm.status == FirmStatus.PUBLISHED]
    )
    rows = session.execute(
        sa.select(
            Firm.id,
            Firm.legal_name,
            Firm.trade_name,
            Firm.size_class,
            Firm.enterprise_type,
            Firm.ward_code,
            Firm.zone_id,
            Firm.founded_year,
            Firm.seeking_investment,
            Firm.investment_types,
            Firm.investment_min_vnd,
            Firm.investment_max_vnd,
            Firm.verified_at,
        )
        .where(*where)
        .order_by(Firm.id)
    ).all()
    ids = [r.id for r in rows]
    offers: dict[int, set[int]] = defaultdict(set)
    needs: dict[int, set[int]] = defaultdict(set)
    for firm_id, item_id, relation in session.execute(
        sa.select(
            FirmCatalogueLink.firm_id, FirmCatalogueLink.item_id, FirmCatalogueLink.relation
        ).where(FirmCatalogueLink.firm_id.in_(ids) if firm_ids is not None else sa.true())
    ):
        (offers if relation == LinkRelation.OFFERS else needs)[firm_id].add(item_id)
    vsic: dict[int, list[str]] = defaultdict(list)
    for firm_id, name in session.execute(
        sa.select(FirmIndustryCode.firm_id, IndustryCode.name_vi)
        .join(IndustryCode)
        .where(FirmIndustryCode.firm_id.in_(ids) if firm_ids is not None else sa.true())
    ):
        vsic[firm_id].append(name)
    return [
        FirmProfile(
            id=r.id,
            name=r.trade_name or r.legal_name,
            size_class=str(r.size_class) if r.size_class else None,
            enterprise_type=str(r.enterprise_type) if r.enterprise_type else None,
            point=ward_centroid(r.ward_code),
            ward_code=r.ward_code,
            zone_id=r.zone_id,
            founded_year=r.founded_year,
            offers=frozenset(offers[r.id]),
            needs=frozenset(needs[r.id]),
            seeking_investment=r.seeking_investment,
            investment_types=tuple(r.investment_types or ()),
            investment_min=r.investment_min_vnd,
            investment_max=r.investment_max_vnd,
            verified=r.verified_at is not None,
            text_terms=_phrases(
                *(catalogue.names.get(i) for i in sorted(offers[r.id] | needs[r.id])),
                *vsic[r.id],
            ),
        )
        for r in rows
    ]


def programme_profiles(
    session: Session, catalogue: Catalogue, programme_ids: set[int] | None = None
) -> list[ProgrammeProfile]:
    """Public programmes (or the given ones); text terms only for given ones (they cost)."""
    where = [Programme.public()]
    if programme_ids is not None:
        where = [Programme.id.in_(programme_ids)]
    rows = session.execute(
        sa.select(
            Programme.id,
            Programme.title_vi,
            Programme.opens_on,
            Programme.closes_on,
            Programme.rolling,
            Programme.eligible_size_classes,
            Programme.eligible_enterprise_types,
            Programme.preferred_criteria,
            Programme.geographic_scope,
            Programme.eligible_ward_codes,
            Programme.min_firm_age_years,
            Programme.max_firm_age_years,
        )
        .where(*where)
        .order_by(Programme.id)
    ).all()
    ids = [p.id for p in rows]
    targets = _links(
        session,
        sa.select(
            programme_catalogue_item.c.programme_id, programme_catalogue_item.c.item_id
        ).where(programme_catalogue_item.c.programme_id.in_(ids)),
    )
    zones = _links(
        session,
        sa.select(programme_zone.c.programme_id, programme_zone.c.zone_id).where(
            programme_zone.c.programme_id.in_(ids)
        ),
    )
    within = zones_within(session)
    return [
        ProgrammeProfile(
            id=p.id,
            title=p.title_vi,
            opens_on=p.opens_on,
            closes_on=p.closes_on,
            rolling=p.rolling,
            sizes=frozenset(p.eligible_size_classes or ()),
            types=frozenset(p.eligible_enterprise_types or ()),
            preferred=frozenset(p.preferred_criteria or ()),
            scope=str(p.geographic_scope),
            wards=frozenset(int(w) for w in p.eligible_ward_codes or ()),
            zones=frozenset(z for listed in zones[p.id] for z in within.get(listed, {listed})),
            min_age=p.min_firm_age_years,
            max_age=p.max_firm_age_years,
            targets=catalogue.targets(targets[p.id]),
            text_terms=_phrases(p.title_vi, *(catalogue.names.get(i) for i in targets[p.id]))
            if programme_ids is not None
            else (),
        )
        for p in rows
    ]


def zone_profiles(session: Session, catalogue: Catalogue, zone_ids=None) -> list[ZoneProfile]:
    where = [Zone.public()] if zone_ids is None else [Zone.id.in_(zone_ids)]
    rows = session.execute(
        sa.select(
            Zone.id,
            Zone.name_vi,
            Zone.status,
            Zone.ward_code,
            Zone.wastewater_capacity_m3_day,
            Zone.latitude,
            Zone.longitude,
        )
        .where(*where)
        .order_by(Zone.id)
    ).all()
    within = zones_within(session)
    priorities = _links(
        session,
        sa.select(zone_catalogue_item.c.zone_id, zone_catalogue_item.c.item_id).where(
            zone_catalogue_item.c.zone_id.in_([z.id for z in rows])
        ),
    )
    return [
        ZoneProfile(
            id=z.id,
            name=z.name_vi,
            status=str(z.status),
            ward_code=z.ward_code,
            wastewater_capacity=z.wastewater_capacity_m3_day,
            priorities=catalogue.targets(priorities[z.id]),
            within=frozenset(within.get(z.id, {z.id})),
            point=(z.latitude, z.longitude)
            if z.latitude is not None and z.longitude is not None
            else ward_centroid(z.ward_code),
            text_terms=_phrases(z.name_vi, *(catalogue.names.get(i) for i in priorities[z.id]))
            if zone_ids is not None
            else (),
        )
        for z in rows
    ]


def incubator_profiles(session: Session, catalogue: Catalogue) -> list[IncubatorProfile]:
    rows = session.execute(
        sa.select(
            Incubator.id, Incubator.name_vi, Incubator.ward_code, Incubator.max_startup_age_years
        ).order_by(Incubator.id)
    ).all()
    focus = _links(
        session,
        sa.select(incubator_catalogue_item.c.incubator_id, incubator_catalogue_item.c.item_id),
    )
    return [
        IncubatorProfile(
            id=i.id,
            name=i.name_vi,
            ward_code=i.ward_code,
            max_startup_age=i.max_startup_age_years,
            focus=catalogue.targets(focus[i.id]),
            text_terms=_phrases(i.name_vi, *(catalogue.names.get(x) for x in focus[i.id])),
        )
        for i in rows
    ]
