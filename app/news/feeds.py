"""The Atom feed of news and success stories (feedgen), the newest first.

Like the programmes' feed (app/programmes/feeds.py), nothing depends on the time of the request
but which articles are visible: an entry's id is built from the article's id and the site's
address (SITE_URL), its time from the article's publication and last change.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import current_app
from flask_babel import gettext as _

from app.i18n import current_language, localized
from app.news.service import ArticleFilters, public_articles
from app.urls import public_url

PUBLISHER = "Sở Công Thương Quảng Ngãi"
FEED_ENTRIES = 30


def _host() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def atom_feed() -> bytes:
    """The newest visible articles, at most FEED_ENTRIES."""
    articles = public_articles(ArticleFilters(), 1, FEED_ENTRIES).articles
    feed = FeedGenerator()
    feed.id(public_url("news.feed"))
    feed.title(_("News and success stories of Quảng Ngãi's environmental industry"))
    feed.subtitle(_("News and success stories, the newest first."))
    feed.author({"name": PUBLISHER})
    feed.link(href=public_url("news.index"), rel="alternate", type="text/html")
    feed.link(href=public_url("news.feed"), rel="self", type="application/atom+xml")
    feed.language(current_language())
    if articles:
        feed.updated(_utc(max(a.updated_at for a in articles)))
    for article in articles:
        entry = feed.add_entry(order="append")
        entry.id(f"tag:{_host()},2026:article:{article.id}")
        entry.title(localized(article, "title"))
        entry.link(href=public_url("news.detail", slug=article.slug), rel="alternate")
        entry.published(_utc(article.publish_at))
        entry.updated(_utc(max(article.updated_at, article.publish_at)))
        entry.author({"name": localized(article.agency, "name")})
        entry.summary(localized(article, "summary"))
    return feed.atom_str(pretty=True)
