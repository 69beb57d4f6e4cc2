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
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.public(), Programme.eligible_size_classes == [])
    )
    assert before[programme.id] == engine.ELIGIBLE
    programme.min_firm_age_years = 200
    db.session.commit()
    after = {m.id: m.section for m in service.match_firm(firm_id)["programme"]}
    assert after[programme.id] == engine.INELIGIBLE
