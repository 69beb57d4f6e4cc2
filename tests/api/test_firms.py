"""/api/v1/firms/<slug>: the investment ask and the contacts only where the firm shows them."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus


def test_investment_and_contacts_are_shown_only_where_the_firm_chose_to(api):
    firms = db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    ).all()
    showing, hiding = firms[0], firms[1]
    showing.seeking_investment = True
    showing.investment_min_vnd, showing.investment_max_vnd = None, 2_000_000_000
    showing.show_contact, showing.phone = True, "0255 3822 000"
    hiding.seeking_investment, hiding.show_contact = False, False
    db.session.commit()

    shown = api.get(f"/api/v1/firms/{showing.slug}").get_json()
    hidden = api.get(f"/api/v1/firms/{hiding.slug}").get_json()

    assert shown["investment"]["max_vnd"] == 2_000_000_000
    assert shown["contact"]["phone"] == "0255 3822 000"
    assert hidden["investment"] is None and hidden["contact"] is None


def test_a_firms_catalogue_items_and_industry_codes_are_named_in_both_languages(api):
    firm = db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    ).first()
    link = firm.offerings[0]

    body = api.get(f"/api/v1/firms/{firm.slug}").get_json()

    assert body["offers"][0]["code"] == link.item.code
    assert body["offers"][0]["name"] == {"vi": link.item.name_vi, "en": link.item.name_en}
    for code in body["industry_codes"]:
        assert code["name"]["vi"]
