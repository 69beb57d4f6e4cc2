"""Who may do what with products: a firm's members list its products and their certificates;
the reviewers of firm listings (Sở Công Thương, administrators) verify certificates and keep the
list of labels."""

from flask_babel import lazy_gettext as _l

from app.authorization import register
from app.firms.permissions import can_edit_firm, can_review_firms, is_member
from app.models import Firm, Product, User


def can_add_product(user: User, firm: Firm) -> bool:
    return can_edit_firm(user, firm)


def can_manage_product(user: User, product: Product) -> bool:
    return is_member(user, product.firm)


def can_edit_product(user: User, product: Product) -> bool:
    return can_edit_firm(user, product.firm)


REVIEWERS_ONLY = _l(
    "Only curators of Sở Công Thương verify certificates, keep the labels and withdraw products."
)

register("product.create", can_add_product, on=Firm, verified=True)
# The business's own pages of a product: anybody else learns nothing of them (not found).
register("product.manage", can_manage_product, on=Product, conceal=True)
register("product.edit", can_edit_product, on=Product, verified=True)
register("certificate.review", can_review_firms, message=REVIEWERS_ONLY)
register("label.manage", can_review_firms, message=REVIEWERS_ONLY)
# Withdraw a product from the public (and put it back): moderation after publication.
register("product.moderate", can_review_firms, message=REVIEWERS_ONLY)
