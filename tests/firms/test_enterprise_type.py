"""A listing says what kind of unit the firm is; the kind must fit the tax code, and only
enterprises have a size class (a branch has its parent enterprise's)."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmRevision, FirmStatus, User
from app.search.sync import stale_documents
from tests.conftest import login_as
from tests.curation.helpers import BUSINESS, CURATOR, as_user
from tests.firms.test_self_service import create_listing, form_data, new_business

HOUSEHOLD = "051078004213"  # the seed's household business
LARGE_PARENT = "4398384686"  # a published joint-stock company of the seed, large
BRANCHES = ("0498751188001", "4398384686002")  # the seed's branches of two large companies


def firm(tax_code: str) -> Firm:
    db.session.expire_all()
    return db.session.scalar(sa.select(Firm).where(Firm.tax_code == tax_code))


def login_as_demo_business(client) -> User:
    account = db.session.scalar(sa.select(User).where(User.email == BUSINESS))
    login_as(client, account)
    return account


@pytest.fixture
def owner(client):
    account = new_business()
    login_as(client, account)
    return account


def test_the_seeded_household_has_no_size_class_and_the_branches_are_large(client):
    assert firm(HOUSEHOLD).enterprise_type == "household"
    assert firm(HOUSEHOLD).size_class is None
    for code in BRANCHES:
        assert (firm(code).enterprise_type, firm(code).size_class) == ("branch", "large")


def test_a_household_business_with_micro_figures_is_not_micro(client, owner):
    household = create_listing(client, tax_code="001203004567", enterprise_type="household")

    assert household.insured_employees == 8 and household.size_class is None
    page = client.get(f"/my/firms/{household.id}?lang=en").get_data(as_text=True)
    assert "Household business" in page
    assert "to work out the size" not in page  # nothing to add: it has no size class


def test_a_branch_of_a_large_listed_enterprise_is_large_not_small(client, owner):
    branch = create_listing(
        client, tax_code=LARGE_PARENT + "-007", enterprise_type="branch", insured_employees="40"
    )

    assert branch.size_class == "large"


def test_a_branch_follows_its_parent_when_the_parents_figures_change(client, seeded_app):
    parent = firm(LARGE_PARENT)
    parent.insured_employees, parent.revenue_vnd, parent.capital_vnd = 30, 20 * 10**9, None
    db.session.commit()

    assert firm(LARGE_PARENT).size_class == firm(BRANCHES[1]).size_class == "small"
    assert stale_documents(seeded_app) == set()  # the branch's search document follows too


def test_a_branch_of_an_unlisted_enterprise_is_classed_by_the_figures_given(client, owner):
    branch = create_listing(client, tax_code="4300378569-001", enterprise_type="branch")

    assert branch.size_class == "micro"  # 8 staff, 2 billion: the figures the form asked for


@pytest.mark.parametrize(
    ("tax_code", "kind", "message"),
    [
        ("4300378569-001", "joint_stock", "A 13-digit tax code belongs to a branch"),
        ("4300378569", "branch", "A branch or representative office has a 13-digit tax code"),
        ("001203004567", "llc_one_member", "A 12-digit tax code is a personal ID"),
    ],
)
def test_a_kind_that_does_not_fit_the_tax_code_is_refused_on_the_field(
    client, owner, tax_code, kind, message
):
    data = form_data(client, "/my/firms/new", tax_code=tax_code, enterprise_type=kind)

    response = client.post("/my/firms/new?lang=en", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'id="enterprise_type-error"' in html
    assert f'<option selected value="{kind}">' in html  # the form keeps what was typed
    assert "Công ty TNHH Môi trường Thử Nghiệm" in html and "2.000.000.000" in html
    assert db.session.scalar(sa.select(Firm).where(Firm.legal_name.contains("Thử Nghiệm"))) is None


def test_the_refusal_is_in_vietnamese_by_default(client, owner):
    data = form_data(client, "/my/firms/new", tax_code="4300378569", enterprise_type="branch")

    html = client.post("/my/firms/new", data=data).get_data(as_text=True)

    assert "Chi nhánh hoặc văn phòng đại diện có mã số thuế 13 số" in html


def test_a_new_listing_must_say_its_kind_and_keeps_the_input(client, owner):
    data = form_data(client, "/my/firms/new", enterprise_type="")

    response = client.post("/my/firms/new?lang=en", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose what kind of unit the firm is." in html
    assert "Công ty TNHH Môi trường Thử Nghiệm" in html and "lắp đặt trọn gói" in html


def test_a_listing_of_unknown_kind_stays_editable_and_is_asked_for_its_kind(client, owner):
    listing = create_listing(client)
    listing.enterprise_type = None
    db.session.commit()
    url = f"/my/firms/{listing.id}/edit"

    manage = client.get(f"/my/firms/{listing.id}?lang=en").get_data(as_text=True)
    without = form_data(client, url, enterprise_type="", version=str(listing.version))
    refused = client.post(url + "?lang=en", data=without)
    chosen = form_data(client, url, enterprise_type="joint_stock", version=str(listing.version))
    saved = client.post(url, data=chosen)

    assert "Choose what kind of unit the firm is." in manage
    assert refused.status_code == 400
    assert "Choose what kind of unit the firm is." in refused.get_data(as_text=True)
    assert saved.status_code == 302
    assert firm(listing.tax_code).enterprise_type == "joint_stock"


def test_a_proposed_change_of_kind_is_checked_and_shown_to_curators(client):
    account = login_as_demo_business(client)
    listing = db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=account.id)))
    assert listing.status == FirmStatus.PUBLISHED and len(listing.tax_code) == 10
    url = f"/my/firms/{listing.id}/edit"
    opened = {"version": str(listing.version), "legal_name": listing.legal_name}

    wrong = client.post(url, data=form_data(client, url, enterprise_type="branch", **opened))
    right = client.post(url, data=form_data(client, url, enterprise_type="partnership", **opened))

    assert wrong.status_code == 400
    assert right.status_code == 302
    revision = db.session.scalar(sa.select(FirmRevision).where(FirmRevision.firm_id == listing.id))
    assert revision.data["enterprise_type"] == "partnership"
    as_user(client, CURATOR)
    html = client.get(f"/curation/revisions/{revision.id}?lang=en").get_data(as_text=True)
    assert 'data-field="enterprise_type"' in html and "Partnership" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=household&sector=agri_industry&employees=6&revenue=1.000.000.000", ""),
        (f"kind=branch&tax_code={LARGE_PARENT}-009&sector=agri_industry&employees=5", "Large"),
        ("kind=branch&tax_code=4300378569-001&sector=agri_industry&employees=5&revenue=1", "Micro"),
        ("kind=joint_stock&sector=agri_industry&employees=5&revenue=1", "Micro"),
        ("sector=agri_industry&employees=5&revenue=1", "Micro"),
        ("kind=²&tax_code=x&sector=agri_industry&employees=5&revenue=1", "Micro"),
    ],
)
def test_the_size_preview_follows_the_kind_of_unit(client, query, expected):
    response = client.get(f"/firms/size-class?lang=en&{query}")

    assert response.status_code == 200
    assert response.get_json()["label"] == expected


def test_the_public_page_and_card_show_a_branch_and_its_enterprise(client):
    branch = firm(BRANCHES[1])

    page = client.get(f"/firms/{branch.slug}?lang=en").get_data(as_text=True)
    household_card = client.get("/firms?lang=en&q=Gạch").get_data(as_text=True)

    assert "Branch" in page and "of the enterprise with tax code 4398384686" in page
    assert "Household business" in household_card
