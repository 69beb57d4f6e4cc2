"""The open-data page (each dataset with its downloads, data dictionary, licence and last
change), the files, and the DCAT catalogue as JSON-LD. Views parse, call one service, render."""

import json
import os

from flask import Blueprint, Response, make_response, render_template, send_file
from flask_babel import gettext as _

from app.backoffice import export_cache
from app.errors import render_error
from app.opendata import catalog, datasets
from app.page_cache import for_visitors
from app.security import DOWNLOAD_LIMIT, limiter

bp = Blueprint("opendata", __name__)

# Files and metadata change at most with the data: an hour in any cache is fine.
CACHE_CONTROL = "public, max-age=3600"
MIMETYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@bp.get("/open-data")
@for_visitors
def index():
    listed = [(dataset, dataset.modified()) for dataset in datasets.DATASETS.values()]
    name, url = datasets.licence()
    return render_template(
        "opendata/index.html",
        listed=listed,
        licence_name=name,
        licence_url=url,
        catalog=catalog.catalog(),
    )


@bp.get("/open-data/<slug>.<fmt>")
@limiter.limit(DOWNLOAD_LIMIT)
def download(slug: str, fmt: str):
    try:
        file = datasets.dataset_file(slug, fmt)
    except export_cache.Busy:
        message = _("Another list is being prepared for download. Please try again in a moment.")
        response = make_response(render_error(429, message))
        response.headers["Retry-After"] = str(export_cache.RETRY_AFTER_SECONDS)
        return response
    response = send_file(
        file,
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=f"cnmt-{slug}.{fmt}",
        etag=False,
    )
    response.content_length = os.fstat(file.fileno()).st_size
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/open-data/catalog.jsonld")
@for_visitors
def catalog_jsonld():
    body = json.dumps(catalog.catalog(), ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/ld+json")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
