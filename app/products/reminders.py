"""Certificates that run out: the firm is reminded before the end of the validity, and an
expiry, once it happens, is noted so that the product's search document follows (its
"labelled" facet depends on the date; see app.products.documents).

`send_certificate_reminders` is safe to run as often as cron likes, and concurrently: each
certificate is claimed (its `reminded_for` set to the expiry date, by one conditional UPDATE)
before any mail is queued, so no reminder goes twice; a renewed certificate (a new date) is
reminded again. Mail leaves only once the claims are committed.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.domain import clock
from app.extensions import db
from app.mail import render_message, send_after_commit
from app.models import (
    CertificateState,
    Firm,
    FirmMember,
    Product,
    ProductCertificate,
)
from app.transaction import unit_of_work
from app.urls import public_url

REMIND_DAYS = 60  # how long before the end of its validity a certificate is reminded


@dataclass
class ReminderCounts:
    certificates: int = 0  # reminded by this run
    messages: int = 0
    expired_noted: int = 0  # newly expired, re-queued for the search index
    unreachable: list[str] = field(default_factory=list)  # firms nobody could be mailed for


def _claim(certificate: ProductCertificate) -> bool:
    """Mark the certificate as reminded for its expiry date unless another run got there."""
    result = db.session.execute(
        sa.update(ProductCertificate)
        .where(
            ProductCertificate.id == certificate.id,
            ProductCertificate.valid_until == certificate.valid_until,
            sa.or_(
                ProductCertificate.reminded_for.is_(None),
                ProductCertificate.reminded_for != ProductCertificate.valid_until,
            ),
        )
        .values(reminded_for=ProductCertificate.valid_until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_certificate_reminders(now: datetime | None = None) -> ReminderCounts:
    """Note the expiries and remind the firms of certificates ending within REMIND_DAYS."""
    today = clock.local(now).date() if now is not None else clock.today()
    counts = ReminderCounts()
    with unit_of_work():
        expired = db.session.scalars(
            sa.select(ProductCertificate).where(
                ProductCertificate.valid_until < today,
                ProductCertificate.expiry_noted.is_(False),
                ProductCertificate.state != CertificateState.REJECTED,
            )
        ).all()
        for certificate in expired:
            certificate.expiry_noted = True  # an ORM write: the outbox re-indexes its product
            counts.expired_noted += 1
        due = db.session.scalars(
            sa.select(ProductCertificate)
            .where(
                ProductCertificate.state != CertificateState.REJECTED,
                ProductCertificate.valid_until >= today,
                ProductCertificate.valid_until <= today + timedelta(days=REMIND_DAYS),
                sa.or_(
                    ProductCertificate.reminded_for.is_(None),
                    ProductCertificate.reminded_for != ProductCertificate.valid_until,
                ),
            )
            .options(
                selectinload(ProductCertificate.label),
                selectinload(ProductCertificate.product)
                .selectinload(Product.firm)
                .selectinload(Firm.members)
                .selectinload(FirmMember.user),
            )
            .order_by(ProductCertificate.valid_until, ProductCertificate.id)
        ).all()
        for certificate in due:
            product = certificate.product
            users = product.firm.reachable_members
            if not users:
                counts.unreachable.append(product.firm.display_name)
                continue  # a later run reminds it once a member can answer
            if not _claim(certificate):
                continue
            counts.certificates += 1
            link = public_url("products.edit_certificate", certificate_id=certificate.id)
            for user in users:
                send_after_commit(
                    render_message(
                        user.email,
                        "products_certificate_expiring",
                        user.preferred_language,
                        user=user,
                        product=product,
                        certificate=certificate,
                        days_left=(certificate.valid_until - today).days,
                        link=link,
                    )
                )
                counts.messages += 1
    return counts
