"""Public programme pages: the list (filtered by status, agency and kind of support) and a
programme with its next steps (eligibility, interest, how to apply)."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.catalogue.service import catalogue_tree, group_names
from app.domain.places import ward_name
from app.page_cache import for_visitors
from app.programmes.service import (
    ProgrammeFilters,
    eligibility_of_my_firms,
    get_public_programme,
    programmes_by_status,
)

bp = Blueprint("programmes", __name__)


@bp.get("/programmes")
@for_visitors
def index():
    listing = programmes_by_status(ProgrammeFilters.from_args(request.args))
    return render_template("programmes/index.html", listing=listing)


@bp.get("/programmes/<slug>")
@for_visitors
def detail(slug: str):
    programme = get_public_programme(slug)
    return render_template(
        "programmes/detail.html",
        programme=programme,
        tree=catalogue_tree(),
        ward_name=ward_name,
        checks=eligibility_of_my_firms(current_user, programme),
        group_names=group_names(),
    )
