"""Who may see and run the back office: SCT reviewers run statistics, exports with non-public
fields and the yearly data update; a firm's members fill in its yearly return."""

from app.authorization import register
from app.firms.permissions import can_review_firms, is_member
from app.models import Firm

# Open reporting years, follow responses, re-open returns, download the yearly report.
register("reporting.run", can_review_firms)
# Curator statistics and exports that include fields the public never sees.
register("statistics.see_private", can_review_firms)
# Anybody but the firm's members learns nothing of its returns (not found).
register("return.fill", is_member, on=Firm, conceal=True)
# Merge two spellings of one occupation in the workforce needs of every year's returns.
register("workforce.merge_occupations", can_review_firms)
