"""The permission matrix of every area, generated from the authorization registry: each
registered action, for each kind of account, on their own record and on someone else's.

The table below says who may; an action registered without a row here fails the test, so a
new action is added to the table (and so reviewed) with the code that registers it.
"""

import pytest
from flask_login import AnonymousUserMixin

from app.authorization import actions, authorize, can
from app.errors import Forbidden, NotFound, VerificationRequired
from app.extensions import db
from app.models import (
    Agency,
    ApiToken,
    Article,
    ArticleKind,
    Event,
    Firm,
    FirmMember,
    FirmStatus,
    Incubator,
    MemberRole,
    Product,
    Programme,
    Role,
    SavedSearch,
    Shortlist,
    User,
    Zone,
    ZoneKind,
    ZoneStatus,
)
from app.models.base import utcnow
from tests.conftest import DATABASES, make_app

# The columns of every row, in this order.
ROLES = (
    "anonymous",
    "deactivated",  # a business, owner of its firm, whose account was deactivated
    "unverified",  # a business, owner of its firm, that has not confirmed its e-mail address
    "owner",  # a business, owner of its firm
    "editor",  # a business, editor of the same firm
    "business",  # a business that manages no firm
    "unverified_investor",
    "investor",
    "curator_sct",  # a curator of Sở Công Thương, the agency that reviews listings
    "curator_other",  # a curator of another agency (Sở Khoa học và Công nghệ)
    "admin",
)
# Y: may. V: only once the e-mail address is confirmed (VerificationRequired). N: refused
# (Forbidden). H: refused as not found, so the record's existence is not revealed.
# -: the account has no record of its own of that kind.
NOBODY = "N N N N N N N N N N N"
REVIEWERS = "N N N N N N N N Y N Y"
AGENCY_STAFF = "N N N N N N N N Y Y Y"
BUSINESSES = "N N V Y Y Y N N N N N"
INVESTORS = "N N N N N N Y Y N N N"
VERIFIED_INVESTORS = "N N N N N N V Y N N N"
SIGNED_IN = "N N Y Y Y Y Y Y Y Y Y"
VERIFIED_SIGNED_IN = "N N V Y Y Y V Y Y Y Y"
HIDDEN = "H H H H H H H H H H H"
MEMBERS = "- H Y Y Y - - - - - -"
VERIFIED_MEMBERS = "- N V Y Y - - - - - -"
OWN_AGENCY = "- - - - - - - - Y Y -"
INVESTORS_OWN = "- - - - - - Y Y - - -"
ADMIN_HIDDEN = "H H H H H H H H H H Y"
ADMIN_ONLY = "N N N N N N N N N N Y"
REVIEWERS_ONLY_SEE = "H H H H H H H H Y H Y"

