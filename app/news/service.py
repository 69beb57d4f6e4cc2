"""News and success stories: curators write, tag, illustrate, publish (now or at a time),
unpublish, archive and restore articles; the public reads the visible ones.

`check_article` holds every rule of an article (once); the actions below and the seed loader go
through it. Edits and transitions carry the version the curator saw: a stale one is a Conflict.
Every action is audited as `article.<action>`.

Scheduling: "schedule" keeps the article in the `scheduled` state with its `publish_at`; it is
public from that moment on because visibility is computed on read (`Article.visible_at`), so
no job needs to run for it to appear. `publish_due` (the cron-safe `flask news publish-due`)
then turns due articles into `published`: that write puts them into the search index through
the outbox, and its audit event records when the time came. Run it every few minutes; two runs
at once publish each article once (each claims the article's version).
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import audit, images
from app.authorization import authorize, can
from app.curation.review import clean_reason
from app.domain import clock
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.firms.service import PUBLISHED as FIRM_PUBLISHED
from app.i18n import localized
from app.models import (
    Agency,
    Article,
    ArticleImage,
    ArticleKind,
    ArticleState,
    CatalogueItem,
    Firm,
    Programme,
    User,
    Zone,
)
from app.models.article import (
    article_catalogue_item,
    article_firm,
    article_programme,
    article_zone,
)
from app.models.base import by_name, utcnow
from app.news.permissions import manages_all_articles
from app.news.rendering import image_address, images_in
from app.rules import Aggregate, Problems, cleaned_text, write
from app.slugs import unique_slug
from app.transaction import flush, transactional, unit_of_work

ARTICLE_FIELDS = (
    "kind",
    "title_vi",
    "title_en",
    "summary_vi",
    "summary_en",
    "body_vi",
    "body_en",
)
TAG_FIELDS = ("firm_slugs", "item_codes", "programme_slugs", "zone_slugs")
SUMMARY_MAX = 600
BODY_MAX = 100_000
IMAGE = images.ImageRule(max_bytes=5 * 1024 * 1024, box=(1600, 1600), format="JPEG")
IMAGES_PER_ARTICLE = 20
PER_PAGE = 12


# Reading and checking an article's data ------------------------------------------------------


def article_data(article: Article) -> dict:
    """The article's data as `check_article` takes it (and its edit form shows it)."""
    data = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    data.update(
        agency_id=article.agency_id,
        firm_slugs=[firm.slug for firm in article.firms],
        item_codes=[item.code for item in article.items],
        programme_slugs=[programme.slug for programme in article.programmes],
        zone_slugs=[zone.slug for zone in article.zones],
    )
    return data


def _names(value) -> list[str]:
    """Slugs or codes typed one per line or separated by commas (or already a list)."""
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    names = [str(name).strip() for name in value or []]
    return list(dict.fromkeys(name for name in names if name))


def _tagged(problems: Problems, field: str, names: list[str], column, public, message: str):
    """The public records whose `column` is one of `names`; a problem naming those that are not."""
    if not names:
        return []
    found = list(db.session.scalars(sa.select(column.class_).where(column.in_(names), public)))
    missing = set(names) - {getattr(record, column.key) for record in found}
    if missing:
        problems.add(field, message % {"names": ", ".join(sorted(missing))})
    return sorted(found, key=lambda record: names.index(getattr(record, column.key)))


