"""Races on the write paths that used to commit on their own: another client writes the same
unique row between an action's checks and its write. Each must end in a clear refusal (a
domain error the page shows), with the other client's row kept — never a 500."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.backoffice import returns
from app.domain import clock
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.investors import introductions
from app.investors import service as investors
from app.matching import interests
from app.models import (
    AlertFrequency,
    Firm,
    FirmStatus,
    Incubator,
    Interest,
    InterestStatus,
    IntroductionRequest,
    IntroductionState,
    InvestorProfile,
    ReportingYear,
    Role,
    SavedSearch,
    Shortlist,
    ShortlistEntry,
    YearlyReturn,
)
from tests.backoffice.helpers import business_firm
from tests.conftest import concurrent_write, csrf_token, login_as, make_user
from tests.investors.conftest import BUSINESS, published_firms, user

CURATOR = "curator@demo.cnmt.vn"


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture(autouse=True)
def request_context(seeded_app):
    with seeded_app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def investor(seeded_app):
    return make_user("race-investor@example.vn", Role.INVESTOR)


def test_saving_a_first_investor_profile_twice_at_once(investor):
    data = {"organisation": "Quỹ Xanh", "investor_type": "fund", "groups": ["NT"]}
    with (
        concurrent_write(
            InvestorProfile(user_id=investor.id, organisation="Other tab", investor_type="fund")
        ) as fired,
        pytest.raises(ValidationError),
    ):
        investors.save_profile(investor, data)
    assert fired
    assert count(InvestorProfile, InvestorProfile.user_id == investor.id) == 1


def test_adding_a_firm_to_a_list_twice_at_once(investor):
    firm = published_firms()[0]
    shortlist = investors.create_shortlist(investor, "Nước thải")
    with (
        concurrent_write(ShortlistEntry(shortlist_id=shortlist.id, firm_id=firm.id)) as fired,
        pytest.raises(ValidationError, match="already on that list"),
    ):
        investors.add_to_shortlist(investor, firm.id, shortlist_id=shortlist.id)
    assert fired
    assert count(ShortlistEntry, ShortlistEntry.shortlist_id == shortlist.id) == 1


def test_creating_a_list_with_a_name_taken_at_once(investor):
    with (
        concurrent_write(Shortlist(owner_id=investor.id, name="Nước thải")) as fired,
        pytest.raises(ValidationError, match="already have a list"),
    ):
        investors.create_shortlist(investor, "Nước thải")
    assert fired
    assert count(Shortlist, Shortlist.owner_id == investor.id) == 1


def test_registering_interest_twice_at_once(seeded_app):
    owner = user(BUSINESS)
    firm = business_firm(BUSINESS)
    zone_id = db.session.scalar(sa.text("select id from zone order by id limit 1"))
    other = Interest(firm_id=firm.id, target_kind="zone", target_id=zone_id, author_id=owner.id)
    with (
        concurrent_write(other) as fired,
        pytest.raises(ValidationError, match="already registered interest"),
    ):
        interests.register_interest(owner, firm, "zone", zone_id, "Chúng tôi quan tâm")
    assert fired
    assert count(Interest, Interest.firm_id == firm.id, Interest.target_id == zone_id) == 1


def test_opening_a_reporting_year_twice_at_once(seeded_app):
    curator = user(CURATOR)
    year = clock.today().year - 1
    deadline = clock.today() + timedelta(days=30)
    with (
        concurrent_write(ReportingYear(year=year, deadline=deadline)) as fired,
        pytest.raises(ValidationError),
    ):
        returns.open_reporting_year(curator, year, deadline)
    assert fired
    assert count(ReportingYear, ReportingYear.year == year) == 1


def test_saving_a_first_return_from_two_tabs_at_once(seeded_app):
    curator, owner = user(CURATOR), user(BUSINESS)
    year = clock.today().year - 1
    reporting_year = returns.open_reporting_year(curator, year, clock.today() + timedelta(days=30))
    firm = business_firm(BUSINESS)
    db.session.execute(sa.delete(YearlyReturn).where(YearlyReturn.firm_id == firm.id))
    db.session.commit()
    data = {"revenue_vnd": 2_000_000_000, "insured_employees": 8, "workforce_needs": []}
    other = YearlyReturn(firm_id=firm.id, reporting_year_id=reporting_year.id)
    with concurrent_write(other) as fired, pytest.raises(ValidationError):
        returns.save_return(owner, firm.id, year, data, submit=False)
    assert fired
    assert count(YearlyReturn, YearlyReturn.firm_id == firm.id) == 1
    assert db.session.get(Firm, firm.id).status == FirmStatus.PUBLISHED


# Concurrent edits: another client saves the same record between this action's read and its
# write. The record's version has moved on, so the write is refused as a Conflict (nothing of
# it saved) and the other client's change stays.


def edit(model, record_id: int, **values):
    def change(session):
        record = session.get(model, record_id)
        for name, value in values.items():
            setattr(record, name, value)

    return change


def test_two_firm_members_answer_an_introduction_at_once(investor):
    owner = user(BUSINESS)
    firm = business_firm(BUSINESS)
    asked = introductions.request_introduction(investor, firm.id, "Quỹ muốn tìm hiểu dự án.")
    db.session.commit()
    declined = edit(IntroductionRequest, asked.id, state=IntroductionState.DECLINED)
    with concurrent_write(declined) as fired, pytest.raises(Conflict):
        introductions.answer_introduction(owner, asked.id, accept=True)
    assert fired
    db.session.expire_all()
    assert db.session.get(IntroductionRequest, asked.id).state == IntroductionState.DECLINED


def test_two_curators_follow_up_an_interest_at_once(seeded_app):
    owner, curator = user(BUSINESS), user(CURATOR)
    firm = business_firm(BUSINESS)
    incubator_id = db.session.scalar(sa.select(Incubator.id).order_by(Incubator.id))
    interest = interests.register_interest(owner, firm, "incubator", incubator_id, "Quan tâm")
    db.session.commit()
    declined = edit(Interest, interest.id, status=InterestStatus.NOT_SUPPORTED)
    with concurrent_write(declined) as fired, pytest.raises(Conflict):
        interests.set_interest_status(curator, interest.id, InterestStatus.CONTACTED.value)
    assert fired
    db.session.expire_all()
    assert db.session.get(Interest, interest.id).status == InterestStatus.NOT_SUPPORTED


def test_an_investor_profile_saved_from_two_tabs_at_once(investor):
    data = {"organisation": "Quỹ Xanh", "investor_type": "fund", "groups": ["NT"]}
    profile = investors.save_profile(investor, data)
    renamed = edit(InvestorProfile, profile.id, organisation="Tab khác")
    with concurrent_write(renamed) as fired, pytest.raises(Conflict):
        investors.save_profile(investor, {**data, "organisation": "Quỹ Xanh Mới"})
    assert fired
    db.session.expire_all()
    assert db.session.get(InvestorProfile, profile.id).organisation == "Tab khác"


def test_alerts_changed_from_two_tabs_at_once(investor):
    search = investors.save_search(investor, "Nước thải", {"q": ["nước thải"]}, "off")
    weekly = edit(SavedSearch, search.id, frequency=AlertFrequency.WEEKLY)
    with concurrent_write(weekly) as fired, pytest.raises(Conflict):
        investors.set_alert_frequency(investor, search.id, AlertFrequency.DAILY.value)
    assert fired
    db.session.expire_all()
    assert db.session.get(SavedSearch, search.id).frequency == AlertFrequency.WEEKLY


def test_a_return_saved_from_two_tabs_at_once(seeded_app):
    curator, owner = user(CURATOR), user(BUSINESS)
    year = clock.today().year - 1
    returns.open_reporting_year(curator, year, clock.today() + timedelta(days=30))
    firm = business_firm(BUSINESS)
    data = {"revenue_vnd": 2_000_000_000, "insured_employees": 8, "workforce_needs": []}
    saved = returns.save_return(owner, firm.id, year, data, submit=False)
    other_tab = edit(YearlyReturn, saved.id, revenue_vnd=3_000_000_000)
    with concurrent_write(other_tab) as fired, pytest.raises(Conflict):
        returns.save_return(owner, firm.id, year, {**data, "revenue_vnd": 5}, submit=False)
    assert fired
    db.session.expire_all()
    assert db.session.get(YearlyReturn, saved.id).revenue_vnd == 3_000_000_000


def test_the_profile_page_keeps_what_was_typed_when_another_tab_saved_first(client, investor):
    data = {"organisation": "Quỹ Xanh", "investor_type": "fund", "groups": ["NT"]}
    profile = investors.save_profile(investor, data)
    db.session.commit()
    login_as(client, investor)
    token = csrf_token(client, "/investor/profile")
    renamed = edit(InvestorProfile, profile.id, organisation="Tab khác")
    with concurrent_write(renamed):
        response = client.post(
            "/investor/profile?lang=en",
            data={"csrf_token": token, "organisation": "Quỹ Xanh Mới", "investor_type": "fund"},
        )
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 409)
    assert "Someone else" in html and 'value="Quỹ Xanh Mới"' in html
