"""Public pages for zones, clusters and incubators, and the address helpers: the wards of a
province, and the wards of today an old (pre-2025) address became."""

from flask import Blueprint, jsonify, render_template, request

from app.domain.old_places import find_old_places, new_wards_of
from app.domain.places import province_name_of_ward, ward_name, wards_of_province
from app.page_cache import for_visitors
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
@for_visitors
def zones():
    return render_template("places/zones.html", grouped=zones_by_kind())


@bp.get("/zones/<slug>")
@for_visitors
def zone(slug: str):
    zone = get_zone(slug)
    return render_template("places/zone.html", zone=zone, firms=published_firms_in_zone(zone))


@bp.get("/incubators")
@for_visitors
def incubators():
    return render_template("places/incubators.html", incubators=list_incubators())


@bp.get("/incubators/<slug>")
@for_visitors
def incubator(slug: str):
    return render_template("places/incubator.html", incubator=get_incubator(slug))


@bp.get("/places/wards")
def wards():
    """Wards and communes of a province, for the address form's script."""
    province = parse_int(request.args.get("province", ""))
    return jsonify(wards=list(wards_of_province(province)) if province is not None else [])


@bp.get("/places/old-address")
def old_address():
    """Find today's ward from an old address ("Tịnh Phong, Sơn Tịnh"): a plain GET form, so it
    works without scripts and keeps what was typed."""
    query = request.args.get("q", "")[:200].strip()
    places = find_old_places(query) if query else []
    wards = [(code, ward_name(code), province_name_of_ward(code)) for code in new_wards_of(places)]
    return render_template("places/old_address.html", query=query, places=places, wards=wards)
