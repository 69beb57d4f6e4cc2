"""Home page with live counts and entry points for each kind of visitor."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from app.extensions import db
from app.firms.service import count_published_firms
from app.models import CatalogueItem, CatalogueLevel, Incubator, Zone
from app.programmes.service import count_open_programmes

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    counts = {
        "firms": count_published_firms(),
        "catalogue_items": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CatalogueItem)
            .where(CatalogueItem.level == CatalogueLevel.ITEM)
        ),
        "programmes": count_open_programmes(),
        "zones": db.session.scalar(sa.select(sa.func.count()).select_from(Zone)),
        "incubators": db.session.scalar(sa.select(sa.func.count()).select_from(Incubator)),
    }
    return render_template("main/home.html", counts=counts)
