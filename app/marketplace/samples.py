"""Sample requests and offers (seed/marketplace.yaml) for the demo: checked by the same rules
as the form (`service.clean`), published at once and marked as sample. A record whose firm
already has an item of that title is left as it is, so loading twice adds nothing."""

from datetime import timedelta

import sqlalchemy as sa

from app.catalogue.service import catalogue_tree
from app.domain import clock
from app.extensions import db
from app.marketplace.service import apply_content, clean, expiry
from app.models import Firm, MarketListing, MarketSide, MarketStatus
from app.models.base import utcnow


class SampleError(ValueError):
    """A sample record names a firm or catalogue item that does not exist."""


def add_samples(records: list[dict]) -> int:
    """Add the missing sample items in the caller's unit of work; return how many."""
    today, now = clock.today(), utcnow()
    tree = catalogue_tree()
    added = 0
    for number, record in enumerate(records, start=1):
        where = f"marketplace.yaml record {number}"
        firm = db.session.scalar(sa.select(Firm).where(Firm.tax_code == record["firm"]))
        if firm is None:
            raise SampleError(f"{where}: no firm with tax code {record['firm']}")
        exists = db.session.scalar(
            sa.select(MarketListing.id).where(
                MarketListing.firm_id == firm.id, MarketListing.title == record["title"]
            )
        )
        if exists:
            continue
        unknown = [code for code in record["items"] if code not in tree.by_code]
        if unknown:
            raise SampleError(f"{where}: unknown catalogue items {unknown}")
        side = MarketSide(record["side"])
        days = record.get("deadline_in_days")
        data = {
            **record,
            "item_ids": [tree.by_code[code].id for code in record["items"]],
            "deadline": today + timedelta(days=days) if days else None,
        }
        listing = MarketListing(
            side=side,
            firm=firm,
            status=MarketStatus.PUBLISHED,
            is_sample=True,
            published_at=now,
            suppliers_notified_at=now,  # sample data mails nobody
        )
        db.session.add(listing)
        apply_content(listing, clean(side, data, today))
        listing.expires_at = expiry(now, listing.deadline)
        added += 1
    return added