# action: {record: outcome per role}. "" is for actions on no record.
MATRIX = {
    "invitation.accept": {"": VERIFIED_SIGNED_IN},
    "user.manage": {"": ADMIN_ONLY},
    "account.export": {"": SIGNED_IN},
    # Businesses and investors close their own account; staff accounts an administrator.
    "account.delete": {"": "N N Y Y Y Y Y Y N N N"},
    # Every account makes its own API tokens; a token is its owner's alone.
    "api_token.create": {"": SIGNED_IN},
    "api_token.manage": {"own api_token": "- H Y Y Y Y Y Y Y Y Y", "other api_token": HIDDEN},
    "firm.manage": {"own firm": MEMBERS, "other firm": HIDDEN},
    "firm.edit": {"own firm": VERIFIED_MEMBERS, "other firm": NOBODY},
    # The own firm here is a draft: only published or lapsed listings are confirmed
    # (tests/firms/test_renewals.py tries those).
    "firm.confirm": {"own firm": "- N N N N - - - - - -", "other firm": NOBODY},
    "firm.manage_members": {"own firm": "- N V Y N - - - - - -", "other firm": NOBODY},
    "firm.create": {"": BUSINESSES},
    "firm.claim": {"": BUSINESSES},
    "firm.review": {"": REVIEWERS},
    "product.create": {"own firm": VERIFIED_MEMBERS, "other firm": NOBODY},
    "product.manage": {"own product": MEMBERS, "other product": HIDDEN},
    "product.edit": {"own product": VERIFIED_MEMBERS, "other product": NOBODY},
    "certificate.review": {"": REVIEWERS},
    "label.manage": {"": REVIEWERS},
    "product.moderate": {"": REVIEWERS},
    "agency_data.manage": {"": AGENCY_STAFF},
    # Programmes are drafts (someone else's is not found), zones public (forbidden).
    "programme.manage": {"own programme": OWN_AGENCY, "other programme": ADMIN_HIDDEN},
    "zone.manage": {"own zone": OWN_AGENCY, "other zone": ADMIN_ONLY},
    # A verification records the verifier's agency: its own curators only (the admin has none).
    "programme.verify": {"own programme": OWN_AGENCY, "other programme": NOBODY},
    "zone.verify": {"own zone": OWN_AGENCY, "other zone": NOBODY},
    "incubator.verify": {"incubator": "N N N N N N N N Y N N"},
    "investor.workspace": {"": INVESTORS},
    "shortlist.manage": {"own shortlist": INVESTORS_OWN, "other shortlist": HIDDEN},
    "saved_search.manage": {"own saved_search": INVESTORS_OWN, "other saved_search": HIDDEN},
    "investor.alerts": {"": VERIFIED_INVESTORS},
    "introduction.request": {"": VERIFIED_INVESTORS},
    "introduction.answer": {"own firm": "- H V Y Y - - - - - -", "other firm": HIDDEN},
    "introduction.list_received": {"": SIGNED_IN},
    "introduction.see_funnel": {"": REVIEWERS},
    "reporting.run": {"": REVIEWERS},
    "statistics.see_private": {"": REVIEWERS},
    "return.fill": {"own firm": MEMBERS, "other firm": HIDDEN},
    "workforce.merge_occupations": {"": REVIEWERS},
    "refdata.manage": {"": REVIEWERS},
    "industry_code.manage": {"": REVIEWERS},
    "import.run": {"": REVIEWERS},
    "interest.list": {"": AGENCY_STAFF},
    # The marketplace: a firm's members act for its requests, offers and answers.
    "market.manage": {"own firm": MEMBERS, "other firm": HIDDEN},
    "market.list": {"own firm": VERIFIED_MEMBERS, "other firm": NOBODY},
    "market.subscribe": {"own firm": VERIFIED_MEMBERS, "other firm": NOBODY},
    "market.respond": {"own firm": VERIFIED_MEMBERS, "other firm": NOBODY},
    "market.answer": {"own firm": "- H V Y Y - - - - - -", "other firm": HIDDEN},
    "market.report_deal": {"own firm": VERIFIED_MEMBERS, "other firm": NOBODY},
    "market.review": {"": REVIEWERS},
    "market.see_funnel": {"": REVIEWERS},
    # Reviewers open every firm; an agency's curators those interested in what they follow up
    # (here: none).
    "firm.follow_up": {"own firm": "- H H H H - - - - - -", "other firm": REVIEWERS_ONLY_SEE},
    "interest.follow_up": {
        "own programme": OWN_AGENCY,
        "other programme": ADMIN_HIDDEN,
        "own zone": OWN_AGENCY,
        "other zone": ADMIN_HIDDEN,
        "incubator": "H H H H H H H H Y H Y",
    },
    # Curators of Sở Công Thương and administrators organise every event, other agencies'
    # curators their own agency's (someone else's draft is not found).
    "events.create": {"": AGENCY_STAFF},
    "event.manage": {"own event": OWN_AGENCY, "other event": REVIEWERS_ONLY_SEE},
    "event.attendees": {"own event": OWN_AGENCY, "other event": REVIEWERS_ONLY_SEE},
    # One click for signed-in people with a confirmed address (guests confirm by e-mail).
    "event.register": {"": VERIFIED_SIGNED_IN},
    # Every agency's curators write news; SCT's manage every agency's articles (drafts of
    # another agency are not found by the others).
    "article.write": {"": AGENCY_STAFF},
    "article.manage": {"own article": OWN_AGENCY, "other article": REVIEWERS_ONLY_SEE},
}
RECORD_KINDS = {
    "api_token": ApiToken,
    "article": Article,
    "event": Event,
    "firm": Firm,
    "product": Product,
    "programme": Programme,
    "zone": Zone,
    "incubator": Incubator,
    "shortlist": Shortlist,
    "saved_search": SavedSearch,
}
OUTCOMES = {"H": NotFound, "N": Forbidden, "V": VerificationRequired}

