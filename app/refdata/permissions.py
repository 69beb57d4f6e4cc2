"""Who may manage reference data: the firm reviewers (Sở Công Thương curators and
administrators), since the catalogue, incubators and agencies are shared by every listing."""

from app.firms.permissions import can_review_firms
from app.models import User


def can_manage_reference_data(user: User | None) -> bool:
    return can_review_firms(user)
