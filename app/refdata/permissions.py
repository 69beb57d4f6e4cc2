"""Who may manage reference data: the firm reviewers (Sở Công Thương curators and
administrators), since the catalogue, incubators, agencies and VSIC codes are shared by every
listing."""

from app.authorization import register
from app.firms.permissions import can_review_firms

register("refdata.manage", can_review_firms)
# VSIC codes: what firms record as their registered lines of business.
register("industry_code.manage", can_review_firms)
