"""An agency's curator (not a reviewer of listings) has pages of their own: a curation home and
a dashboard of their agency, and the firms that registered interest in their programmes; the
province's curator (Sở Công Thương) keeps the review queue and every figure. Neither sees what
another agency follows up."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, Interest, InterestStatus, Programme, User
from tests.conftest import login_as

AGENCY_CURATOR = "curator-khcn@demo.cnmt.vn"  # Sở Khoa học và Công nghệ
PROVINCE_CURATOR = "curator@demo.cnmt.vn"  # Sở Công Thương, which reviews listings


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def programme_of(agency_code: str) -> Programme:
    return db.session.scalar(
        sa.select(Programme)
        .where(Programme.agency.has(code=agency_code), Programme.public())
        .order_by(Programme.id)
    )


def firms(count: int) -> list[Firm]:
    return list(db.session.scalars(sa.select(Firm).order_by(Firm.id).limit(count)))


def interest(firm: Firm, programme: Programme, message: str) -> Interest:
    row = Interest(firm=firm, target_kind="programme", target_id=programme.id, message=message)
    db.session.add(row)
    db.session.commit()
    return row


def page(client, email: str, url: str):
    login_as(client, user(email))
    response = client.get(url, query_string={"lang": "en"})
    return response, response.get_data(as_text=True)


def test_agency_curator_opens_the_firm_that_registered_interest_in_their_programme(client):
    own_firm, other_firm = firms(2)
    interest(own_firm, programme_of("SKHCN"), "Xin liên hệ về chương trình KHCN.")
    interest(other_firm, programme_of("SCT"), "Xin liên hệ về khuyến công.")

    response, html = page(client, AGENCY_CURATOR, "/curation/interests")
    assert response.status_code == 200
    links = re.findall(r'href="(/curation/interests/firms/\d+)"', html)
    assert links == [f"/curation/interests/firms/{own_firm.id}"]
    assert "Xin liên hệ về khuyến công." not in html

    response, html = page(client, AGENCY_CURATOR, links[0])
    assert response.status_code == 200
    assert own_firm.display_name in html and "Xin liên hệ về chương trình KHCN." in html
    assert "/curation/firms/" not in html  # no link to the review page they may not open
    other_page = f"/curation/interests/firms/{other_firm.id}"
    assert page(client, AGENCY_CURATOR, other_page)[0].status_code == 404


def test_province_curator_opens_any_firm_and_sees_only_the_interest_they_follow_up(client):
    firm = firms(1)[0]
    interest(firm, programme_of("SKHCN"), "Xin liên hệ về chương trình KHCN.")
    interest(firm, programme_of("SCT"), "Xin liên hệ về khuyến công.")

    response, html = page(client, PROVINCE_CURATOR, f"/curation/interests/firms/{firm.id}")
    assert response.status_code == 200
    assert "Xin liên hệ về khuyến công." in html
    assert "Xin liên hệ về chương trình KHCN." not in html
    assert f'href="/curation/firms/{firm.id}"' in html  # a reviewer goes on to the review page


def test_businesses_and_investors_cannot_open_an_interested_firm(client):
    firm = firms(1)[0]
    interest(firm, programme_of("SKHCN"), "Xin liên hệ.")
    for email in ("business@demo.cnmt.vn", "investor@demo.cnmt.vn"):
        assert page(client, email, f"/curation/interests/firms/{firm.id}")[0].status_code == 404


def test_agency_curator_gets_a_home_of_their_agency_instead_of_the_review_queue(client):
    firm = firms(1)[0]
    interest(firm, programme_of("SKHCN"), "Xin liên hệ.")
    contacted = interest(firms(2)[1], programme_of("SKHCN"), "Đã liên hệ.")
    contacted.status = InterestStatus.CONTACTED
    interest(firm, programme_of("SCT"), "Khuyến công.")
    db.session.commit()
    own = db.session.scalars(sa.select(Programme).where(Programme.agency.has(code="SKHCN"))).all()

    response, html = page(client, AGENCY_CURATOR, "/curation/")
    assert response.status_code == 200
    assert "Sở Khoa học và Công nghệ" in html
    assert "1 new registration to follow up" in html and "2 in all" in html
    shown = sum(
        int(n)
        for n in re.findall(
            r"<dd>(\d+)</dd>", html.split('id="programmes"')[1].split("</section>")[0]
        )
    )
    assert shown == len(own)
    assert "/curation/bulk-approve" not in html


def test_province_curator_still_gets_the_review_queue(client):
    response, html = page(client, PROVINCE_CURATOR, "/curation/")
    assert response.status_code == 200
    assert "/curation/bulk-approve" in html


def test_agency_curator_dashboard_shows_their_agency_only(client):
    interest(firms(1)[0], programme_of("SKHCN"), "Xin liên hệ.")
    for other in firms(3)[1:]:
        interest(other, programme_of("SCT"), "Khuyến công.")

    response, html = page(client, AGENCY_CURATOR, "/curation/dashboard")
    assert response.status_code == 200
    assert 'id="agency-programmes-by-state"' in html
    figure = html.split('id="agency-interests-by-status"')[1].split("</section>")[0]
    assert re.search(r'<tfoot>.*data-value="1"', figure, re.S)
    assert 'id="workforce-by-skill"' not in html and 'id="interests-by-status"' not in html
    csv = client.get("/statistics/agency-interests-by-status.csv").get_data(as_text=True)
    assert csv.strip().splitlines()[-1].endswith(",1")
    assert client.get("/statistics/workforce-by-skill.csv").status_code == 403


def test_province_curator_dashboard_keeps_every_figure(client):
    response, html = page(client, PROVINCE_CURATOR, "/curation/dashboard")
    assert response.status_code == 200
    assert 'id="workforce-by-skill"' in html and 'id="interests-by-status"' in html


def test_businesses_get_no_curation_home_nor_dashboard(client):
    for url in ("/curation/", "/curation/dashboard"):
        assert page(client, "business@demo.cnmt.vn", url)[0].status_code == 403


def test_every_curation_link_on_the_agency_curators_pages_opens(client):
    interest(firms(1)[0], programme_of("SKHCN"), "Xin liên hệ.")
    login_as(client, user(AGENCY_CURATOR))
    for start in ("/curation/", "/curation/dashboard", "/curation/interests"):
        html = client.get(start).get_data(as_text=True)
        for link in sorted(set(re.findall(r'href="(/(?:curation|statistics)[^"#?]*)"', html))):
            assert client.get(link).status_code == 200, f"{start} → {link}"
