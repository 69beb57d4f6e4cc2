"""Curators write, tag, publish, schedule, archive news and success stories; each agency manages
its own, Sở Công Thương all; stale edits are refused; every transition is audited; scheduled
articles are public at their time, and `publish_due` indexes them once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain import clock
from app.errors import Conflict, Forbidden, NotFound, ValidationError
from app.extensions import db
from app.models import (
    Agency,
    Article,
    ArticleState,
    AuditEvent,
    Programme,
    Role,
    Zone,
)
from app.models.base import utcnow
from app.news import service
from app.search.engine import search_backend
from tests.conftest import make_user
from tests.curation.helpers import ADMIN, BUSINESS, CURATOR, CURATOR_KHCN, INVESTOR, user
from tests.news.helpers import article_data, new_article, published_article, published_firm


def found_articles(app, query: str) -> set[int]:
    return {hit.id for hit in search_backend(app).search(query, kinds=["article"]).hits}


def test_curator_writes_a_draft_for_their_agency_with_tags(seeded_app):
    curator = user(CURATOR_KHCN)
    firm = published_firm()
    programme = db.session.scalar(sa.select(Programme).where(Programme.public()))

    article = new_article(
        curator, firm_slugs=f"{firm.slug}\n", programme_slugs=programme.slug, item_codes=""
    )

    assert article.state == ArticleState.DRAFT and article.publish_at is None
    assert article.agency_id == curator.agency_id
    assert article.slug == "xu-ly-nuoc-thai-che-bien-thuy-san-thanh-cong"
    assert article.firms == [firm] and article.programmes == [programme]
    assert not article.is_public
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "article.create", AuditEvent.entity_id == article.id
        )
    )


def test_a_curator_of_another_agency_cannot_change_the_article(seeded_app):
    article = new_article(user(CURATOR_KHCN))
    other = make_user("curator-other@example.vn", Role.CURATOR)
    other.agency = db.session.scalar(
        sa.select(Agency).where(Agency.code != "SKHCN", Agency.code != "SCT")
    )
    db.session.commit()

    with pytest.raises(NotFound):  # a draft is not even seen
        service.update_article(other, article.id, {"title_vi": "Khác"}, article.version)
    service.change_article_state(user(CURATOR_KHCN), article.id, "publish", article.version)
    with pytest.raises(Forbidden):  # a public article is seen, not changed
        service.change_article_state(other, article.id, "archive", article.version)


@pytest.mark.parametrize("email", [CURATOR, ADMIN])
def test_sct_curators_and_administrators_manage_every_agencys_articles(seeded_app, email):
    article = new_article(user(CURATOR_KHCN))

    service.update_article(user(email), article.id, {"title_vi": "Tiêu đề mới"}, article.version)

    assert article.title_vi == "Tiêu đề mới"
    assert article.agency.code == "SKHCN"  # editing keeps the agency
    assert article in service.list_articles(user(email))


@pytest.mark.parametrize("email", [BUSINESS, INVESTOR])
def test_businesses_and_investors_write_no_articles(seeded_app, email):
    with pytest.raises(Forbidden):
        new_article(user(email))
    with pytest.raises(Forbidden):
        service.list_articles(user(email))


def test_missing_texts_unknown_tags_and_unpublished_records_are_refused(seeded_app):
    before = db.session.scalar(sa.select(sa.func.count(Article.id)))
    draft_zone = db.session.scalar(sa.select(Zone).where(sa.not_(Zone.public())))
    with pytest.raises(ValidationError) as refused:
        new_article(
            user(CURATOR),
            kind="gossip",
            title_vi=" ",
            summary_vi="",
            body_vi="",
            firm_slugs="khong-co-cong-ty-nay",
            item_codes="ZZ.99",
            zone_slugs=draft_zone.slug if draft_zone else "khong-co",
        )
    errors = refused.value.errors
    assert {"kind", "title_vi", "summary_vi", "body_vi", "firm_slugs", "item_codes"} <= set(errors)
    assert "khong-co-cong-ty-nay" in errors["firm_slugs"][0]
    assert "zone_slugs" in errors
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == before


def test_a_stale_edit_is_a_conflict_and_saves_nothing(seeded_app):
    curator = user(CURATOR)
    article = new_article(curator)
    seen = article.version
    service.update_article(curator, article.id, {"title_vi": "Lần một"}, seen)

    with pytest.raises(Conflict):
        service.update_article(curator, article.id, {"title_vi": "Lần hai"}, seen)
    with pytest.raises(Conflict):
        service.change_article_state(curator, article.id, "publish", seen)

    db.session.refresh(article)
    assert article.title_vi == "Lần một" and article.state == ArticleState.DRAFT


def test_publish_unpublish_archive_restore_are_audited(seeded_app):
    curator = user(CURATOR)
    article = new_article(curator)
    for action in ("publish", "unpublish", "archive", "restore"):
        service.change_article_state(
            curator, article.id, action, article.version, reason="Hết thời sự"
        )
    assert article.state == ArticleState.DRAFT
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_kind == "article", AuditEvent.entity_id == article.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "article.create",
        "article.publish",
        "article.unpublish",
        "article.archive",
        "article.restore",
    ]


def test_an_impossible_transition_is_refused(seeded_app):
    curator = user(CURATOR)
    article = new_article(curator)
    with pytest.raises(ValidationError):
        service.change_article_state(curator, article.id, "restore", article.version)
    with pytest.raises(NotFound):
        service.change_article_state(curator, article.id, "explode", article.version)


def test_published_article_is_searchable_with_and_without_diacritics(seeded_app):
    article = published_article(user(CURATOR), title_vi="Lò hơi đốt trấu ở Bình Sơn")

    assert article.id in found_articles(seeded_app, "lò hơi đốt trấu")
    assert article.id in found_articles(seeded_app, "lo hoi dot trau")
    result = search_backend(seeded_app).search(
        "lo hoi dot trau", kinds=["article"], facets=["article_kind"]
    )
    assert result.facet_counts["article_kind"] == {"story": 1}

    service.change_article_state(user(CURATOR), article.id, "archive", article.version)
    assert article.id not in found_articles(seeded_app, "lo hoi dot trau")


def test_a_draft_is_never_searchable(seeded_app):
    article = new_article(user(CURATOR), title_vi="Bản nháp bí mật về lò đốt")
    assert article.id not in found_articles(seeded_app, "ban nhap bi mat")


def test_a_scheduled_article_is_public_at_its_time_and_publish_due_indexes_it_once(seeded_app):
    curator = user(CURATOR)
    firm = published_firm()
    article = new_article(curator, firm_slugs=firm.slug, title_vi="Lò hơi đốt trấu ở Bình Sơn")
    in_an_hour = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    local = clock.local(in_an_hour).replace(tzinfo=None)
    service.change_article_state(curator, article.id, "schedule", article.version, publish_at=local)

    assert article.state == ArticleState.SCHEDULED and article.publish_at == in_an_hour
    assert not article.is_public
    assert article not in service.related_articles("firm", firm)
    assert article.id not in found_articles(seeded_app, "lo hoi dot trau")
    assert service.publish_due() == 0

    # An hour later: public on read, before any job has run.
    later = in_an_hour + timedelta(minutes=1)
    assert article.is_visible_at(later)
    assert (
        article.id
        in db.session.scalars(sa.select(Article.id).where(Article.visible_at(later))).all()
    )

    assert service.publish_due(now=later) == 1
    assert service.publish_due(now=later) == 0
    db.session.refresh(article)
    assert article.state == ArticleState.PUBLISHED
    assert article.id in found_articles(seeded_app, "lo hoi dot trau")
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "article.publish_due"
            )
        )
        == 1
    )


def test_scheduling_in_the_past_is_refused(seeded_app):
    curator = user(CURATOR)
    article = new_article(curator)
    an_hour_ago = clock.local(utcnow() - timedelta(hours=1)).replace(tzinfo=None)
    with pytest.raises(ValidationError) as refused:
        service.change_article_state(
            curator, article.id, "schedule", article.version, publish_at=an_hour_ago
        )
    assert "publish_at" in refused.value.errors


def test_related_articles_are_the_visible_ones_tagged_with_the_record(seeded_app):
    curator = user(CURATOR)
    firm = published_firm()
    programme = db.session.scalar(sa.select(Programme).where(Programme.public()))
    shown = published_article(curator, firm_slugs=firm.slug, programme_slugs=programme.slug)
    draft = new_article(curator, title_vi="Bản nháp", firm_slugs=firm.slug)
    assert draft not in service.related_articles("firm", firm)

    assert service.related_articles("firm", firm)[0] == shown
    assert service.related_articles("programme", programme)[0] == shown


def test_article_data_round_trips_through_check(seeded_app):
    article = new_article(user(CURATOR), firm_slugs=published_firm().slug)
    cleaned = service.check_article(service.article_data(article), article)
    assert cleaned["firms"] == article.firms


def test_blank_data_default_is_refused_not_crashing(seeded_app):
    with pytest.raises(ValidationError):
        service.create_article(user(CURATOR), {})


def test_data_helper_is_complete():
    assert set(article_data()) >= set(service.ARTICLE_FIELDS) | set(service.TAG_FIELDS)


def test_publish_due_command_publishes_each_due_article_once(seeded_app, runner):
    curator = user(CURATOR)
    article = new_article(curator)
    soon = clock.local(utcnow() + timedelta(hours=1)).replace(tzinfo=None)
    service.change_article_state(curator, article.id, "schedule", article.version, publish_at=soon)
    db.session.execute(
        sa.update(Article)
        .where(Article.id == article.id)
        .values(publish_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()

    assert "Published 1 " in runner.invoke(args=["news", "publish-due"]).output
    assert "Published 0 " in runner.invoke(args=["news", "publish-due"]).output
    db.session.refresh(article)
    assert article.state == ArticleState.PUBLISHED
