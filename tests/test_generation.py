"""The data generation moves with every committed change to directory data, and only then."""

import sqlalchemy as sa

from app.extensions import db
from app.firms.self_service import current_content, pending_revision, update_firm
from app.generation import current_generation
from app.models import CatalogueItem, Firm, FirmMember, FirmStatus, MemberRole, User, Zone
from tests.conftest import make_user


def published_firm() -> Firm:
    return db.session.scalar(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )


def test_each_commit_that_changes_listed_data_moves_the_generation(seeded_app):
    start = current_generation()
    published_firm().phone = "0255 3 999 999"
    db.session.commit()
    assert current_generation() == start + 1

    db.session.scalar(sa.select(Zone).order_by(Zone.id)).name_vi = "Cụm công nghiệp Đổi Tên"
    db.session.scalar(sa.select(CatalogueItem).order_by(CatalogueItem.id)).name_en = "Renamed"
    db.session.commit()
    assert current_generation() == start + 2

    firm = published_firm()
    firm.catalogue_links.remove(firm.catalogue_links[0])
    db.session.commit()
    assert current_generation() == start + 3


def test_bulk_updates_of_listed_data_move_the_generation(seeded_app):
    start = current_generation()
    db.session.execute(
        sa.update(Firm).where(Firm.id == published_firm().id).values(website="https://moi.vn")
    )
    db.session.commit()
    assert current_generation() == start + 1


def test_other_commits_and_rollbacks_leave_the_generation(seeded_app):
    start = current_generation()
    db.session.scalar(sa.select(User).order_by(User.id)).name = "Tên khác"
    db.session.commit()
    published_firm().phone = "0255 3 111 111"
    db.session.flush()
    db.session.rollback()
    published_firm().phone = published_firm().phone  # assigned, not changed
    db.session.commit()
    assert current_generation() == start


def test_a_pending_revision_leaves_the_generation(seeded_app):
    """Proposing a change to a public listing claims it (its version goes up, its date stays)
    but changes nothing the public sees: kept pages and export files stay valid."""
    firm = published_firm()
    owner = make_user("owner-generation@example.vn")
    firm.members.append(FirmMember(user=owner, role=MemberRole.OWNER))
    db.session.commit()
    start = current_generation()

    data = current_content(firm) | {"description_vi": "Mô tả mới đang chờ duyệt"}
    update_firm(owner, firm, data, firm.version)

    assert pending_revision(firm) is not None
    assert current_generation() == start
