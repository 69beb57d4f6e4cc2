"""Public catalogue pages: the tree, and one node with the firms that supply it, the firms that
need it, the programmes that target it and the products filed under it."""

from flask import Blueprint, redirect, render_template, url_for

from app.catalogue.service import catalogue_tree, current_code, get_item
from app.domain import clock
from app.errors import NotFound
from app.firms.service import published_firms_linked
from app.models import LinkRelation
from app.page_cache import for_visitors
from app.products.service import public_products_for_items
from app.programmes.service import programmes_targeting

bp = Blueprint("catalogue", __name__)


@bp.get("/catalogue")
@for_visitors
def index():
    return render_template("catalogue/index.html", tree=catalogue_tree())


@bp.get("/catalogue/<code>")
@for_visitors
def detail(code: str):
    try:
        item = get_item(code)
    except NotFound:
        # An old code (the entry was re-coded or merged) has moved for good.
        if (moved := current_code(code)) is None:
            raise
        return redirect(url_for("catalogue.detail", code=moved), 301)
    tree = catalogue_tree()
    return render_template(
        "catalogue/detail.html",
        item=item,
        tree=tree,
        firms=published_firms_linked(tree.subtree_ids(item), LinkRelation.OFFERS),
        buyers=published_firms_linked(tree.subtree_ids(item), LinkRelation.NEEDS),
        programmes=programmes_targeting(item, tree),
        products=public_products_for_items(tree.subtree_ids(item)),
        today=clock.today(),
    )
