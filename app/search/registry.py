"""Which records are searchable: how each kind's public ids and documents are read, and what
its documents read of the database (the map the search outbox follows)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from app.catalogue import documents as catalogue_docs
from app.catalogue.service import CatalogueTree
from app.firms import documents as firm_docs
from app.marketplace import documents as market_docs
from app.news import documents as news_docs
from app.places import documents as place_docs
from app.products import documents as product_docs
from app.programmes import documents as programme_docs
from app.search_dependencies import Dependency


@dataclass(frozen=True)
class Source:
    public_ids: Callable[[Session], set[int]]
    documents: Callable[[Session, set[int], CatalogueTree], dict[int, dict]]
    dependencies: list[Dependency]


SOURCES: dict[str, Source] = {
    "firm": Source(firm_docs.public_ids, firm_docs.documents, firm_docs.DEPENDENCIES),
    "catalogue": Source(
        catalogue_docs.public_ids, catalogue_docs.documents, catalogue_docs.DEPENDENCIES
    ),
    "programme": Source(
        programme_docs.public_ids, programme_docs.documents, programme_docs.DEPENDENCIES
    ),
    "zone": Source(place_docs.zone_ids, place_docs.zone_documents, place_docs.ZONE_DEPENDENCIES),
    "incubator": Source(
        place_docs.incubator_ids,
        place_docs.incubator_documents,
        place_docs.INCUBATOR_DEPENDENCIES,
    ),
    "tech_request": Source(
        market_docs.request_ids, market_docs.request_documents, market_docs.REQUEST_DEPENDENCIES
    ),
    "tech_offer": Source(
        market_docs.offer_ids, market_docs.offer_documents, market_docs.OFFER_DEPENDENCIES
    ),
    "article": Source(news_docs.public_ids, news_docs.documents, news_docs.DEPENDENCIES),
    "product": Source(product_docs.public_ids, product_docs.documents, product_docs.DEPENDENCIES),
}


@cache
def dependents(model: type) -> list[tuple[str, Dependency]]:
    """(kind, dependency) for every kind of document that reads `model`."""
    return [
        (kind, dependency)
        for kind, source in SOURCES.items()
        for dependency in source.dependencies
        if dependency.model is model
    ]


def public_keys(session: Session) -> set[str]:
    return {
        f"{kind}:{entity_id}"
        for kind, source in SOURCES.items()
        for entity_id in source.public_ids(session)
    }


def all_documents(session: Session, batch: int = 500):
    """Every public document, kind by kind, in batches (for rebuilds)."""
    tree = CatalogueTree.load(session)
    for source in SOURCES.values():
        ids = sorted(source.public_ids(session))
        for start in range(0, len(ids), batch):
            chunk = set(ids[start : start + batch])
            yield from source.documents(session, chunk, tree).values()
            session.expunge_all()
