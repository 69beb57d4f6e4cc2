"""News and success stories that curators publish (Plan 68/KH-UBND II.2: publicise the sector
and its successful models), their uploaded images, and the firms, catalogue items, programmes
and zones they are tagged with.

An article is public when it is published, or scheduled and its time has come: visibility is
computed when the article is read (`Article.visible_at`), so no job has to run for a scheduled
article to appear; `flask news publish-due` then marks it published, which puts it in the
search index (see app/news/service.py).
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db
from app.models.agency import Agency
from app.models.base import TimestampMixin, VersionMixin, enum_type, utcnow
from app.models.catalogue import CatalogueItem
from app.models.firm import Firm
from app.models.place import Zone
from app.models.programme import Programme


class ArticleKind(StrEnum):
    NEWS = "news"
    STORY = "story"  # a success story


class ArticleState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # published from `publish_at` on
    PUBLISHED = "published"
    ARCHIVED = "archived"


def _tag_table(name: str, column: str, target: str) -> sa.Table:
    return sa.Table(
        name,
        db.metadata,
        sa.Column("article_id", sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(column, sa.ForeignKey(f"{target}.id", ondelete="CASCADE"), primary_key=True),
        sa.Index(f"ix_{name}_{column}", column),
    )


article_firm = _tag_table("article_firm", "firm_id", "firm")
article_catalogue_item = _tag_table("article_catalogue_item", "item_id", "catalogue_item")
article_programme = _tag_table("article_programme", "programme_id", "programme")
article_zone = _tag_table("article_zone", "zone_id", "zone")


class Article(VersionMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[ArticleKind] = mapped_column(enum_type(ArticleKind, "article_kind"))
    state: Mapped[ArticleState] = mapped_column(
        enum_type(ArticleState, "article_state"), default=ArticleState.DRAFT, index=True
    )
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    title_vi: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    summary_vi: Mapped[str] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    # Markdown source; pages show it rendered and sanitised (app/news/rendering.py).
    body_vi: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    # When it is (or becomes) public, naive UTC; None for a draft never published.
    publish_at: Mapped[datetime | None] = mapped_column(index=True)
    is_sample: Mapped[bool] = mapped_column(default=False)

    agency: Mapped[Agency] = relationship()
    # The backref lets the ORM drop a deleted firm's tags itself, so the outbox sees the article
    # change (the foreign key's cascade alone would hide it).
    firms: Mapped[list[Firm]] = relationship(
        secondary=article_firm, order_by=Firm.id, backref=backref("articles", lazy="select")
    )
    items: Mapped[list[CatalogueItem]] = relationship(
        secondary=article_catalogue_item, order_by=CatalogueItem.code
    )
    programmes: Mapped[list[Programme]] = relationship(
        secondary=article_programme, order_by=Programme.id
    )
    zones: Mapped[list[Zone]] = relationship(secondary=article_zone, order_by=Zone.id)
    images: Mapped[list["ArticleImage"]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleImage.id"
    )

    @classmethod
    def visible_at(cls, moment: datetime) -> sa.ColumnElement[bool]:
        """SQL condition: public at `moment` (naive UTC)."""
        return sa.or_(
            cls.state == ArticleState.PUBLISHED,
            sa.and_(cls.state == ArticleState.SCHEDULED, cls.publish_at <= moment),
        )

    def is_visible_at(self, moment: datetime) -> bool:
        return self.state == ArticleState.PUBLISHED or (
            self.state == ArticleState.SCHEDULED
            and self.publish_at is not None
            and self.publish_at <= moment
        )

    @property
    def is_public(self) -> bool:
        return self.is_visible_at(utcnow())

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


class ArticleImage(db.Model):
    """An image uploaded with an article, re-encoded, with the text that replaces it for people
    who cannot see it."""

    __tablename__ = "article_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(sa.String(100))
    alt_vi: Mapped[str] = mapped_column(sa.String(300))
    alt_en: Mapped[str | None] = mapped_column(sa.String(300))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="images")