def check_article(data: dict, article: Article | None = None) -> dict:
    """Every rule of an article; `data` holds ARTICLE_FIELDS, agency_id and TAG_FIELDS (lists
    or text). Returns the cleaned data for `apply`; raises ValidationError."""
    problems = Problems()
    cleaned = cleaned_text(data, ARTICLE_FIELDS)
    if cleaned["kind"] not in {kind.value for kind in ArticleKind}:
        problems.add("kind", _("Choose news or success story."))
    for name, message in (
        ("title_vi", _("Enter the title in Vietnamese.")),
        ("summary_vi", _("Enter the summary in Vietnamese.")),
        ("body_vi", _("Enter the text in Vietnamese.")),
    ):
        if not cleaned[name]:
            problems.add(name, message)
    for name in ("title_vi", "title_en"):
        if cleaned[name] and len(cleaned[name]) > 300:
            problems.add(name, _("Keep the title under 300 characters."))
    for name in ("summary_vi", "summary_en"):
        if cleaned[name] and len(cleaned[name]) > SUMMARY_MAX:
            problems.add(name, _("Keep the summary under %(max)s characters.", max=SUMMARY_MAX))
    own_images = {
        image_address(image.id, _extension(image)) for image in (article.images if article else [])
    }
    for name in ("body_vi", "body_en"):
        _check_body(problems, name, cleaned[name], own_images)
    agency = db.session.get(Agency, data["agency_id"]) if data.get("agency_id") else None
    if agency is None:
        problems.add("agency_id", _("Choose an agency."))
    cleaned["agency"] = agency
    unknown = _("Not found among published records: %(names)s.")
    cleaned["firms"] = _tagged(
        problems, "firm_slugs", _names(data.get("firm_slugs")), Firm.slug, FIRM_PUBLISHED, unknown
    )
    cleaned["items"] = _tagged(
        problems,
        "item_codes",
        _names(data.get("item_codes")),
        CatalogueItem.code,
        sa.true(),
        _("Not found in the catalogue: %(names)s."),
    )
    cleaned["programmes"] = _tagged(
        problems,
        "programme_slugs",
        _names(data.get("programme_slugs")),
        Programme.slug,
        Programme.public(),
        unknown,
    )
    cleaned["zones"] = _tagged(
        problems, "zone_slugs", _names(data.get("zone_slugs")), Zone.slug, Zone.public(), unknown
    )
    problems.refuse()
    return cleaned


def _check_body(problems: Problems, field: str, body: str | None, own_images: set[str]) -> None:
    if not body:
        return
    if len(body) > BODY_MAX:
        problems.add(field, _("Keep the text under %(max)s characters.", max=BODY_MAX))
    for alt, address in images_in(body):
        if address not in own_images:
            problems.add(
                field, _("Show only images uploaded with this article (%(src)s).", src=address)
            )
        elif not alt:
            problems.add(
                field, _("Describe every image between its square brackets: ![what it shows](…).")
            )


def apply(article: Article, cleaned: dict) -> Article:
    """Write checked data into an article (new or saved)."""
    return write(article, cleaned)


def _state(article: Article) -> dict:
    """What audit events show: the data, the state and when it is public."""
    data = article_data(article)
    state = {name: audit.plain(value) for name, value in data.items()}
    state["state"] = str(article.state)
    state["publish_at"] = article.publish_at.isoformat() if article.publish_at else None
    return state


ARTICLES = Aggregate("article", article_data, check_article, apply, _state)


# Curators' actions ---------------------------------------------------------------------------


def _get(actor: User | None, article_id: int) -> Article:
    """The article if the actor may manage it; 404 for what they may not even see."""
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound()
    authorize(actor, "article.manage", article)
    return article


def get_article_for_edit(actor: User | None, article_id: int) -> Article:
    return _get(actor, article_id)


def _for_agency(actor: User, data: dict, article: Article | None = None) -> dict:
    """Curators write for their own agency; SCT curators and administrators choose one (an
    edit that names none keeps the article's)."""
    if not manages_all_articles(actor):
        return {**data, "agency_id": actor.agency_id}
    if data.get("agency_id"):
        return data
    return {**data, "agency_id": article.agency_id if article else actor.agency_id}


def agencies_to_choose(actor: User) -> list[Agency] | None:
    """The agencies an article's form offers: all for those who manage every article, None (the
    curator's own) for the others."""
    if not manages_all_articles(actor):
        return None
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.code)))


def list_articles(actor: User | None) -> list[Article]:
    """The articles the actor manages, the newest first."""
    authorize(actor, "article.write")
    query = sa.select(Article).options(selectinload(Article.agency))
    if not manages_all_articles(actor):
        query = query.where(Article.agency_id == actor.agency_id)
    return list(db.session.scalars(query.order_by(Article.created_at.desc(), Article.id.desc())))


@transactional
def create_article(actor: User | None, data: dict, *, sample: bool = False) -> Article:
    """A new draft; `data` holds ARTICLE_FIELDS, TAG_FIELDS and (for those who manage every
    article) agency_id."""
    authorize(actor, "article.write")
    return ARTICLES.create(
        actor,
        _for_agency(actor, data),
        lambda cleaned: Article(slug=unique_slug(Article, cleaned["title_vi"]), is_sample=sample),
    )


