"""Deleting a shortlist or a saved search asks first, then only marks it deleted: it leaves the
pages and the alerts, and its owner alone can restore it, notes included, until it is purged."""

from datetime import timedelta

from app.extensions import db
from app.investors import service
from app.models import AlertFrequency, Role, SavedSearch, Shortlist
from app.models.base import utcnow
from tests.conftest import csrf_token, login_as, make_user
from tests.investors.conftest import published_firms
from tests.investors.test_alerts import mails, saved, send


def _list_with_notes(investor) -> Shortlist:
    shortlist = service.create_shortlist(investor, "Nước sạch")
    first, second = published_firms()[:2]
    service.add_to_shortlist(investor, first.id, shortlist.id)
    service.add_to_shortlist(investor, second.id, shortlist.id)
    service.save_note(investor, shortlist.id, first.id, "Gặp ở hội chợ; hỏi về MBBR.")
    return shortlist


def _post(client, url: str, page: str, **extra):
    return client.post(url + "?lang=en", data={"csrf_token": csrf_token(client, page), **extra})


def _deleted_at(model, record_id: int):
    db.session.expire_all()
    return db.session.get(model, record_id).deleted_at


def test_deleting_a_list_without_confirming_only_says_what_would_go(client, investor):
    shortlist = _list_with_notes(investor)
    login_as(client, investor)
    page = f"/investor/shortlists/{shortlist.id}"

    response = _post(client, f"{page}/delete", page)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Delete the list “Nước sạch”?" in html
    assert "It holds 2 firms." in html and "Your 1 private note on them goes with it." in html
    assert 'name="confirm" value="yes"' in html and 'class="button-danger"' in html
    assert _deleted_at(Shortlist, shortlist.id) is None


def test_a_confirmed_delete_hides_the_list_and_restore_brings_back_its_notes(client, investor):
    shortlist = _list_with_notes(investor)
    login_as(client, investor)
    page = f"/investor/shortlists/{shortlist.id}"

    response = _post(client, f"{page}/delete", page, confirm="yes")

    assert response.status_code == 302
    assert _deleted_at(Shortlist, shortlist.id) is not None
    assert client.get(page).status_code == 404
    assert [s.name for s in service.my_shortlists(investor)] == []
    lists = client.get("/investor/shortlists?lang=en").get_data(as_text=True)
    assert "Recently deleted" in lists and f"/investor/shortlists/{shortlist.id}/restore" in lists

    response = _post(client, f"{page}/restore", "/investor/shortlists")

    assert response.status_code == 302
    assert _deleted_at(Shortlist, shortlist.id) is None
    restored = service.get_my_shortlist(investor, shortlist.id)
    assert [e.note for e in restored.entries] == ["Gặp ở hội chợ; hỏi về MBBR.", None]
    assert "Gặp ở hội chợ" in client.get(page).get_data(as_text=True)


