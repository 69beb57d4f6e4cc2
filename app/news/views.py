"""News and success stories: the public list (by kind, tag and month), article pages, their
Atom feed and images; the curators' list, editor (with a preview), publication and images.
Views parse, call one service, and render."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import audit
from app.authorization import authorize
from app.errors import Conflict, ValidationError
from app.news import feeds, service
from app.news.forms import ArticleForm, ImageForm, PublicationForm
from app.news.rendering import render_html
from app.page_cache import for_visitors
from app.pagination import requested_page
from app.record_editor import form_status, save_form
from app.transaction import version_of

bp = Blueprint("news", __name__, cli_group="news")


@bp.app_template_global()
def related_stories(kind: str, record) -> list:
    """The stories tagged with a firm, catalogue item, programme or zone (its "related" block)."""
    return service.related_articles(kind, record)


@bp.app_template_global()
def latest_stories() -> list:
    """The newest articles, for the home page."""
    return service.latest_stories()


@bp.app_template_filter("article_html")
def article_html(source: str | None):
    return render_html(source)


# Public pages --------------------------------------------------------------------------------


@bp.get("/news")
@for_visitors
def index():
    filters = service.ArticleFilters.from_args(request.args)
    page = requested_page(service.PER_PAGE)
    return render_template(
        "news/index.html",
        listing=service.public_articles(filters, page),
        filters=filters,
        tag_name=service.tag_name(filters.tag) if filters.tag else None,
        months=service.archive_months(),
    )


@bp.get("/news/feed.atom")
@for_visitors
def feed():
    response = Response(feeds.atom_feed(), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/news/<slug>")
@for_visitors
def detail(slug: str):
    return render_template("news/detail.html", article=service.get_public_article(slug))


@bp.get("/news/images/<int:image_id>.<any(jpg):extension>")
def image(image_id: int, extension: str):
    folder, name = service.image_file(current_user, image_id, extension)
    response = send_from_directory(folder, name, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# Curators ------------------------------------------------------------------------------------


@bp.get("/curation/news")
@login_required
def manage():
    return render_template("news/manage.html", articles=service.list_articles(current_user))


def _form(article=None) -> ArticleForm:
    if article is not None and request.method == "GET":
        data = service.article_data(article)
        data.update({name: "\n".join(data[name]) for name in service.TAG_FIELDS})
        form = ArticleForm(data=data)
        form.version.data = version_of(article)
    elif article is None and request.method == "GET":
        form = ArticleForm(data={"agency_id": current_user.agency_id})
    else:
        form = ArticleForm()
    form.set_choices(service.agencies_to_choose(current_user))
    return form


def _editor(form: ArticleForm, article, status: int = 200, preview: bool = False):
    context = {"form": form, "article": article, "preview": preview}
    if article is not None:
        context.update(
            events=audit.events_of("article", article.id),
            publication=PublicationForm(),
            image_form=ImageForm(),
            images=service.images_by_address(article),
        )
    return render_template("news/form.html", **context), status


def _wants_preview() -> bool:
    return "preview" in request.form


@bp.route("/curation/news/new", methods=["GET", "POST"])
@login_required
def new():
    authorize(current_user, "article.write")
    form = _form()
    if not form.validate_on_submit():
        return _editor(form, None, form_status())
    if _wants_preview():
        return _editor(form, None, preview=True)
    article, status = save_form(
        form, lambda: service.create_article(current_user, form.service_data())
    )
    if article is None:
        return _editor(form, None, status)
    flash(_("Saved. It is a draft until you publish it."), "success")
    return redirect(url_for("news.edit", article_id=article.id))


@bp.route("/curation/news/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id: int):
    article = service.get_article_for_edit(current_user, article_id)
    form = _form(article)
    if not form.validate_on_submit():
        return _editor(form, article, form_status())
    if _wants_preview():
        return _editor(form, article, preview=True)
    _saved, status = save_form(
        form,
        lambda: service.update_article(
            current_user, article_id, form.service_data(), form.version.data
        ),
        lambda: version_of(service.get_article_for_edit(current_user, article_id)),
    )
    if status != 200:
        return _editor(form, service.get_article_for_edit(current_user, article_id), status)
    flash(_("Saved."), "success")
    return redirect(url_for("news.edit", article_id=article_id))


STATE_MESSAGES = {
    "publish": lambda: _("Published: it is now public and searchable."),
    "schedule": lambda: _("Scheduled: it becomes public at the time you chose."),
    "unpublish": lambda: _("Unpublished: it is no longer public."),
    "archive": lambda: _("Archived: it is no longer public."),
    "restore": lambda: _("Restored from the archive (not yet public)."),
}


@bp.post(
    "/curation/news/<int:article_id>/<any(publish, schedule, unpublish, archive, restore):action>"
)
@login_required
def change_state(article_id: int, action: str):
    form = PublicationForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError(_("Enter the date and time as day, month, year, hour, minute."))
        service.change_article_state(
            current_user,
            article_id,
            action,
            form.version.data,
            publish_at=form.publish_at.data,
            reason=form.reason.data,
        )
    except (ValidationError, Conflict) as error:
        flash(error.message, "error")
    else:
        flash(STATE_MESSAGES[action](), "success")
    return redirect(url_for("news.edit", article_id=article_id))


@bp.post("/curation/news/<int:article_id>/images")
@login_required
def add_image(article_id: int):
    service.get_article_for_edit(current_user, article_id)
    form = ImageForm()
    if not form.validate_on_submit():
        flash(_("Choose an image file to upload."), "error")
        return redirect(url_for("news.edit", article_id=article_id))
    try:
        image = service.add_image(
            current_user, article_id, form.image.data, form.alt_vi.data, form.alt_en.data
        )
    except ValidationError as error:
        messages = [m for ms in error.errors.values() for m in ms] or [error.message]
        flash(" ".join(str(m) for m in messages), "error")
    else:
        flash(
            _(
                "Image added. Put it in the text with: %(markdown)s",
                markdown=f"![{image.alt_vi}](/news/images/{image.id}.jpg)",
            ),
            "success",
        )
    return redirect(url_for("news.edit", article_id=article_id))


@bp.post("/curation/news/<int:article_id>/images/<int:image_id>/remove")
@login_required
def remove_image(article_id: int, image_id: int):
    try:
        service.remove_image(current_user, article_id, image_id)
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(_("Image removed."), "success")
    return redirect(url_for("news.edit", article_id=article_id))
