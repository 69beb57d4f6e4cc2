"""A change to any field of the records search documents are built from queues exactly the
documents whose content it changes, and once the outbox is drained `search check --content`
finds nothing stale.

Both tests build every document before and after a flush and compare the documents that
changed with the outbox rows the flush wrote. The changes come from the models' columns and
links, not from the dependency map under test: one test changes every column of rows that
public documents show, one at a time; the other (Hypothesis) makes one to three random changes
at once (any column of any row, links added and removed, records inserted and deleted), then
commits and checks the drained index.
"""

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.catalogue.service import CatalogueTree
from app.extensions import db
from app.models import (
    Agency,
    CatalogueItem,
    CatalogueLevel,
    Firm,
    FirmCatalogueLink,
    FirmCertification,
    FirmIndustryCode,
    FirmStatus,
    Incubator,
    IndustryCode,
    LinkRelation,
    Programme,
    SearchOutbox,
    Zone,
)
from app.models.place import incubator_catalogue_item, zone_catalogue_item
from app.models.programme import programme_catalogue_item
from app.search.registry import SOURCES
from app.search.sync import index_differences, stale_documents
from search_index import document_digest, document_key
from tests.conftest import DATABASES

MODELS = {
    model.__name__: model
    for model in (
        Firm,
        FirmCatalogueLink,
        FirmIndustryCode,
        FirmCertification,
        IndustryCode,
        CatalogueItem,
        Programme,
        Zone,
        Incubator,
        Agency,
    )
}
LINK_ROWS = ("FirmCatalogueLink", "FirmIndustryCode", "FirmCertification")
COLLECTIONS = [
    ("Programme", "target_items", "CatalogueItem"),
    ("Programme", "zones", "Zone"),
    ("Zone", "priority_items", "CatalogueItem"),
    ("Incubator", "focus_items", "CatalogueItem"),
]
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãếềệ0123456789 "


def settable_columns() -> list[tuple[str, str]]:
    """(model, attribute) for every column but surrogate keys and version counters."""
    found = []
    for name, model in MODELS.items():
        mapper = sa.inspect(model)
        for attribute in mapper.column_attrs:
            column = attribute.columns[0]
            if column.key == "id" or column is mapper.version_id_col:
                continue
            found.append((name, attribute.key))
    return found


def value_for(model: str, attribute: str, rows: dict) -> st.SearchStrategy:
    column = sa.inspect(MODELS[model]).columns[attribute]
    kind = column.type
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table
        name = next(n for n, m in MODELS.items() if m.__table__ is target)
        values = st.sampled_from(rows[name])
    elif isinstance(kind, sa.Enum):
        values = st.sampled_from(list(kind.enum_class))
    elif isinstance(kind, sa.Boolean):
        values = st.booleans()
    elif isinstance(kind, sa.Integer):
        values = st.integers(0, 100)
    elif isinstance(kind, sa.Float):
        values = st.floats(0, 100, allow_nan=False)
    elif isinstance(kind, sa.DateTime):
        values = st.datetimes(datetime(2000, 1, 1), datetime(2035, 1, 1))
    elif isinstance(kind, sa.Date):
        values = st.dates(date(2000, 1, 1), date(2035, 1, 1))
    elif isinstance(kind, sa.JSON):
        values = st.lists(st.text("abcxyz", min_size=1, max_size=4), max_size=3)
    else:
        values = st.text(LETTERS, min_size=1, max_size=12)
    return values | st.none() if column.nullable else values


def a_change(rows: dict) -> st.SearchStrategy:
    setting = st.sampled_from(settable_columns()).flatmap(
        lambda target: st.tuples(
            st.just("set"),
            st.just(target[0]),
            st.sampled_from(rows[target[0]]),
            st.just(target[1]),
            value_for(*target, rows),
        )
    )
    linking = st.one_of(
        st.tuples(
            st.just("add"),
            st.just("FirmCatalogueLink"),
            st.sampled_from(rows["Firm"]),
            st.sampled_from(rows["CatalogueItem"]),
            st.sampled_from(list(LinkRelation)),
        ),
        st.tuples(
            st.just("add"),
            st.just("FirmIndustryCode"),
            st.sampled_from(rows["Firm"]),
            st.sampled_from(rows["IndustryCode"]),
            st.booleans(),
        ),
        st.tuples(
            st.just("add"),
            st.just("FirmCertification"),
            st.sampled_from(rows["Firm"]),
            st.text(LETTERS, min_size=1, max_size=12),
            st.integers(1990, 2030),
        ),
        st.tuples(
            st.just("add"),
            st.just("CatalogueItem"),
            st.sampled_from(rows["CatalogueItem"]),
            st.text("ABCXYZ", min_size=3, max_size=8),
            st.text(LETTERS, min_size=1, max_size=12),
        ),
        st.sampled_from(COLLECTIONS).flatmap(
            lambda collection: st.tuples(
                st.just("toggle"),
                st.just(collection[0]),
                st.sampled_from(rows[collection[0]]),
                st.just(collection[1]),
                st.just(collection[2]),
                st.sampled_from(rows[collection[2]]),
            )
        ),
        st.sampled_from([*LINK_ROWS, "Firm"]).flatmap(
            lambda model: st.tuples(st.just("delete"), st.just(model), st.sampled_from(rows[model]))
        ),
    )
    return st.one_of(setting, setting, linking)


