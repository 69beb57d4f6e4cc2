"""Public directory pages: the firm list with filters, and a firm's page."""

import sqlalchemy as sa
from flask import current_app, render_template, request

from app.catalogue.service import catalogue_tree
from app.domain.firm_size import SizeClass
from app.domain.places import wards_of_province
from app.extensions import db
from app.firms import bp
from app.firms.service import FirmFilters, get_published_firm, list_published_firms
from app.models import Zone
from app.pagination import requested_page


@bp.get("/firms")
def index():
    filters = FirmFilters.from_args(request.args)
    pagination = list_published_firms(
        filters, requested_page(), current_app.config["FIRMS_PER_PAGE"]
    )
    return render_template(
        "firms/index.html",
        pagination=pagination,
        filters=filters,
        tree=catalogue_tree(),
        wards=wards_of_province(),
        sizes=list(SizeClass),
        zones=db.session.scalars(sa.select(Zone).where(Zone.public()).order_by(Zone.name_vi)).all(),
    )


@bp.get("/firms/<slug>")
def detail(slug: str):
    return render_template(
        "firms/detail.html", firm=get_published_firm(slug), tree=catalogue_tree()
    )
