"""Who may manage reference data: the firm reviewers (Sở Công Thương curators and
administrators), since the catalogue, incubators, agencies and VSIC codes are shared by every
listing. An incubator's figures are verified by a reviewer who belongs to an agency, which the
verification records."""

from flask_babel import lazy_gettext as _l

from app.authorization import register
from app.firms.permissions import can_review_firms
from app.models import Incubator, User


def can_verify_incubator(user: User, incubator: Incubator) -> bool:
    return can_review_firms(user) and user.agency_id is not None


register("refdata.manage", can_review_firms)
# VSIC codes: what firms record as their registered lines of business.
register("industry_code.manage", can_review_firms)
register(
    "incubator.verify",
    can_verify_incubator,
    on=Incubator,
    message=_l("Only a curator of Sở Công Thương can verify an incubator's figures."),
)