def key_of(model, row):
    """A row's identity as the session wants it (firm industry codes have a two-column key)."""
    return tuple(row) if isinstance(row, list) else row


def apply(change: tuple) -> set[str]:
    """Make `change` in the session; return the documents it may leave as they were although
    they read a field it changed: those that show the field only through the order of a list."""
    verb, model, row, *rest = change
    session = db.session
    if verb == "set":
        record = session.get(MODELS[model], key_of(model, row))
        if record is None:
            reject()
        attribute, value = rest
        setattr(record, attribute, value)
        if (model, attribute) == ("FirmCertification", "year"):
            return {document_key("firm", record.firm_id)}
        if (model, attribute) == ("CatalogueItem", "code"):
            return lists_showing(row)
    elif verb == "add":
        first, second = rest
        session.add(
            {
                "FirmCatalogueLink": lambda: FirmCatalogueLink(
                    firm_id=row, item_id=first, relation=second
                ),
                "FirmIndustryCode": lambda: FirmIndustryCode(
                    firm_id=row, industry_code_id=first, is_primary=second
                ),
                "FirmCertification": lambda: FirmCertification(
                    firm_id=row, name=first, year=second
                ),
                "CatalogueItem": lambda: CatalogueItem(
                    parent_id=row, code=first, name_vi=second, level=CatalogueLevel.ITEM
                ),
            }[model]()
        )
    elif verb == "toggle":
        attribute, member_model, member_id = rest
        owner = session.get(MODELS[model], row)
        collection = getattr(owner, attribute)
        member = session.get(MODELS[member_model], member_id)
        if member in collection:
            collection.remove(member)
        else:
            collection.append(member)
    else:
        record = session.get(MODELS[model], key_of(model, row))
        if record is None:
            reject()
        session.delete(record)
    return set()


def lists_showing(item_id: int) -> set[str]:
    """Programmes, zones and incubators that list the catalogue item (in code order)."""
    keys = set()
    for kind, table, owner in (
        ("programme", programme_catalogue_item, "programme_id"),
        ("zone", zone_catalogue_item, "zone_id"),
        ("incubator", incubator_catalogue_item, "incubator_id"),
    ):
        query = sa.select(table.c[owner]).where(table.c.item_id == item_id)
        keys |= {document_key(kind, owner_id) for owner_id in db.session.scalars(query)}
    return keys


def digests(bind) -> dict[str, str]:
    """The digest of every public document, built from what `bind` sees."""
    with Session(bind=bind) as session:
        tree = CatalogueTree.load(session)
        return {
            document_key(kind, entity_id): document_digest(document)
            for kind, source in SOURCES.items()
            for entity_id, document in source.documents(
                session, source.public_ids(session), tree
            ).items()
        }


def catalogue_has_a_cycle() -> bool:
    parents = dict(db.session.execute(sa.select(CatalogueItem.id, CatalogueItem.parent_id)).all())
    for start in parents:
        seen, node = set(), start
        while node is not None:
            if node in seen:
                return True
            seen.add(node)
            node = parents.get(node)
    return False


def queued_documents() -> set[str]:
    rows = db.session.execute(sa.select(SearchOutbox.entity_kind, SearchOutbox.entity_id))
    return {document_key(kind, entity_id) for kind, entity_id in rows}


def mismatch(before: dict[str, str], order_only: set[str]) -> tuple[set[str], set[str]]:
    """After a flush: (documents changed but not queued, documents queued but unchanged). A
    record with no document before or after may be queued; so may a document that shows the
    changed field only through the order of a list."""
    queued = queued_documents()
    after = digests(db.session.connection())
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    never_public = {key for key in queued if key not in before and key not in after}
    return changed - queued, queued - changed - never_public - order_only


PUBLISHED = Firm.status == FirmStatus.PUBLISHED


def most(column, *joins_and_conditions) -> int:
    """The value of `column` shared by the most rows of the query."""
    query = sa.select(column)
    for step in joins_and_conditions:
        query = query.join(step) if isinstance(step, type) else query.where(step)
    return db.session.scalar(query.group_by(column).order_by(sa.func.count().desc(), column))


