"""Matching against the seeded database and the real search index."""

import sqlalchemy as sa

from app.extensions import db
from app.matching import engine, service
from app.models import Firm, FirmStatus, Programme
from app.search.engine import search_backend


def test_accented_and_unaccented_profiles_give_the_same_text_relevance(seeded_app):
    accented = engine.text_scores(["Xử lý nước thải sinh học", "lò đốt chất thải"], "programme")
    plain = engine.text_scores(["xu ly nuoc thai sinh hoc", "LO DOT CHAT THAI"], "programme")
    assert accented["programme"]
    assert accented["programme"].keys() == plain["programme"].keys()


def test_match_firm_lists_every_public_candidate_once_and_is_deterministic(seeded_app):
    firm_id = db.session.scalar(
        sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    first, second = service.match_firm(firm_id), service.match_firm(firm_id)
    public = db.session.scalar(
        sa.select(sa.func.count()).select_from(Programme).where(Programme.public())
    )
    assert len(first["programme"]) == public
    assert [(m.id, m.score, m.section) for m in first["programme"]] == [
        (m.id, m.score, m.section) for m in second["programme"]
    ]
    assert first["zone"] and first["incubator"]


def test_match_programme_ranks_published_firms_only(seeded_app):
    programme_id = db.session.scalar(sa.select(Programme.id).order_by(Programme.id))
    matches = service.match_programme(programme_id)
    published = set(
        db.session.scalars(sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED))
    )
    assert {m.id for m in matches} == published
    sections = [m.section for m in matches]
    assert sections == sorted(sections, key=engine.SECTIONS.index)


def test_investor_interests_put_seeking_firms_in_the_chosen_domain_first(seeded_app):
    interests = engine.InvestorInterests(groups=frozenset({"NT"}))
    matches = service.match_investor(interests)
    top = db.session.get(Firm, matches[0].id)
    assert top.seeking_investment
    assert matches[0].section == engine.ELIGIBLE
    assert all(not m.eligible for m in matches if not db.session.get(Firm, m.id).seeking_investment)
    search_backend(seeded_app)  # the index was used and stays open for teardown to close


def test_a_changed_programme_is_seen_at_once_despite_the_candidate_cache(seeded_app):
    firm_id = db.session.scalar(
        sa.select(Firm.id).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    )
    before = {m.id: m.section for m in service.match_firm(firm_id)["programme"]}
    programme = next(  # JSON columns have no = on PostgreSQL: pick in Python
        p
        for p in db.session.scalars(sa.select(Programme).where(Programme.public()))
        if not p.eligible_size_classes
    )
    assert before[programme.id] == engine.ELIGIBLE
    programme.min_firm_age_years = 200
    db.session.commit()
    after = {m.id: m.section for m in service.match_firm(firm_id)["programme"]}
    assert after[programme.id] == engine.INELIGIBLE


def _item(code: str):
    from app.models import CatalogueItem

    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def _programme(slug: str) -> Programme:
    return db.session.scalar(sa.select(Programme).where(Programme.slug == slug))


def _published_firm() -> Firm:
    return db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id)
    ).first()


def _only_links(firm: Firm, offers: list[str], needs: list[str]) -> None:
    from app.models import FirmCatalogueLink, LinkRelation

    firm.catalogue_links.clear()
    db.session.flush()
    for code in offers:
        firm.catalogue_links.append(
            FirmCatalogueLink(item=_item(code), relation=LinkRelation.OFFERS)
        )
    for code in needs:
        firm.catalogue_links.append(
            FirmCatalogueLink(item=_item(code), relation=LinkRelation.NEEDS)
        )
    db.session.commit()


def _match(firm: Firm, slug: str) -> engine.Match:
    programme = _programme(slug)
    return next(m for m in service.match_firm(firm.id)["programme"] if m.id == programme.id)


def test_vepf_lends_to_equipment_makers_of_every_domain(seeded_app):
    """Issue 12, item 5: the fund's listed domains are its usual borrowers, a preference."""
    firm = _published_firm()
    firm.ward_code = 20275  # Đà Nẵng: VEPF is national
    _only_links(firm, offers=["QT.TB.01"], needs=[])
    vepf = _match(firm, "quy-bvmt-cho-vay-uu-dai")
    assert vepf.section == engine.ELIGIBLE
    assert {r.code: r.mark for r in vepf.reasons}["domains"] == "unmet_preference"


def test_a_firm_that_needs_monitoring_fits_a_programme_that_funds_it(seeded_app):
    """Issue 12, item 7: needs count, not only what a firm supplies."""
    firm = _published_firm()
    _only_links(firm, offers=["CTR.TB.01"], needs=["QT.CN.01"])
    match = _match(firm, "doi-moi-cong-nghe-moi-truong-tinh-2026")  # targets QT
    domain = next(r for r in match.reasons if r.code.startswith("domains"))
    assert domain.state == engine.MET and domain.params["needs"]


def test_suppliers_of_a_need_and_buyers_of_an_offer(seeded_app):
    buyer, supplier = db.session.scalars(
        sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED).order_by(Firm.id).limit(2)
    ).all()
    _only_links(supplier, offers=["QT.CN.01"], needs=[])
    _only_links(buyer, offers=[], needs=["QT.CN.01"])
    suppliers = service.match_firm(buyer.id)["supplier"]
    buyers = service.match_firm(supplier.id)["buyer"]
    assert supplier.id in {m.id for m in suppliers}
    exact = [m.reasons[0].code == "supplies" for m in suppliers]
    assert exact == sorted(exact, reverse=True)  # who supplies the need before the same domain
    assert buyer.id in {m.id for m in buyers}
    assert supplier.id not in {m.id for m in service.match_firm(supplier.id)["buyer"]}
