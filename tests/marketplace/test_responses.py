"""Answers to requests: contacts are shared only on acceptance, to both sides; a deal is
reported once; who may answer and decide; the funnel curators see."""

import pytest

from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.marketplace import responses
from app.models import ResponseState
from tests.conftest import csrf_token, login_as, make_user
from tests.marketplace.conftest import INVESTOR, clear_mail, mails, own_firm, published, user

PROPOSAL = "Chúng tôi cung cấp mô-đun màng UF/RO 300 m³/ngày, lắp đặt trong 6 tuần."


@pytest.fixture
def request_(business, curator):
    return published(business, curator)


@pytest.fixture
def answer(request_, supplier):
    return responses.respond(supplier, request_.id, own_firm(supplier).id, PROPOSAL)


def test_an_answer_mails_the_requester_without_the_suppliers_contacts(
    client, request_, supplier, business
):
    clear_mail()
    responses.respond(supplier, request_.id, own_firm(supplier).id, PROPOSAL)
    [message] = mails()
    assert message["To"] == business.email
    assert f"http://cnmt.test/marketplace/{request_.id}" in message.get_content()

    login_as(client, business)
    html = client.get(f"/marketplace/{request_.id}?lang=en").get_data(as_text=True)
    assert PROPOSAL in html
    assert supplier.email not in html and "banhang@nhacungcap" not in html


def test_accepting_shows_each_side_the_others_contacts(
    client, request_, answer, business, supplier
):
    login_as(client, business)
    page = f"/marketplace/{request_.id}?lang=en"
    data = {"csrf_token": csrf_token(client, page), "version": str(answer.version)}
    assert client.post(f"/marketplace/answers/{answer.id}/accept", data=data).status_code == 302

    html = client.get(page).get_data(as_text=True)
    assert supplier.email in html and "banhang@nhacungcap.example.vn" in html
    login_as(client, supplier)
    html = client.get(page).get_data(as_text=True)
    assert business.email in html


def test_the_supplier_sees_no_contacts_before_acceptance(
    client, request_, answer, business, supplier
):
    login_as(client, supplier)
    html = client.get(f"/marketplace/{request_.id}?lang=en").get_data(as_text=True)
    assert business.email not in html
    assert "shown here if they accept" in html


def test_a_decided_answer_cannot_be_decided_again(request_, answer, business):
    responses.decide(business, answer.id, "shortlist", answer.version)
    assert answer.state == ResponseState.SHORTLISTED
    responses.decide(business, answer.id, "decline", answer.version)
    with pytest.raises(Conflict):
        responses.decide(business, answer.id, "accept", answer.version)


def test_a_stale_decision_is_a_conflict(request_, answer, business):
    seen = answer.version
    responses.decide(business, answer.id, "shortlist", seen)
    with pytest.raises(Conflict):
        responses.decide(business, answer.id, "accept", seen)


def test_only_the_requesting_firm_decides(request_, answer, supplier):
    with pytest.raises(NotFound):
        responses.decide(supplier, answer.id, "accept", answer.version)
    with pytest.raises(NotFound):
        responses.decide(user(INVESTOR), answer.id, "accept", answer.version)


def test_who_may_answer(request_, business, supplier):
    with pytest.raises(ValidationError):  # its own request
        responses.respond(business, request_.id, own_firm(business).id, PROPOSAL)
    with pytest.raises(Forbidden):  # a firm one does not manage
        responses.respond(
            make_user("nguoi-la@example.vn"), request_.id, own_firm(supplier).id, PROPOSAL
        )
    with pytest.raises(ValidationError):  # too short
        responses.respond(supplier, request_.id, own_firm(supplier).id, "Có")
    responses.respond(supplier, request_.id, own_firm(supplier).id, PROPOSAL)
    with pytest.raises(ValidationError):  # twice
        responses.respond(supplier, request_.id, own_firm(supplier).id, PROPOSAL)


def test_a_deal_is_reported_once_and_counts_in_the_funnel(
    request_, answer, business, supplier, curator
):
    with pytest.raises(Forbidden):
        responses.report_deal(supplier, answer.id)  # not accepted yet
    responses.decide(business, answer.id, "accept", answer.version)
    responses.report_deal(supplier, answer.id)
    with pytest.raises(Conflict):
        responses.report_deal(business, answer.id)
    total, months = responses.funnel(curator)
    # The seeded sample requests count as published requests too.
    assert (total.answers, total.accepted, total.deals) == (1, 1, 1)
    assert total.requests >= 1 and sum(row.requests for row in months.values()) == total.requests
    with pytest.raises(Forbidden):
        responses.funnel(business)


def test_the_funnel_is_on_the_statistics_page_for_curators(client, request_, answer, curator):
    login_as(client, curator)
    html = client.get("/statistics?lang=en").get_data(as_text=True)
    assert "Technology marketplace" in html and "Deals reported" in html
