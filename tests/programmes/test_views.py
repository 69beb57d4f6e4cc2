"""Programme pages lead somewhere: filters on the list, and on a programme the eligibility of
the viewer's firms (from the matching engine), registering interest and how to apply."""

import re
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.matching.service import match_firm
from app.models import Firm, Interest, Programme, Role, User
from tests.conftest import login_as, make_user

DEMO_BUSINESS = "business@demo.cnmt.vn"


def listed(html: str) -> set[str]:
    return set(re.findall(r'<h3><a href="/programmes/([a-z0-9-]+)"', html))


def public_programmes() -> list[Programme]:
    return [p for p in db.session.scalars(sa.select(Programme)) if p.is_public]


def demo_business() -> User:
    return db.session.scalar(sa.select(User).where(User.email == DEMO_BUSINESS))


def open_programme() -> Programme:
    today = date.today()
    return next(p for p in public_programmes() if p.status_on(today) == "open")


def test_programme_list_filters_by_status_agency_and_kind_of_support(client):
    today = date.today()
    wanted = {
        p.slug
        for p in public_programmes()
        if p.status_on(today) == "open"
        and p.agency.code == "SKHCN"
        and "consulting" in p.support_types
    }
    assert wanted

    html = client.get("/programmes?status=open&agency=SKHCN&support=consulting").get_data(
        as_text=True
    )

    assert listed(html) == wanted
    assert 'id="forecast"' not in html and 'id="closed"' not in html


def test_programme_filters_that_name_nothing_are_ignored(client):
    response = client.get("/programmes?status=archived&agency=NOPE&support=%00")

    assert response.status_code == 200
    assert listed(response.get_data(as_text=True)) == {p.slug for p in public_programmes()}


def test_programme_list_links_to_the_programme_search_facets(client):
    html = client.get("/programmes").get_data(as_text=True)

    assert 'href="/search?kind=programme"' in html


def test_visitor_is_asked_to_log_in_and_comes_back_to_the_programme(client):
    programme = open_programme()

    html = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)

    assert f'<a class="button" href="/login?next=/programmes/{programme.slug}">' in html
    assert 'action="/my/firms/' not in html


def test_business_sees_its_firms_eligibility_as_the_matching_engine_judges_it(client):
    login_as(client, demo_business())
    firm = db.session.scalar(sa.select(Firm).where(Firm.tax_code == "4398388232"))
    for programme in public_programmes():
        [match] = [m for m in match_firm(firm.id)["programme"] if m.id == programme.id]
        verdict = {
            "eligible": "đáp ứng mọi điều kiện bắt buộc",
            "ineligible": "chưa đáp ứng một điều kiện bắt buộc",
            "closed": "không nhận hồ sơ",
        }[match.section]

        html = client.get(f"/programmes/{programme.slug}").get_data(as_text=True)

        check = html[html.index('class="eligibility-check"') :]
        check = check[: check.index("</article>")]
        assert firm.display_name in check
        assert verdict in check, programme.slug
        assert check.count('<li class="reason reason-') == len(match.reasons)


def test_business_registers_interest_from_the_programme_page(client):
    login_as(client, demo_business())
    programme = open_programme()
    url = f"/programmes/{programme.slug}"
    html = client.get(url).get_data(as_text=True)
    action = re.search(r'action="(/my/firms/\d+/interest)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    client.post(
        action,
        data={
            "csrf_token": token,
            "target_kind": "programme",
            "target_id": str(programme.id),
            "message": "Chúng tôi muốn vay vốn đầu tư dây chuyền mới.",
        },
    )

    interest = db.session.scalar(sa.select(Interest).where(Interest.target_id == programme.id))
    assert interest is not None and interest.target_kind == "programme"
    assert "Bạn đã đăng ký quan tâm" in client.get(url).get_data(as_text=True)


def test_business_without_a_firm_is_asked_to_list_one(client):
    login_as(client, make_user("moi@example.vn", Role.BUSINESS))

    html = client.get(f"/programmes/{open_programme().slug}").get_data(as_text=True)

    assert 'href="/my/firms/new"' in html


def test_how_to_apply_gives_the_programmes_own_dates_link_and_contact(client):
    programme = open_programme()
    programme.official_url = "https://example.gov.vn/goi-ho-tro"
    programme.contact = "Phòng Quản lý công nghiệp, 0255 3822 000"
    db.session.commit()

    html = client.get(f"/programmes/{programme.slug}?lang=en").get_data(as_text=True)

    steps = html[html.index("How to apply") :]
    steps = steps[: steps.index("</ul>")]
    assert 'href="https://example.gov.vn/goi-ho-tro"' in steps
    assert "Phòng Quản lý công nghiệp, 0255 3822 000" in steps
    assert programme.agency.name_en in steps or programme.agency.name_vi in steps