def test_another_investor_cannot_delete_or_restore_the_list(client, investor):
    shortlist = _list_with_notes(investor)
    login_as(client, make_user("khac@fund.example", Role.INVESTOR))
    token = csrf_token(client, "/investor/shortlists")
    url = f"/investor/shortlists/{shortlist.id}"

    refused = client.post(f"{url}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert refused.status_code == 404
    assert _deleted_at(Shortlist, shortlist.id) is None

    service.delete_shortlist(investor, shortlist.id)
    refused = client.post(f"{url}/restore", data={"csrf_token": token})
    assert refused.status_code == 404
    assert _deleted_at(Shortlist, shortlist.id) is not None


def test_a_forged_confirmation_without_the_csrf_token_does_nothing(client, investor):
    shortlist = _list_with_notes(investor)
    login_as(client, investor)

    response = client.post(f"/investor/shortlists/{shortlist.id}/delete", data={"confirm": "yes"})

    assert response.status_code == 400
    assert _deleted_at(Shortlist, shortlist.id) is None


def test_deleting_a_saved_search_asks_first_then_stops_its_alerts(
    seeded_app, client, runner, investor, quiet_firms
):
    search = saved(investor)
    login_as(client, investor)
    url = f"/investor/searches/{search.id}/delete"

    asked = _post(client, url, "/investor/searches").get_data(as_text=True)
    assert f"Delete the saved search “{search.name}”?" in asked
    assert "Its e-mail alerts stop." in asked
    assert _deleted_at(SavedSearch, search.id) is None

    _post(client, url, "/investor/searches", confirm="yes")

    assert _deleted_at(SavedSearch, search.id) is not None
    assert service.my_saved_searches(investor) == []
    page = client.get("/investor/searches?lang=en").get_data(as_text=True)
    assert "No saved searches yet" in page and "Recently deleted" in page
    assert "Sent 0" in send(runner)
    assert mails(seeded_app) == []


def test_a_restored_search_alerts_only_about_what_changes_after(seeded_app, client, investor):
    search = saved(investor, days_ago=10)
    service.delete_saved_search(investor, search.id)
    login_as(client, investor)

    _post(client, f"/investor/searches/{search.id}/restore", "/investor/searches")

    db.session.expire_all()
    restored = db.session.get(SavedSearch, search.id)
    assert restored.deleted_at is None and restored.frequency == AlertFrequency.DAILY
    assert restored.alerts_since > utcnow() - timedelta(days=1)


def test_another_investor_cannot_restore_a_saved_search(client, investor):
    search = saved(investor, "off")
    service.delete_saved_search(investor, search.id)
    login_as(client, make_user("khac@fund.example", Role.INVESTOR))

    response = _post(client, f"/investor/searches/{search.id}/restore", "/investor/shortlists")

    assert response.status_code == 404
    assert _deleted_at(SavedSearch, search.id) is not None


def test_lists_deleted_over_30_days_ago_are_purged_by_the_cron_command(runner, investor):
    old, recent = _list_with_notes(investor), service.create_shortlist(investor, "Gần đây")
    search = saved(investor, "off")
    for record in (old, recent, search):
        record.deleted_at = utcnow()
    old.deleted_at = search.deleted_at = utcnow() - timedelta(days=service.RESTORE_DAYS + 1)
    db.session.commit()

    result = runner.invoke(args=["alerts", "purge-deleted"])

    assert result.exit_code == 0, result.output
    assert "Removed 2" in result.output
    db.session.expire_all()
    assert db.session.get(Shortlist, old.id) is None
    assert db.session.get(SavedSearch, search.id) is None
    assert db.session.get(Shortlist, recent.id) is not None
    assert service.recently_deleted(investor, Shortlist) == [recent]


def test_a_recently_deleted_name_is_not_taken_silently(client, investor):
    shortlist = service.create_shortlist(investor, "Theo dõi")
    service.delete_shortlist(investor, shortlist.id)
    login_as(client, investor)

    response = _post(client, "/investor/shortlists", "/investor/shortlists", name="Theo dõi")

    assert response.status_code == 400
    assert "Something you deleted recently has this name" in response.get_data(as_text=True)


def test_at_the_limit_the_oldest_deleted_list_makes_room(investor):
    lists = [service.create_shortlist(investor, f"Danh sách {n}") for n in range(50)]
    assert len(lists) == service.MAX_SHORTLISTS
    service.delete_shortlist(investor, lists[0].id)

    service.create_shortlist(investor, "Mới")

    db.session.expire_all()
    assert db.session.get(Shortlist, lists[0].id) is None


def test_delete_buttons_are_styled_as_dangerous(client, investor):
    shortlist = _list_with_notes(investor)
    saved(investor, "off")
    login_as(client, investor)

    shortlist_page = client.get(f"/investor/shortlists/{shortlist.id}").get_data(as_text=True)
    searches_page = client.get("/investor/searches").get_data(as_text=True)

    assert 'class="button-danger">' in shortlist_page
    assert 'class="button-danger button-small"' in searches_page
