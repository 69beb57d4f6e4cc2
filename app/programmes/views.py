"""Public programme pages."""

from flask import Blueprint, render_template

from app.catalogue.service import catalogue_tree
from app.domain.places import ward_name
from app.page_cache import for_visitors
from app.programmes.service import get_public_programme, programmes_by_status

bp = Blueprint("programmes", __name__)


@bp.get("/programmes")
@for_visitors
def index():
    return render_template("programmes/index.html", grouped=programmes_by_status())


@bp.get("/programmes/<slug>")
@for_visitors
def detail(slug: str):
    return render_template(
        "programmes/detail.html",
        programme=get_public_programme(slug),
        tree=catalogue_tree(),
        ward_name=ward_name,
    )