CASES = [
    pytest.param(name, record, role, expected, id=f"{name} {record or 'no record'} {role}")
    for name, rows in MATRIX.items()
    for record, row in rows.items()
    for role, expected in zip(ROLES, row.split(), strict=True)
    if expected != "-"
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One account per role and their records, and the records of others."""
    folder = tmp_path_factory.mktemp("authorization")
    database = DATABASES.new(folder)
    app = make_app(folder, database)
    with app.test_request_context():  # refusals are worded in the request's language
        db.create_all()
        yield _build_world()
        db.session.remove()
        db.engine.dispose()
    DATABASES.drop(database)


def _build_world() -> dict:
    sct = Agency(code="SCT", name_vi="Sở Công Thương")
    other_agency = Agency(code="SKHCN", name_vi="Sở Khoa học và Công nghệ")

    def account(name: str, role: Role, verified: bool = True, **fields) -> User:
        verified_at = utcnow() if verified else None
        return User(
            email=f"{name}@example.vn",
            name=name,
            role=role,
            password_hash="x",
            email_verified_at=verified_at,
            **fields,
        )

    users = {
        "anonymous": AnonymousUserMixin(),
        "deactivated": account("deactivated", Role.BUSINESS, active=False),
        "unverified": account("unverified", Role.BUSINESS, verified=False),
        "owner": account("owner", Role.BUSINESS),
        "editor": account("editor", Role.BUSINESS),
        "business": account("business", Role.BUSINESS),
        "unverified_investor": account("unverified-investor", Role.INVESTOR, verified=False),
        "investor": account("investor", Role.INVESTOR),
        "curator_sct": account("curator-sct", Role.CURATOR, agency=sct),
        "curator_other": account("curator-other", Role.CURATOR, agency=other_agency),
        "admin": account("admin", Role.ADMIN),
    }
    stranger = account("stranger", Role.BUSINESS)
    members = [
        FirmMember(user=users["owner"], role=MemberRole.OWNER),
        FirmMember(user=users["editor"], role=MemberRole.EDITOR),
        FirmMember(user=users["unverified"], role=MemberRole.OWNER),
        FirmMember(user=users["deactivated"], role=MemberRole.OWNER),
    ]
    own_firm = Firm(slug="cua-minh", tax_code="0100000001", legal_name="Của mình", members=members)
    other_firm = Firm(
        slug="cua-nguoi-khac",
        tax_code="0100000002",
        legal_name="Của người khác",
        status=FirmStatus.PUBLISHED,
        published_at=utcnow(),
        members=[FirmMember(user=stranger, role=MemberRole.OWNER)],
    )

    def programme(agency: Agency) -> Programme:
        return Programme(
            slug=f"chuong-trinh-{agency.code.lower()}",
            agency=agency,
            title_vi=f"Chương trình của {agency.code}",
        )

    def zone(agency: Agency) -> Zone:
        return Zone(
            slug=f"ccn-{agency.code.lower()}",
            name_vi=f"Cụm công nghiệp của {agency.code}",
            kind=ZoneKind.INDUSTRIAL_CLUSTER,
            status=ZoneStatus.OPERATING,
            managing_agency=agency,
            published_at=utcnow(),
        )

    def event(agency: Agency) -> Event:
        return Event(
            slug=f"su-kien-{agency.code.lower()}",
            agency=agency,
            kind="technology_workshop",
            title_vi=f"Hội thảo của {agency.code}",
            starts_at=utcnow(),
            ends_at=utcnow(),
            place="Hội trường",
        )

    programmes = {"SCT": programme(sct), "SKHCN": programme(other_agency)}
    events = {"SCT": event(sct), "SKHCN": event(other_agency)}
    zones = {"SCT": zone(sct), "SKHCN": zone(other_agency)}

    def article(agency: Agency) -> Article:
        return Article(
            slug=f"tin-{agency.code.lower()}",
            kind=ArticleKind.NEWS,
            agency=agency,
            title_vi=f"Tin của {agency.code}",
            summary_vi="Tóm tắt",
            body_vi="Nội dung",
        )

    articles = {"SCT": article(sct), "SKHCN": article(other_agency)}
    incubator = Incubator(slug="vuon-uom", name_vi="Vườn ươm", host_organisation="Trường")
    accounts = [user for user in users.values() if isinstance(user, User)]
    db.session.add_all([*accounts, stranger, own_firm, other_firm, incubator])
    db.session.add_all(
        [*programmes.values(), *zones.values(), *events.values(), *articles.values()]
    )
    products = (
        Product(firm=own_firm, slug="san-pham-cua-minh", name_vi="Sản phẩm của mình"),
        Product(firm=other_firm, slug="san-pham-cua-nguoi-khac", name_vi="Sản phẩm khác"),
    )
    db.session.add_all(products)
    db.session.commit()
    owners = {"investor": users["investor"], "unverified_investor": users["unverified_investor"]}
    owners["other"] = account("other-investor", Role.INVESTOR)
    db.session.add(owners["other"])
    db.session.flush()
    investor_records = {
        kind: {whose: model(owner_id=owner.id, name="Của tôi") for whose, owner in owners.items()}
        for kind, model in (("shortlist", Shortlist), ("saved_search", SavedSearch))
    }
    db.session.add_all(r for records in investor_records.values() for r in records.values())
    token_owners = {role: u for role, u in users.items() if isinstance(u, User)}
    token_owners["other"] = stranger
    api_tokens = {
        role: ApiToken(
            user_id=owner.id,
            name="Của tôi",
            scope="read",
            secret_digest=f"{role:0>64}"[-64:],
            prefix="cnmt_test",
            expires_at=utcnow(),
        )
        for role, owner in token_owners.items()
    }
    db.session.add_all(api_tokens.values())
    db.session.commit()
    return {
        **investor_records,
        "api_token": api_tokens,
        "users": users,
        "firms": (own_firm, other_firm),
        "products": products,
        "programmes": programmes,
        "zones": zones,
        "events": events,
        "articles": articles,
        "incubator": incubator,
    }


def _record(world: dict, role: str, label: str):
    """The record a row's label names, as seen from `role` (None: the role has none)."""
    if label == "incubator":
        return world["incubator"]
    whose, kind = label.split()
    if kind in ("shortlist", "saved_search", "api_token"):
        return world[kind].get(role if whose == "own" else "other")
    if kind in ("firm", "product"):
        own, other = world[f"{kind}s"]
        is_member = role in {"deactivated", "unverified", "owner", "editor"}
        return (own if is_member else None) if whose == "own" else other
    by_agency = world[f"{kind}s"]
    agency = getattr(world["users"][role], "agency", None)
    if whose == "own":
        return by_agency[agency.code] if agency else None
    return by_agency["SKHCN" if agency is not None and agency.code == "SCT" else "SCT"]


@pytest.mark.parametrize(("name", "record", "role", "expected"), CASES)
def test_permission_matrix(world, name, record, role, expected):
    actor = world["users"][role]
    obj = _record(world, role, record) if record else None
    assert not record or obj is not None, "a record of its own for a role that has none"

    assert can(actor, name, obj) is (expected == "Y")
    if expected == "Y":
        authorize(actor, name, obj)
    else:
        with pytest.raises(OUTCOMES[expected]) as refusal:
            authorize(actor, name, obj)
        # VerificationRequired is a Forbidden: only the expected kind of refusal counts.
        assert type(refusal.value) is OUTCOMES[expected]


def test_every_registered_action_has_a_row_in_the_matrix(world):
    assert set(actions()) == set(MATRIX)


@pytest.mark.parametrize("name", MATRIX)
def test_the_matrix_tries_each_action_on_every_kind_of_record_it_takes(world, name):
    action = actions()[name]
    kinds = {RECORD_KINDS[label.split()[-1]] for label in MATRIX[name] if label}
    assert kinds == set(action.on)
    assert ("" in MATRIX[name]) is (not action.on)
