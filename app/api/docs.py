"""The API's documentation page: how to call it, then the OpenAPI document rendered by Swagger UI
(vendored in app/static/vendor/swagger-ui; no CDN)."""

from flask import Blueprint, render_template, url_for

from app.page_cache import for_visitors

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
@for_visitors
def index():
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))
