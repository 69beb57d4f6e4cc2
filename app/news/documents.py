"""Search documents for visible news and success stories, and what they read of the database.

Only articles the public sees are indexed. A scheduled article enters the index when
`flask news publish-due` marks it published (its state changes, so the outbox re-reads it); a
rebuild or drain after its time includes it too, since visibility is computed at reading time.
"""

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session, selectinload

from app.catalogue.documents import item_list_dependencies
from app.catalogue.service import CatalogueTree
from app.models import Agency, Article, Firm, FirmStatus
from app.models.article import article_catalogue_item, article_firm
from app.models.base import utcnow
from app.news.rendering import render_html
from app.search_dependencies import Dependency

KIND = "article"


def public_ids(session: Session) -> set[int]:
    return set(session.scalars(sa.select(Article.id).where(Article.visible_at(utcnow()))))


def documents(session: Session, ids: set[int], tree: CatalogueTree) -> dict[int, dict]:
    articles = session.scalars(
        sa.select(Article)
        .where(Article.id.in_(ids), Article.visible_at(utcnow()))
        .options(
            selectinload(Article.agency), selectinload(Article.firms), selectinload(Article.items)
        )
    )
    return {article.id: article_document(article, tree) for article in articles}


def _text(markdown: str | None) -> str:
    """The words of a Markdown body, without its markup."""
    return " ".join(Markup(render_html(markdown)).striptags().split())


def article_document(article: Article, tree: CatalogueTree) -> dict:
    groups = sorted(
        {g.code for g in (tree.group_of(item.id) for item in article.items) if g is not None}
    )
    firms = [firm for firm in article.firms if firm.status == FirmStatus.PUBLISHED]
    items = sorted(article.items, key=lambda item: item.code)  # what item_list_dependencies reads
    return {
        "kind": KIND,
        "id": article.id,
        "title": article.title_vi,
        "title_en": article.title_en,
        "keywords": " · ".join(
            [
                article.agency.name_vi,
                *(name for firm in firms for name in (firm.legal_name, firm.trade_name) if name),
                *(item.name_vi for item in items),
                *(item.code for item in items),
            ]
        ),
        "body": " ".join(t for t in (article.summary_vi, _text(article.body_vi)) if t),
        "body_en": " ".join(t for t in (article.summary_en, _text(article.body_en)) if t),
        "facets": {"article_kind": [str(article.kind)], "group": groups},
        "sort": {"updated": article.publish_at},
        "stored": {
            "slug": article.slug,
            "article_kind": str(article.kind),
            "published": article.publish_at.date().isoformat(),
            "sample": article.is_sample,
        },
    }


DEPENDENCIES = [
    Dependency(
        Article,
        (
            "state",
            "publish_at",
            "slug",
            "kind",
            "agency_id",
            "title_vi",
            "title_en",
            "summary_vi",
            "summary_en",
            "body_vi",
            "body_en",
            "is_sample",
            "firms",
            "items",
        ),
        lambda flush, article: [article.id],
    ),
    Dependency(
        Agency,
        ("name_vi",),
        lambda flush, agency: flush.ids(
            sa.select(Article.id).where(Article.agency_id == agency.id)
        ),
    ),
    Dependency(
        Firm,
        ("legal_name", "trade_name", "status"),
        lambda flush, firm: flush.ids(
            sa.select(article_firm.c.article_id).where(article_firm.c.firm_id == firm.id)
        ),
    ),
    *item_list_dependencies(
        sa.select(Article.id).join(article_catalogue_item), article_catalogue_item.c.item_id
    ),
]
