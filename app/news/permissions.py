"""Who may write news and success stories: curators of Sở Công Thương and administrators manage
every article; a curator of another agency manages their own agency's articles (as agencies
manage their own programmes in app/curation)."""

from app.authorization import register
from app.firms.permissions import REVIEWING_AGENCY
from app.models import Article, Role, User


def _is_curator(user: User) -> bool:
    return user.role == Role.CURATOR and user.agency_id is not None


def can_write_articles(user: User) -> bool:
    """Curators (for their agency) and administrators write articles."""
    return user.role == Role.ADMIN or _is_curator(user)


def manages_all_articles(user: User) -> bool:
    """Administrators and curators of Sở Công Thương manage every agency's articles."""
    return user.role == Role.ADMIN or (
        _is_curator(user) and user.agency is not None and user.agency.code == REVIEWING_AGENCY
    )


def can_manage_article(user: User, article: Article) -> bool:
    return manages_all_articles(user) or (_is_curator(user) and article.agency_id == user.agency_id)


def _unless_public(article: Article) -> bool:
    """An article the actor may not manage is not found, unless the public sees it anyway."""
    return not article.is_public


register("article.write", can_write_articles)
register("article.manage", can_manage_article, on=Article, conceal=_unless_public)
