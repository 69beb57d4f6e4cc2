"""The curators' editor (preview, save, stale save, publication, images) and the public pages
(list with filters and archive, article, feed, related blocks, home, sitemap)."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from app.domain import clock
from app.errors import ValidationError
from app.extensions import db
from app.models import Article, ArticleState, CatalogueItem, Programme, Zone
from app.models.base import utcnow
from app.news import service
from tests.conftest import csrf_token
from tests.curation.helpers import BUSINESS, CURATOR, CURATOR_KHCN, as_user, post_form, user
from tests.news.helpers import (
    article_data,
    new_article,
    png_upload,
    published_article,
    published_firm,
)


def hidden_version(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="([^"]*)"', html).group(1)


def test_curator_previews_then_saves_a_draft(client):
    as_user(client, CURATOR)
    data = article_data(body_vi="## Kết quả\n\n<script>alert(1)</script> [x](javascript:alert(1))")

    before = db.session.scalar(sa.select(sa.func.count(Article.id)))
    preview = post_form(
        client, "/curation/news/new", "/curation/news/new", {**data, "preview": "1"}
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview (not saved)" in html and "<h2>Kết quả</h2>" in html
    assert "<script>alert(1)</script>" not in html and 'href="javascript' not in html
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == before

    response = post_form(client, "/curation/news/new", "/curation/news/new", data)
    assert response.status_code == 302
    article = db.session.scalar(sa.select(Article).order_by(Article.id.desc()))
    assert article.state == ArticleState.DRAFT
    assert client.get(f"/news/{article.slug}").status_code == 404


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client):
    as_user(client, CURATOR)
    data = article_data(title_vi="", firm_slugs="khong-ton-tai", summary_vi="Tóm tắt giữ lại")

    response = post_form(client, "/curation/news/new", "/curation/news/new", data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the title in Vietnamese." in html
    assert "khong-ton-tai" in html and "Tóm tắt giữ lại" in html


def test_a_stale_save_is_a_conflict_that_keeps_the_form(client):
    curator = as_user(client, CURATOR)
    article = new_article(curator)
    url = f"/curation/news/{article.id}/edit"
    seen = hidden_version(client.get(url).get_data(as_text=True))
    service.update_article(curator, article.id, {"title_vi": "Người khác sửa"}, article.version)

    response = post_form(client, url, url, article_data(version=seen, title_vi="Bản của tôi"))

    assert response.status_code == 409
    assert "Bản của tôi" in response.get_data(as_text=True)
    db.session.refresh(article)
    assert article.title_vi == "Người khác sửa"


def test_publish_from_the_editor_makes_it_public_and_linked_from_the_firm(client):
    curator = as_user(client, CURATOR)
    firm = published_firm()
    article = new_article(curator, firm_slugs=firm.slug)
    url = f"/curation/news/{article.id}/edit"

    post_form(client, url, f"/curation/news/{article.id}/publish", {"version": article.version})

    db.session.refresh(article)
    assert article.state == ArticleState.PUBLISHED
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    page = client.get(f"/news/{article.slug}").get_data(as_text=True)
    assert "<h2>Bối cảnh</h2>" in page and 'property="og:title"' in page
    assert f'href="/firms/{firm.slug}"' in page
    firm_page = client.get(f"/firms/{firm.slug}").get_data(as_text=True)
    assert f'href="/news/{article.slug}"' in firm_page


def test_scheduling_from_the_editor_uses_quang_ngai_time(client):
    curator = as_user(client, CURATOR)
    article = new_article(curator)
    url = f"/curation/news/{article.id}/edit"
    local = clock.local(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    post_form(
        client,
        url,
        f"/curation/news/{article.id}/schedule",
        {"version": article.version, "publish_at": local},
    )

    db.session.refresh(article)
    assert article.state == ArticleState.SCHEDULED
    assert clock.local(article.publish_at).strftime("%Y-%m-%dT%H:%M") == local


@pytest.mark.parametrize("publish_at", ["", "ngày mai", "2026-13-45T99:99"])
def test_a_bad_time_to_schedule_is_refused_without_error(client, publish_at):
    curator = as_user(client, CURATOR)
    article = new_article(curator)
    url = f"/curation/news/{article.id}/edit"
    response = post_form(
        client,
        url,
        f"/curation/news/{article.id}/schedule",
        {"version": article.version, "publish_at": publish_at},
    )
    assert response.status_code == 302
    db.session.refresh(article)
    assert article.state == ArticleState.DRAFT


def test_another_agency_cannot_open_a_draft_and_businesses_cannot_write(client):
    article = new_article(user(CURATOR))
    as_user(client, CURATOR_KHCN)
    assert client.get(f"/curation/news/{article.id}/edit").status_code == 404
    as_user(client, BUSINESS)
    assert client.get("/curation/news/new").status_code == 403
    assert client.get("/curation/news").status_code == 403


def test_image_upload_is_re_encoded_and_bad_files_are_refused(client, seeded_app):
    curator = as_user(client, CURATOR)
    article = new_article(curator)
    url = f"/curation/news/{article.id}/edit"

    def upload(data, filename="x.png", alt="Bể xử lý nước thải"):
        return client.post(
            f"/curation/news/{article.id}/images",
            data={"csrf_token": csrf_token(client, url), "image": (data, filename), "alt_vi": alt},
            content_type="multipart/form-data",
            follow_redirects=True,
        )

    assert "Image added" in upload(png_upload()).get_data(as_text=True)
    db.session.refresh(article)
    (image,) = article.images
    stored = Path(seeded_app.config["NEWS_IMAGE_DIR"]) / image.file_name
    with Image.open(stored) as reread:
        assert reread.format == "JPEG"

    assert "not a PNG, JPEG or WebP" in upload(io.BytesIO(b"<svg onload=alert(1)>")).get_data(
        as_text=True
    )
    assert "not a PNG, JPEG or WebP" in upload(io.BytesIO(b"GIF89a" + b"\0" * 50)).get_data(
        as_text=True
    )
    huge = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(huge, format="PNG")
    huge.seek(0)
    assert "at most 4,000 × 4,000 pixels" in upload(huge).get_data(as_text=True)
    assert "Describe what the image shows" in upload(png_upload(), alt="").get_data(as_text=True)
    db.session.refresh(article)
    assert len(article.images) == 1

    # The draft's image is the curators' until the article is public.
    address = f"/news/images/{image.id}.jpg"
    assert client.get(address).status_code == 200
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(address).status_code == 404


def test_the_body_shows_only_its_own_images_with_alt_text(client):
    curator = as_user(client, CURATOR)
    article = new_article(curator)
    service.add_image(curator, article.id, png_upload(), "Bể lắng", None)
    address = f"/news/images/{article.images[0].id}.jpg"

    with pytest.raises(ValidationError) as refused:
        service.update_article(curator, article.id, {"body_vi": f"![]({address})"}, article.version)
    assert "body_vi" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        service.update_article(
            curator, article.id, {"body_vi": "![ảnh](/news/images/99999.jpg)"}, article.version
        )
    assert "body_vi" in refused.value.errors

    service.update_article(
        curator,
        article.id,
        {"body_vi": f"![Bể lắng]({address})", "body_en": ""},
        article.version,
    )
    service.change_article_state(curator, article.id, "publish", article.version)
    page = client.get(f"/news/{article.slug}").get_data(as_text=True)
    assert f'<img src="{address}" alt="Bể lắng">' in page
    # An image the text shows cannot be removed.
    with pytest.raises(ValidationError):
        service.remove_image(curator, article.id, article.images[0].id)


def test_list_filters_by_kind_tag_and_month(client):
    curator = user(CURATOR)
    firm = published_firm()
    story = published_article(curator, firm_slugs=firm.slug)
    news = published_article(curator, kind="news", title_vi="Hội chợ công nghệ môi trường")
    month = clock.local(story.publish_at)

    def titles(query: str) -> str:
        return client.get(f"/news?{query}").get_data(as_text=True)

    assert story.title_vi in titles("") and news.title_vi in titles("")
    assert news.title_vi not in titles("kind=story") and story.title_vi in titles("kind=story")
    assert news.title_vi not in titles(f"tag=firm:{firm.slug}")
    assert story.title_vi in titles(f"tag=firm:{firm.slug}")
    this_month = titles(f"year={month.year}&month={month.month}")
    assert story.title_vi in this_month
    assert story.title_vi not in titles(f"year={month.year - 1}")
    for nonsense in (
        "kind=x",
        "tag=zzz",
        "tag=firm:",
        "year=abc&month=99",
        "page=0",
        "tag=item:%00",
    ):
        assert client.get(f"/news?{nonsense}").status_code in (200, 404)


def test_feed_sitemap_home_and_related_blocks(client):
    curator = user(CURATOR)
    programme = db.session.scalar(sa.select(Programme).where(Programme.public()))
    zone = db.session.scalar(sa.select(Zone).where(Zone.public()).order_by(Zone.id))
    item = db.session.scalar(
        sa.select(CatalogueItem)
        .where(CatalogueItem.parent_id.is_not(None))
        .order_by(CatalogueItem.id)
    )
    article = published_article(
        curator, programme_slugs=programme.slug, zone_slugs=zone.slug, item_codes=item.code
    )
    draft = new_article(curator, title_vi="Bản nháp chưa đăng", zone_slugs=zone.slug)

    feed = client.get("/news/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    assert article.title_vi in feed.get_data(as_text=True)
    assert draft.title_vi not in feed.get_data(as_text=True)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/news/{article.slug}</loc>" in sitemap and draft.slug not in sitemap
    home = client.get("/").get_data(as_text=True)
    assert f'href="/news/{article.slug}"' in home and draft.title_vi not in home
    for page in (f"/programmes/{programme.slug}", f"/zones/{zone.slug}", f"/catalogue/{item.code}"):
        html = client.get(page).get_data(as_text=True)
        assert f'href="/news/{article.slug}"' in html and f"/news/{draft.slug}" not in html


def test_a_scheduled_article_appears_on_kept_pages_when_its_time_comes(client):
    curator = user(CURATOR)
    article = new_article(curator)
    soon = clock.local(utcnow() + timedelta(hours=1)).replace(tzinfo=None)
    service.change_article_state(curator, article.id, "schedule", article.version, publish_at=soon)
    assert article.title_vi not in client.get("/news").get_data(as_text=True)

    # Its time comes: nothing is written that would move the data generation (a plain SQL
    # statement stands for the clock moving on).
    past = (utcnow() - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    db.session.execute(
        sa.text("UPDATE article SET publish_at = :past WHERE id = :id"),
        {"past": past, "id": article.id},
    )
    db.session.commit()

    assert article.title_vi in client.get("/news").get_data(as_text=True)
    assert client.get(f"/news/{article.slug}").status_code == 200
