"""One slug helper for every table: readable, unique, and blind to look-alike prefixes."""

from app.extensions import db
from app.models import Agency, Programme, Zone
from app.slugs import unique_slug


def add_programme(slug: str) -> None:
    agency = db.session.get(Agency, 1) or Agency(code="SCT", name_vi="Sở Công Thương")
    db.session.add(Programme(slug=slug, agency=agency, title_vi=slug))
    db.session.flush()


def test_a_taken_slug_gets_the_next_free_number(app):
    add_programme("quy-xanh")
    add_programme("quy-xanh-2")

    assert unique_slug(Programme, "Quỹ Xanh") == "quy-xanh-3"


def test_slugs_that_only_start_like_the_name_do_not_count(app):
    add_programme("quy-xanh-mien-trung")
    add_programme("quy_xanh")

    assert unique_slug(Programme, "Quỹ xanh!") == "quy-xanh"


def test_each_table_has_its_own_slugs(app):
    add_programme("kcn-moi")

    assert unique_slug(Zone, "KCN Mới") == "kcn-moi"


def test_a_bulk_caller_passes_the_slugs_in_use_and_gets_them_kept_up_to_date(app):
    taken = {"cong-ty-a"}

    first, second = unique_slug(Zone, "Công ty A", taken), unique_slug(Zone, "Công ty A", taken)

    assert (first, second) == ("cong-ty-a-2", "cong-ty-a-3")
    assert taken == {"cong-ty-a", "cong-ty-a-2", "cong-ty-a-3"}