def shown_rows() -> list[tuple[str, object]]:
    """(model, key) of rows public documents show: a catalogue item most firms offer, its kind
    and its group; the busiest VSIC code, zone and agency; a published firm and its links."""
    offers = FirmCatalogueLink.relation == LinkRelation.OFFERS
    item = most(FirmCatalogueLink.item_id, Firm, PUBLISHED, offers)
    kind = db.session.get(CatalogueItem, item).parent_id
    group = db.session.get(CatalogueItem, kind).parent_id
    firm = db.session.scalar(
        sa.select(Firm.id).where(PUBLISHED, Firm.zone_id.is_not(None)).order_by(Firm.id)
    )
    link_of = lambda *where: db.session.scalar(  # noqa: E731
        sa.select(FirmCatalogueLink.id).join(Firm).where(PUBLISHED, *where)
    )
    code = most(FirmIndustryCode.industry_code_id, Firm, PUBLISHED)
    has_code = FirmIndustryCode.industry_code_id == code
    return [
        ("CatalogueItem", item),
        ("CatalogueItem", kind),
        ("CatalogueItem", group),
        ("Firm", firm),
        ("FirmCatalogueLink", link_of(offers)),
        ("FirmCatalogueLink", link_of(FirmCatalogueLink.relation == LinkRelation.NEEDS)),
        ("FirmIndustryCode", (most(FirmIndustryCode.firm_id, Firm, PUBLISHED, has_code), code)),
        ("FirmCertification", most(FirmCertification.id, Firm, PUBLISHED)),
        ("IndustryCode", code),
        ("Zone", most(Firm.zone_id, PUBLISHED, Firm.zone_id.is_not(None))),
        ("Agency", most(Programme.agency_id, Programme.public())),
        ("Programme", most(programme_catalogue_item.c.programme_id)),
        ("Incubator", most(incubator_catalogue_item.c.incubator_id)),
    ]


def another_value(record, attribute: str):
    """A value of `record.attribute` different from the current one, and valid."""
    model = type(record)
    column = sa.inspect(model).columns[attribute]
    current = getattr(record, attribute)
    kind = column.type
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table
        query = sa.select(target.c.id).order_by(target.c.id)
        if (model, attribute) == (CatalogueItem, "parent_id"):
            query = query.where(target.c.parent_id.is_(None))  # another group: never a cycle
        return next(
            i for i in db.session.scalars(query) if i not in (current, getattr(record, "id", 0))
        )
    if isinstance(kind, sa.Enum):
        return next(member for member in kind.enum_class if member != current)
    if isinstance(kind, sa.Boolean):
        return not current
    if isinstance(kind, sa.Integer | sa.Float):
        return (current or 0) + 1 if (current or 0) < 100 else current - 1
    if isinstance(kind, sa.DateTime):
        return current - timedelta(days=1) if current else datetime(2001, 1, 1)
    if isinstance(kind, sa.Date):
        return current - timedelta(days=1) if current else date(2001, 1, 1)
    if isinstance(kind, sa.JSON):
        return [*(current or []), "zz"]
    text, limit = f"{current or ''} mới", getattr(kind, "length", None)
    return text[-limit:] if limit else text  # within the column's length, still different


def test_changing_any_column_of_a_shown_row_queues_exactly_the_documents_it_changes(seeded_app):
    before = digests(db.engine)
    changes = []
    for model, key in shown_rows():
        record = db.session.get(MODELS[model], key_of(model, key))
        for name, attribute in settable_columns():
            if name == model:
                changes.append(("set", model, key, attribute, another_value(record, attribute)))
    wrong = []
    for change in changes:
        order_only = apply(change)
        db.session.flush()
        missing, extra = mismatch(before, order_only)
        if missing or extra:
            wrong.append(f"{change}: changed, not queued {missing}; queued, unchanged {extra}")
        db.session.rollback()
    assert len(changes) > 150
    assert wrong == []


@pytest.fixture
def restore(seeded_app, seeded_database):
    """Put the test's database and index back as they were seeded."""
    index = Path(seeded_app.config["SEARCH_INDEX_DIR"])

    def restore() -> None:
        db.session.remove()
        db.engine.dispose()
        backend = seeded_app.extensions.pop("search_backend", None)
        if backend is not None:
            backend.close()
        DATABASES.reset(seeded_app.config["SQLALCHEMY_DATABASE_URI"], seeded_database.database)
        if seeded_database.index.exists():  # SEARCH_BACKEND=postgres: in the database
            shutil.rmtree(index)
            shutil.copytree(seeded_database.index, index)

    return restore


class Rows(dict):
    def __repr__(self) -> str:
        return "<ids of the seeded rows>"


@pytest.fixture
def rows(seeded_app) -> Rows:
    """The ids of the seeded rows of each model (lists for two-column keys)."""
    found = Rows()
    for name, model in MODELS.items():
        keys = sa.inspect(model).primary_key
        result = db.session.execute(sa.select(*keys).order_by(*keys)).all()
        found[name] = [row[0] if len(keys) == 1 else list(row) for row in result]
    return found


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
def test_a_change_queues_exactly_the_documents_it_changes_and_leaves_nothing_stale(
    seeded_app, restore, rows, data
):
    restore()
    before = digests(db.engine)
    changes = data.draw(st.lists(a_change(rows), min_size=1, max_size=3), label="changes")
    order_only: set[str] = set()
    try:
        with db.session.no_autoflush:  # one flush, so that changes undone meanwhile cancel out
            for change in changes:
                order_only |= apply(change)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        reject()
    if catalogue_has_a_cycle():
        db.session.rollback()
        reject()

    missing, extra = mismatch(before, order_only)
    assert missing == set(), "changed but not queued"
    assert extra == set(), "queued but unchanged"

    db.session.commit()  # drains the outbox
    assert stale_documents(seeded_app) == set()
    assert index_differences(seeded_app) == (set(), set())
