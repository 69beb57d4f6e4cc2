"""Public pages for zones, clusters and incubators."""

from flask import Blueprint, jsonify, render_template, request

from app.domain.places import wards_of_province
from app.parsing import parse_int
from app.places.service import (
    get_incubator,
    get_zone,
    list_incubators,
    published_firms_in_zone,
    zones_by_kind,
)

bp = Blueprint("places", __name__)


@bp.get("/zones")
def zones():
    return render_template("places/zones.html", grouped=zones_by_kind())


@bp.get("/zones/<slug>")
def zone(slug: str):
    zone = get_zone(slug)
    return render_template("places/zone.html", zone=zone, firms=published_firms_in_zone(zone))


@bp.get("/incubators")
def incubators():
    return render_template("places/incubators.html", incubators=list_incubators())


@bp.get("/incubators/<slug>")
def incubator(slug: str):
    return render_template("places/incubator.html", incubator=get_incubator(slug))


@bp.get("/places/wards")
def wards():
    """Wards and communes of a province, for the address form's script."""
    province = parse_int(request.args.get("province", ""))
    return jsonify(wards=list(wards_of_province(province)) if province is not None else [])