@transactional
def update_article(actor: User | None, article_id: int, data: dict, version: int | None):
    """Fields `data` leaves out keep their value."""
    article = _get(actor, article_id)
    return ARTICLES.edit(actor, article, _for_agency(actor, data, article), version)


TRANSITIONS = ("publish", "schedule", "unpublish", "archive", "restore")
# The states each transition starts from.
_FROM = {
    "publish": {ArticleState.DRAFT, ArticleState.SCHEDULED},
    "schedule": {ArticleState.DRAFT, ArticleState.SCHEDULED},
    "unpublish": {ArticleState.PUBLISHED, ArticleState.SCHEDULED},
    "archive": {ArticleState.DRAFT, ArticleState.SCHEDULED, ArticleState.PUBLISHED},
    "restore": {ArticleState.ARCHIVED},
}


def change_state(article: Article, action: str, publish_at: datetime | None = None) -> None:
    """Move the article through one of TRANSITIONS (flush only)."""
    now = utcnow()
    if article.state not in _FROM[action]:
        message = _("This cannot be done to the article in its present state.")
        raise ValidationError(message, errors={"state": [message]})
    if action == "publish":
        article.state = ArticleState.PUBLISHED
        if article.publish_at is None or article.publish_at > now:
            article.publish_at = now
    elif action == "schedule":
        if publish_at is None or clock.stored(publish_at) <= now:
            message = _("Choose a time in the future, or publish now.")
            raise ValidationError(message, errors={"publish_at": [message]})
        article.state = ArticleState.SCHEDULED
        article.publish_at = clock.stored(publish_at)
    elif action == "unpublish":
        if article.publish_at is not None and article.publish_at > now:
            article.publish_at = None
        article.state = ArticleState.DRAFT
    elif action == "archive":
        article.state = ArticleState.ARCHIVED
    elif action == "restore":
        article.state = ArticleState.DRAFT
    flush()


@transactional
def change_article_state(
    actor: User | None,
    article_id: int,
    action: str,
    version: int | None,
    *,
    publish_at: datetime | None = None,
    reason: str | None = None,
) -> Article:
    """publish (now) / schedule (at `publish_at`, local time) / unpublish / archive / restore."""
    if action not in TRANSITIONS:
        raise NotFound()
    article = _get(actor, article_id)
    text = clean_reason(reason, required=False)
    return ARTICLES.change(
        actor, article, version, action, lambda: change_state(article, action, publish_at), text
    )


def publish_due(now: datetime | None = None) -> int:
    """Mark published every scheduled article whose time has come (at `now`, naive UTC);
    returns how many this run published. Each article is claimed at the version read, so a
    concurrent run (or a curator's edit at that moment) makes this one skip it."""
    moment = now or utcnow()
    due = db.session.scalars(
        sa.select(Article.id).where(
            Article.state == ArticleState.SCHEDULED, Article.publish_at <= moment
        )
    ).all()
    published = 0
    for article_id in due:
        try:
            with unit_of_work():
                article = db.session.get(Article, article_id)
                if article is None or article.state != ArticleState.SCHEDULED:
                    continue
                ARTICLES.change(
                    None,
                    article,
                    article.version,
                    "publish_due",
                    lambda article=article: setattr(article, "state", ArticleState.PUBLISHED),
                )
            published += 1
        except Conflict:
            continue
    return published


# Images --------------------------------------------------------------------------------------


def _extension(image: ArticleImage) -> str:
    return Path(image.file_name).suffix.lstrip(".")


def image_folder() -> Path:
    return Path(current_app.config["NEWS_IMAGE_DIR"])


