"""Shortlists: adding firms from discovery and from a firm's page, private notes, privacy
between investors, and exports that open in a spreadsheet."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from app.investors.service import MAX_FIRMS_PER_SHORTLIST, MAX_SHORTLISTS
from app.models import Firm, FirmStatus, Role, Shortlist, ShortlistEntry
from tests.conftest import csrf_token, login_as, make_user
from tests.investors.conftest import published_firms


def add(client, firm: Firm, page: str, **fields):
    token = csrf_token(client, page)
    data = {f"firm{firm.id}-{name}": value for name, value in fields.items()}
    data[f"firm{firm.id}-csrf_token"] = token
    data["next"] = page
    return client.post(f"/investor/firms/{firm.id}/shortlist", data=data)


def action_token(client, url: str) -> str:
    return csrf_token(client, url)


@pytest.fixture
def listed(client, investor):
    """A list "Water" holding two published firms, added from discovery and from a firm page."""
    login_as(client, investor)
    first, second = published_firms()[:2]
    assert add(client, first, "/investor/firms", new_name="Water").status_code == 302
    shortlist = db.session.scalar(sa.select(Shortlist).where(Shortlist.owner_id == investor.id))
    page = f"/firms/{second.slug}"
    assert add(client, second, page, shortlist_id=str(shortlist.id)).status_code == 302
    return shortlist, first, second


def test_firms_are_added_from_discovery_and_from_the_firm_page(client, listed):
    shortlist, first, second = listed
    firm_ids = db.session.scalars(
        sa.select(ShortlistEntry.firm_id).where(ShortlistEntry.shortlist_id == shortlist.id)
    ).all()
    assert sorted(firm_ids) == sorted([first.id, second.id])
    html = client.get(f"/firms/{second.slug}?lang=en").get_data(as_text=True)
    assert "On your lists:" in html and "Water" in html


def test_adding_twice_is_refused_politely(client, listed):
    shortlist, first, _second = listed
    add(client, first, "/investor/firms", shortlist_id=str(shortlist.id))
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(ShortlistEntry.shortlist_id == shortlist.id)
        )
        == 2
    )


def test_unpublished_firms_cannot_be_added(client, investor):
    login_as(client, investor)
    draft = db.session.scalar(sa.select(Firm).where(Firm.status == FirmStatus.DRAFT))
    page = "/investor/firms"
    data = {
        f"firm{draft.id}-new_name": "Drafts",
        f"firm{draft.id}-csrf_token": csrf_token(client, page),
    }
    assert client.post(f"/investor/firms/{draft.id}/shortlist", data=data).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shortlist)) == 0


def test_note_and_removal(client, listed):
    shortlist, first, second = listed
    url = f"/investor/shortlists/{shortlist.id}"
    client.post(
        f"{url}/firms/{first.id}/note",
        data={"csrf_token": csrf_token(client, url), "note": "Gặp ở hội chợ; hỏi về MBBR."},
    )
    assert "Gặp ở hội chợ; hỏi về MBBR." in client.get(url).get_data(as_text=True)
    client.post(f"{url}/firms/{second.id}/remove", data={"csrf_token": csrf_token(client, url)})
    entries = db.session.scalars(
        sa.select(ShortlistEntry).where(ShortlistEntry.shortlist_id == shortlist.id)
    ).all()
    assert [(e.firm_id, e.note) for e in entries] == [(first.id, "Gặp ở hội chợ; hỏi về MBBR.")]


def test_another_investor_cannot_see_or_change_the_list(client, listed):
    shortlist, first, _second = listed
    url = f"/investor/shortlists/{shortlist.id}"
    client.post(
        f"{url}/firms/{first.id}/note",
        data={"csrf_token": csrf_token(client, url), "note": "secret plan"},
    )
    login_as(client, make_user("other@fund.example", Role.INVESTOR))
    token = csrf_token(client, "/investor/shortlists")
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/export.csv").status_code == 404
    assert client.get(f"{url}/export.xlsx").status_code == 404
    assert (
        client.post(
            f"{url}/firms/{first.id}/note", data={"csrf_token": token, "note": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"{url}/firms/{first.id}/remove", data={"csrf_token": token}).status_code == 404
    )
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 404
    data = {f"firm{first.id}-shortlist_id": str(shortlist.id), f"firm{first.id}-csrf_token": token}
    client.post(f"/investor/firms/{first.id}/shortlist", data=data)
    assert "secret plan" not in client.get("/investor/shortlists").get_data(as_text=True)
    assert client.get("/investor/shortlists/999999").status_code == 404
    db.session.expire_all()
    assert len(db.session.get(Shortlist, shortlist.id).entries) == 2
    assert db.session.get(Shortlist, shortlist.id).entries[0].note == "secret plan"


def test_csv_export_has_the_public_facts(client, listed):
    shortlist, first, second = listed
    response = client.get(f"/investor/shortlists/{shortlist.id}/export.csv?lang=en")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Tax code", "Size"]
    assert [row[1] for row in rows[1:]] == [first.tax_code_display, second.tax_code_display]
    assert rows[1][0] == first.display_name
    assert rows[1][11].endswith(f"/firms/{first.slug}")


def test_csv_export_is_streamed_and_rate_limited(client, listed):
    shortlist, _first, _second = listed
    url = f"/investor/shortlists/{shortlist.id}/export.csv"
    response = client.get(url)
    assert response.content_length is None
    assert len([chunk for chunk in response.response if chunk]) > 1
    statuses = [client.get(url).status_code for _ in range(30)]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_xlsx_export_opens_in_openpyxl(client, listed):
    shortlist, first, second = listed
    db.session.execute(
        sa.update(Firm).where(Firm.id == first.id).values(trade_name='=HYPERLINK("x")')
    )
    db.session.commit()
    response = client.get(f"/investor/shortlists/{shortlist.id}/export.xlsx?lang=en")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Name"
    assert len(rows) == 3
    assert rows[1][0] == '\'=HYPERLINK("x")'  # shown as text, never run as a formula
    assert rows[2][1] == second.tax_code_display
    assert rows[2][8] == second.investment_min_vnd


def test_an_investor_keeps_a_bounded_number_of_lists(client, investor):
    login_as(client, investor)
    db.session.add_all(
        Shortlist(owner_id=investor.id, name=f"Danh sách {n}") for n in range(MAX_SHORTLISTS)
    )
    db.session.commit()
    token = csrf_token(client, "/investor/shortlists")

    created = client.post("/investor/shortlists?lang=en", data={"csrf_token": token, "name": "+1"})
    added = add(client, published_firms()[0], "/investor/firms", new_name="+2")

    assert created.status_code == 400
    assert f"You can keep up to {MAX_SHORTLISTS} lists" in created.get_data(as_text=True)
    assert added.status_code == 302
    count = sa.select(sa.func.count()).where(Shortlist.owner_id == investor.id)
    assert db.session.scalar(count) == MAX_SHORTLISTS


def test_a_list_holds_a_bounded_number_of_firms(client, investor):
    login_as(client, investor)
    full = Shortlist(owner_id=investor.id, name="Đầy")
    db.session.add(full)
    db.session.commit()
    fillers = db.session.scalars(
        sa.insert(Firm).returning(Firm.id),
        [
            {"tax_code": f"99{n:08d}", "slug": f"filler-{n}", "legal_name": f"Filler {n}"}
            for n in range(MAX_FIRMS_PER_SHORTLIST)
        ],
    ).all()
    db.session.execute(
        sa.insert(ShortlistEntry), [{"shortlist_id": full.id, "firm_id": i} for i in fillers]
    )
    db.session.commit()
    firm = published_firms()[0]
    token = csrf_token(client, "/investor/firms")

    response = client.post(
        f"/investor/firms/{firm.id}/shortlist?lang=en",
        data={f"firm{firm.id}-csrf_token": token, f"firm{firm.id}-shortlist_id": str(full.id)},
        follow_redirects=True,
    )

    assert f"A list can hold up to {MAX_FIRMS_PER_SHORTLIST} firms" in response.get_data(
        as_text=True
    )
    count = sa.select(sa.func.count()).where(ShortlistEntry.shortlist_id == full.id)
    assert db.session.scalar(count) == MAX_FIRMS_PER_SHORTLIST
