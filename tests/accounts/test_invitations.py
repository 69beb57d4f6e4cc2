"""Invitations to edit a firm are accepted when their address is verified or logs in."""

import sqlalchemy as sa

from app.accounts.service import accept_invitations
from app.extensions import db
from app.models import Firm, FirmInvitation, FirmMember, MemberRole, User
from tests.accounts.conftest import STRONG_PASSWORD, link_path, log_in, register, sent_mail


def _invite(email: str) -> Firm:
    firm = db.session.scalar(sa.select(Firm).order_by(Firm.id))
    db.session.add(FirmInvitation(firm_id=firm.id, email=email))
    db.session.commit()
    return firm


def _membership(email: str, firm: Firm) -> FirmMember | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(FirmMember).join(User).where(User.email == email, FirmMember.firm_id == firm.id)
    )


def test_verifying_the_address_accepts_the_invitation(seeded_app, client):
    firm = _invite("lan@example.vn")
    register(client)
    log_in(client, "lan@example.vn", STRONG_PASSWORD)
    assert _membership("lan@example.vn", firm) is None  # not before the address is proven

    client.get(link_path(sent_mail(seeded_app)[0]))

    member = _membership("lan@example.vn", firm)
    assert member is not None and member.role == MemberRole.EDITOR
    invitation = db.session.scalar(sa.select(FirmInvitation))
    assert invitation.accepted_at is not None


def test_logging_in_accepts_an_invitation_made_later(client):
    firm = _invite("investor@demo.cnmt.vn")

    log_in(client, "investor@demo.cnmt.vn", "demo-investor-2026")

    assert _membership("investor@demo.cnmt.vn", firm).role == MemberRole.EDITOR


def test_accepting_twice_adds_one_membership(seeded_app):
    firm = _invite("investor@demo.cnmt.vn")
    user = db.session.scalar(sa.select(User).where(User.email == "investor@demo.cnmt.vn"))

    assert accept_invitations(user) == [firm]
    db.session.commit()
    assert accept_invitations(user) == []