@transactional
def add_image(
    actor: User | None, article_id: int, upload, alt_vi: str | None, alt_en: str | None
) -> ArticleImage:
    """Check the image by its content, store it re-encoded (JPEG) and describe it; its address
    goes into the body's Markdown."""
    article = _get(actor, article_id)
    problems = Problems()
    alt = cleaned_text({"alt_vi": alt_vi, "alt_en": alt_en}, ("alt_vi", "alt_en"))
    if not alt["alt_vi"]:
        problems.add("alt_vi", _("Describe what the image shows, for people who cannot see it."))
    for name in ("alt_vi", "alt_en"):
        if alt[name] and len(alt[name]) > 300:
            problems.add(name, _("Keep the description under 300 characters."))
    if len(article.images) >= IMAGES_PER_ARTICLE:
        problems.add(
            "image", _("An article has at most %(count)s images.", count=IMAGES_PER_ARTICLE)
        )
    problems.refuse()
    encoded = images.reencode(upload, IMAGE, "image")
    folder = image_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = images.stored_name(str(article.id), encoded.data, IMAGE)
    (folder / name).write_bytes(encoded.data)
    image = ArticleImage(
        article=article,
        file_name=name,
        alt_vi=alt["alt_vi"],
        alt_en=alt["alt_en"],
        width=encoded.width,
        height=encoded.height,
    )
    db.session.add(image)
    flush()
    audit.record(
        actor,
        "article.image_add",
        "article",
        article.id,
        None,
        {"image": image.id, "alt_vi": image.alt_vi},
    )
    return image


@transactional
def remove_image(actor: User | None, article_id: int, image_id: int) -> None:
    """Remove an image no version of the body shows any more."""
    article = _get(actor, article_id)
    image = next((image for image in article.images if image.id == image_id), None)
    if image is None:
        raise NotFound()
    address = image_address(image.id, _extension(image))
    if any(
        address == src for body in (article.body_vi, article.body_en) for _a, src in images_in(body)
    ):
        message = _("The text still shows this image: take it out of the text first.")
        raise ValidationError(message, errors={"image": [message]})
    article.images.remove(image)
    audit.record(actor, "article.image_remove", "article", article.id, {"image": image_id}, None)


def image_file(actor: User | None, image_id: int, extension: str) -> tuple[Path, str]:
    """(folder, file name) of an image of a public article, or of one the actor manages."""
    image = db.session.get(ArticleImage, image_id)
    if image is None or _extension(image) != extension:
        raise NotFound()
    article = image.article
    if not article.is_public and not (
        actor is not None and actor.is_authenticated and can(actor, "article.manage", article)
    ):
        raise NotFound()
    return image_folder(), image.file_name


def images_by_address(article: Article) -> dict[str, ArticleImage]:
    """The article's images by address, for its editor."""
    return {image_address(image.id, _extension(image)): image for image in article.images}


# What the public reads -----------------------------------------------------------------------

TAG_KINDS = {
    "firm": (Firm.slug, article_firm.c.firm_id, Firm),
    "item": (CatalogueItem.code, article_catalogue_item.c.item_id, CatalogueItem),
    "programme": (Programme.slug, article_programme.c.programme_id, Programme),
    "zone": (Zone.slug, article_zone.c.zone_id, Zone),
}
_TAG_TABLES = {
    "firm": article_firm,
    "item": article_catalogue_item,
    "programme": article_programme,
    "zone": article_zone,
}


@dataclass
class ArticleFilters:
    kind: str | None = None
    tag: str | None = None  # "<firm|item|programme|zone>:<slug or code>"
    year: int | None = None
    month: int | None = None

    @classmethod
    def from_args(cls, args) -> "ArticleFilters":
        kind = args.get("kind") or None
        if kind not in {k.value for k in ArticleKind}:
            kind = None
        tag = args.get("tag") or None
        if tag is not None and (tag.partition(":")[0] not in TAG_KINDS or ":" not in tag):
            tag = None
        year = _number(args.get("year"), 2000, 2100)
        month = _number(args.get("month"), 1, 12) if year else None
        return cls(kind, tag[:200] if tag else None, year, month)


