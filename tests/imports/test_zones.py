"""Zone imports follow the same rules as the zone form: no zone may lie inside itself, however
long the chain, whether the loop comes from the database, earlier rows of the file, or both."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Zone
from tests.imports.helpers import apply_checked, audit_count, csv_file, login_curator, upload
from tests.imports.test_dry_run import problems

HEADERS = ["slug", "name_vi", "kind", "status", "parent"]
OUTER, INNER = "kkt-dung-quat", "kkt-cua-khau-quoc-te-bo-y"  # two seeded zones, no parents


def zone(slug: str) -> Zone:
    db.session.expire_all()
    return db.session.scalar(sa.select(Zone).where(Zone.slug == slug))


def row(slug: str, parent: str) -> list[str]:
    """The zone as it is, placed inside `parent`."""
    record = zone(slug)
    return [slug, record.name_vi, str(record.kind), str(record.status), parent]


def parents() -> dict[str, str | None]:
    return {slug: zone(slug).parent and zone(slug).parent.slug for slug in (OUTER, INNER)}


def test_a_second_import_that_closes_a_loop_is_refused_in_the_dry_run(client):
    login_curator(client)
    upload(client, "zones", csv_file(HEADERS, [row(INNER, OUTER)]), apply=True)
    assert parents() == {OUTER: None, INNER: OUTER}

    response = upload(client, "zones", csv_file(HEADERS, [row(OUTER, INNER)]))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert problems(html) == {(2, "parent")}
    assert "A zone cannot lie inside itself." in html
    assert 'name="checked"' not in html


def test_two_rows_of_one_file_that_make_a_loop_are_refused_in_the_dry_run(client):
    login_curator(client)
    content = csv_file(HEADERS, [row(INNER, OUTER), row(OUTER, INNER)])

    response = upload(client, "zones", content)

    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == {(3, "parent")}
    assert parents() == {OUTER: None, INNER: None}


def test_applying_a_file_that_would_make_a_loop_saves_nothing_and_says_why(client):
    login_curator(client)
    content = csv_file(HEADERS, [row(INNER, OUTER), row(OUTER, INNER)])

    response = upload(client, "zones", content, apply=True)

    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == {(3, "parent")}
    assert parents() == {OUTER: None, INNER: None}
    assert audit_count("import.zones") == 0


def test_a_checked_file_that_would_now_make_a_loop_is_refused_when_applied(client):
    login_curator(client)
    checked = upload(client, "zones", csv_file(HEADERS, [row(OUTER, INNER)]))
    assert checked.status_code == 200
    upload(client, "zones", csv_file(HEADERS, [row(INNER, OUTER)]), apply=True)

    response = apply_checked(client, "zones", checked.get_data(as_text=True))

    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == {(2, "parent")}
    assert parents() == {OUTER: None, INNER: OUTER}
