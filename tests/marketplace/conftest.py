"""Helpers for the marketplace tests: the demo business and its firm, a supplier firm of what
the business needs, a curator; and the lifecycle steps as service calls."""

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from app.catalogue.service import catalogue_tree
from app.extensions import db
from app.marketplace import service
from app.models import (
    AuditEvent,
    Firm,
    FirmCatalogueLink,
    FirmMember,
    FirmStatus,
    LinkRelation,
    MemberRole,
    Role,
    User,
)
from tests.conftest import make_user

BUSINESS = "business@demo.cnmt.vn"
CURATOR = "curator@demo.cnmt.vn"
INVESTOR = "investor@demo.cnmt.vn"
OTHER_CURATOR = "curator-khcn@demo.cnmt.vn"
MEMBRANES = "NT.TB.06"  # what the demo business's firm needs


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def item_id(code: str) -> int:
    return catalogue_tree().by_code[code].id


def request_data(**changes) -> dict:
    data = {
        "kind": "buy_equipment",
        "title": "Mua mô-đun màng lọc UF/RO cho tái sử dụng nước",
        "description": "Cần mô-đun màng UF/RO công suất 300 m³/ngày kèm lắp đặt và bảo hành.",
        "ward_code": 21025,
        "item_ids": [item_id(MEMBRANES)],
        "budget_min_vnd": 1_000_000_000,
        "budget_max_vnd": 3_000_000_000,
        "deadline": None,
        "trl": None,
        "licensing_terms": None,
    }
    return {**data, **changes}


def offer_data(**changes) -> dict:
    data = {
        "kind": "product",
        "title": "Mô-đun màng siêu lọc UF chế tạo trong nước",
        "description": "Mô-đun màng UF sợi rỗng cho tái sử dụng nước thải, bảo hành 3 năm.",
        "ward_code": 21025,
        "item_ids": [item_id(MEMBRANES)],
        "trl": 8,
        "licensing_terms": "Bán kèm lắp đặt.",
    }
    return {**data, **changes}


def own_firm(account: User) -> Firm:
    return db.session.scalar(sa.select(Firm).where(Firm.members.any(user_id=account.id)))


@pytest.fixture
def business(seeded_app) -> User:
    return user(BUSINESS)


@pytest.fixture
def curator(seeded_app) -> User:
    return user(CURATOR)


@pytest.fixture
def supplier(seeded_app) -> User:
    """A new business account, owner of a published firm that supplies membranes."""
    firm = db.session.scalar(
        sa.select(Firm)
        .join(FirmCatalogueLink)
        .where(
            Firm.status == FirmStatus.PUBLISHED,
            FirmCatalogueLink.relation == LinkRelation.OFFERS,
            FirmCatalogueLink.item_id == item_id(MEMBRANES),
            ~Firm.members.any(),
        )
        .order_by(Firm.id)
    )
    assert firm is not None
    firm.email, firm.phone = "banhang@nhacungcap.example.vn", "0255 3 999 888"
    account = make_user("supplier@example.vn", Role.BUSINESS, name="Trần Thị Cung")
    db.session.add(FirmMember(firm=firm, user=account, role=MemberRole.OWNER))
    db.session.commit()
    return account


def published(owner: User, reviewer: User, side: str = "request", **changes):
    """A request (or offer) of the owner's firm, submitted and approved."""
    data = request_data(**changes) if side == "request" else offer_data(**changes)
    listing = service.create_listing(owner, own_firm(owner).id, side, data)
    service.submit_listing(owner, listing.id, listing.version)
    return service.approve_listing(reviewer, listing.id, listing.version)


def actions_of(listing) -> list[str]:
    """The audit actions of a request or offer, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.entity_kind == "market_listing", AuditEvent.entity_id == listing.id)
            .order_by(AuditEvent.id)
        )
    )


def mails() -> list:
    parser = BytesParser(policy=policy.default)
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def clear_mail() -> None:
    for path in Path(current_app.config["MAIL_FILE_DIR"]).glob("*.eml"):
        path.unlink()