def _number(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


def _visible(now: datetime | None = None) -> sa.ColumnElement[bool]:
    return Article.visible_at(now or utcnow())


def _local_bounds(year: int, month: int | None) -> tuple[datetime, datetime]:
    """The UTC moments a local month (or year) starts and ends."""
    if month:
        start = datetime(year, month, 1)
        end = datetime(year + month // 12, month % 12 + 1, 1)
    else:
        start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    return clock.stored(start), clock.stored(end)


def _tag_condition(tag: str) -> sa.ColumnElement[bool] | None:
    kind, _sep, name = tag.partition(":")
    column, link, model = TAG_KINDS[kind]
    table = _TAG_TABLES[kind]
    return Article.id.in_(
        sa.select(table.c.article_id).join(model, model.id == link).where(column == name)
    )


@dataclass
class ArticlePage:
    articles: list[Article]
    total: int
    page: int
    per_page: int


def public_articles(filters: ArticleFilters, page: int = 1, per_page: int = PER_PAGE):
    """The visible articles that match `filters`, the newest first."""
    conditions = [_visible()]
    if filters.kind:
        conditions.append(Article.kind == filters.kind)
    if filters.tag:
        conditions.append(_tag_condition(filters.tag))
    if filters.year:
        start, end = _local_bounds(filters.year, filters.month)
        conditions.append(sa.and_(Article.publish_at >= start, Article.publish_at < end))
    total = db.session.scalar(sa.select(sa.func.count(Article.id)).where(*conditions))
    articles = db.session.scalars(
        sa.select(Article)
        .where(*conditions)
        .options(selectinload(Article.agency), selectinload(Article.images))
        .order_by(Article.publish_at.desc(), Article.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return ArticlePage(list(articles), total or 0, page, per_page)


def archive_months() -> list[tuple[int, int, int]]:
    """(year, month, count) of visible articles by local month of publication, newest first."""
    moments = db.session.scalars(sa.select(Article.publish_at).where(_visible())).all()
    counts: dict[tuple[int, int], int] = {}
    for moment in moments:
        local = clock.local(moment)
        counts[(local.year, local.month)] = counts.get((local.year, local.month), 0) + 1
    return [(year, month, count) for (year, month), count in sorted(counts.items(), reverse=True)]


def tag_name(tag: str) -> str | None:
    """What a list filtered by `tag` is about (the record's name), None if there is no such."""
    kind, _sep, name = tag.partition(":")
    column, _link, model = TAG_KINDS[kind]
    record = db.session.scalar(sa.select(model).where(column == name))
    if record is None:
        return None
    if kind == "firm":
        return record.display_name
    return localized(record, "title" if kind == "programme" else "name")


def get_public_article(slug: str) -> Article:
    article = db.session.scalar(
        sa.select(Article)
        .where(Article.slug == slug, _visible())
        .options(
            selectinload(Article.agency),
            selectinload(Article.images),
            selectinload(Article.firms),
            selectinload(Article.items),
            selectinload(Article.programmes),
            selectinload(Article.zones),
        )
    )
    if article is None:
        raise NotFound()
    return article


def latest_stories(limit: int = 3) -> list[Article]:
    """The newest visible articles, for the home page."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(_visible())
            .order_by(Article.publish_at.desc(), Article.id.desc())
            .limit(limit)
        )
    )


def related_articles(kind: str, record, limit: int = 5) -> list[Article]:
    """The newest visible articles tagged with `record` (a firm, catalogue item, programme or
    zone: `kind` is a key of TAG_KINDS)."""
    table = _TAG_TABLES[kind]
    link = TAG_KINDS[kind][1]
    return list(
        db.session.scalars(
            sa.select(Article)
            .join(table, table.c.article_id == Article.id)
            .where(link == record.id, _visible())
            .order_by(Article.publish_at.desc(), Article.id.desc())
            .limit(limit)
        )
    )


def visible_marker() -> tuple[int, datetime | None]:
    """What changes when a scheduled article's time comes: how many articles are visible now and
    the newest moment one became so. Pages kept for visitors (app/page_cache.py) include it in
    their key, so a kept page never hides an article whose time has come."""
    count, newest = db.session.execute(
        sa.select(sa.func.count(Article.id), sa.func.max(Article.publish_at)).where(_visible())
    ).one()
    return count, newest


def public_tag_choices() -> dict[str, list]:
    """Published records to tag, for the editor's hints."""
    return {
        "firm": list(
            db.session.scalars(sa.select(Firm).where(FIRM_PUBLISHED).order_by(Firm.slug).limit(50))
        ),
        "programme": list(
            db.session.scalars(
                sa.select(Programme).where(Programme.public()).order_by(by_name(Programme.title_vi))
            )
        ),
        "zone": list(
            db.session.scalars(sa.select(Zone).where(Zone.public()).order_by(by_name(Zone.name_vi)))
        ),
    }
