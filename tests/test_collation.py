"""Names sort in Vietnamese alphabetical order, the same on SQLite and PostgreSQL."""

import sqlalchemy as sa

from app.domain.text import vietnamese_sort_key
from app.extensions import db
from app.models import Agency, Firm
from app.models.base import by_name

# In order: punctuation and digits first, then the Vietnamese alphabet (ă, â after a; đ after
# d; ê after e; ô, ơ after o; ư after u), tones breaking ties (none, huyền, hỏi, ngã, sắc,
# nặng), then lower case before upper case.
IN_ORDER = [
    "(Dự án) Xanh",
    "1 Thành viên",
    "An Phú",
    "Ăn Khang",
    "Âu Lạc",
    "ba",
    "bà",
    "bả",
    "bã",
    "Bá",
    "bạ",
    "Bình Sơn",
    "Dung Quất",
    "Đà Nẵng",
    "Đức Phổ",
    "Ê Đê",
    "Ô Môn",
    "Ơn Trời",
    "Uyên",
    "Ưu Việt",
    "Zeta",
]


def test_names_sort_in_vietnamese_alphabetical_order(app):
    for number, name in enumerate(reversed(IN_ORDER)):
        db.session.add(Agency(code=f"A{number}", name_vi=name))
    db.session.commit()

    found = db.session.scalars(sa.select(Agency.name_vi).order_by(by_name(Agency.name_vi)))

    assert list(found) == IN_ORDER
    assert sorted(IN_ORDER, key=vietnamese_sort_key) == IN_ORDER


def test_the_database_and_python_agree_on_every_seeded_firm_name(seeded_app):
    names = list(db.session.scalars(sa.select(Firm.legal_name).order_by(by_name(Firm.legal_name))))

    assert names == sorted(names, key=vietnamese_sort_key)
