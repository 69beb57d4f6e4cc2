"""The event pages: the list and an event, registering as a guest (errors shown on the form,
in the visitor's language, what was typed kept) and by one click, the pages behind the signed
links (opening one changes nothing until its button is pressed), the rate limit on guests, the
home page's sections, the sitemap and the statistics page."""

import sqlalchemy as sa

from app.events import registration, service
from app.extensions import db
from app.models import EventRegistration
from tests.conftest import csrf_token, login_as, make_user
from tests.events.helpers import event_data, link_in, mails_to, published_event


def count_registrations() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(EventRegistration))


def test_bad_guest_input_shows_on_the_form_in_the_visitors_language(app, world):
    event = published_event(world["sct"])
    client = app.test_client()
    page = f"/events/{event.slug}?lang=en"
    response = client.post(
        f"/events/{event.slug}/register/guest",
        data={
            "csrf_token": csrf_token(client, page),
            "name": "Trần Thị B",
            "email": "khong-hop-le",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in html
    assert 'value="Trần Thị B"' in html
    client.get(f"/events/{event.slug}?lang=vi")
    response = client.post(
        f"/events/{event.slug}/register/guest",
        data={
            "csrf_token": csrf_token(client, f"/events/{event.slug}?lang=vi"),
            "name": "",
            "email": "x",
        },
    )
    assert response.status_code == 400 and "Vui lòng điền trường này." in response.get_data(
        as_text=True
    )
    assert count_registrations() == 0


def test_a_guest_registers_and_confirms_through_the_link_page(app, world):
    event = published_event(world["sct"])
    client = app.test_client()
    response = client.post(
        f"/events/{event.slug}/register/guest",
        data={
            "csrf_token": csrf_token(client, f"/events/{event.slug}"),
            "name": "Lê Văn C",
            "organisation": "Hợp tác xã Sạch",
            "email": "le.van.c@example.vn",
        },
    )
    assert response.status_code == 302
    confirm = link_in(mails_to(app, "le.van.c@example.vn")[-1], "confirm")
    opened = client.get(confirm)
    assert opened.status_code == 200 and "Lê Văn C" in opened.get_data(as_text=True)
    assert registration.registration_for(event.id, "le.van.c@example.vn").status == "pending"
    pressed = client.post(confirm, data={"csrf_token": csrf_token(client, confirm)})
    assert pressed.status_code == 302
    db.session.expire_all()
    assert registration.registration_for(event.id, "le.van.c@example.vn").status == "confirmed"
    assert client.get(confirm).status_code == 404  # used


def test_a_forged_link_page_is_not_found(app, world):
    event = published_event(world["sct"])
    registration.register_guest(event.id, {"name": "A", "email": "a@example.vn"})
    client = app.test_client()
    for path in ("/events/registrations/1/confirm/abc", "/events/registrations/1/cancel/abc.def"):
        assert client.get(path).status_code == 404


def test_a_signed_in_person_registers_in_one_click_and_cancels_after_confirming(app, world):
    event = published_event(world["sct"], capacity=1)
    person = make_user("mot-cham@example.vn", name="Phạm D")
    client = app.test_client()
    login_as(client, person)
    page = f"/events/{event.slug}"
    client.post(f"{page}/register", data={"csrf_token": csrf_token(client, page)})
    assert "Cancel my registration" in client.get(page + "?lang=en").get_data(as_text=True)
    token = csrf_token(client, page)
    asked = client.post(f"{page}/cancel", data={"csrf_token": token})
    assert asked.status_code == 200 and count_registrations() == 1
    assert registration.registration_for(event.id, person.email).status == "confirmed"
    client.post(f"{page}/cancel", data={"csrf_token": token, "confirm": "yes"})
    db.session.expire_all()
    assert registration.registration_for(event.id, person.email).status == "cancelled"


def test_guest_registrations_are_rate_limited(app, world):
    event = published_event(world["sct"])
    client = app.test_client()
    token = csrf_token(client, f"/events/{event.slug}")
    codes = [
        client.post(
            f"/events/{event.slug}/register/guest",
            data={"csrf_token": token, "name": "A", "email": f"a{n}@example.vn"},
        ).status_code
        for n in range(7)
    ]
    assert codes[:5] == [302] * 5 and codes[-1] == 429


def test_the_home_page_shows_upcoming_events_and_open_programmes(app, world):
    event = published_event(world["sct"], title_vi="Hội chợ sắp tới")
    service.create_event(world["sct"], event_data(title_vi="Bản nháp bí mật"))
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Hội chợ sắp tới" in html and f"/events/{event.slug}" in html
    assert "Bản nháp bí mật" not in html
    assert 'id="home-programmes-title"' in html


def test_the_list_sitemap_and_statistics_show_public_events_only(app, world):
    event = published_event(world["sct"], title_vi="Hội thảo công khai", capacity=1)
    draft = service.create_event(world["sct"], event_data(title_vi="Bản nháp"))
    registration.register_user(make_user("x@example.vn"), event.id)
    registration.register_user(make_user("y@example.vn"), event.id)
    client = app.test_client()
    listing = client.get("/events").get_data(as_text=True)
    assert "Hội thảo công khai" in listing and "Bản nháp" not in listing
    assert client.get(f"/events/{draft.slug}").status_code == 404
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/events/{event.slug}" in sitemap and draft.slug not in sitemap
    stats = client.get("/statistics").get_data(as_text=True)
    assert 'id="event-attendance"' in stats and "Hội thảo công khai" in stats
    by_kind = client.get("/statistics/events-attendance-by-kind.csv").get_data(as_text=True)
    assert "1" in by_kind
