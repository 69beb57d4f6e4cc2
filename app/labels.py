"""Human labels (translated) for the enumerated values shown on pages."""

from flask_babel import lazy_gettext as _l

from app.domain.firm_size import SectorGroup, SizeClass
from app.models import (
    AlertFrequency,
    CatalogueKind,
    CatalogueLevel,
    FirmStatus,
    GeographicScope,
    InterestStatus,
    IntroductionState,
    InvestmentType,
    InvestorType,
    MemberRole,
    ProgrammeStatus,
    ReturnState,
    SupportType,
    WorkforceLevel,
    ZoneKind,
    ZoneStatus,
)

LABELS = {
    SizeClass.MICRO: _l("Micro"),
    SizeClass.SMALL: _l("Small"),
    SizeClass.MEDIUM: _l("Medium"),
    SizeClass.LARGE: _l("Large"),
    SectorGroup.AGRI_INDUSTRY: _l("Agriculture, industry and construction"),
    SectorGroup.TRADE_SERVICES: _l("Trade and services"),
    CatalogueLevel.GROUP: _l("domain group"),
    CatalogueLevel.KIND: _l("kind"),
    CatalogueLevel.ITEM: _l("item"),
    CatalogueKind.TECHNOLOGY: _l("Technologies"),
    CatalogueKind.EQUIPMENT: _l("Equipment"),
    CatalogueKind.PRODUCT: _l("Products"),
    FirmStatus.DRAFT: _l("Draft"),
    FirmStatus.SUBMITTED: _l("Submitted"),
    FirmStatus.CHANGES_REQUESTED: _l("Changes requested"),
    FirmStatus.PUBLISHED: _l("Published"),
    FirmStatus.REJECTED: _l("Rejected"),
    FirmStatus.ARCHIVED: _l("Archived"),
    InterestStatus.NEW: _l("New"),
    InterestStatus.CONTACTED: _l("Contacted"),
    InterestStatus.SUPPORTED: _l("Supported"),
    InterestStatus.NOT_SUPPORTED: _l("Not supported"),
    MemberRole.OWNER: _l("Owner"),
    MemberRole.EDITOR: _l("Editor"),
    InvestmentType.EQUITY: _l("Equity"),
    InvestmentType.LOAN: _l("Loan"),
    InvestmentType.JOINT_VENTURE: _l("Joint venture"),
    InvestmentType.TECHNOLOGY_TRANSFER: _l("Technology transfer"),
    InvestmentType.ACQUISITION: _l("Acquisition"),
    SupportType.GRANT: _l("Grant"),
    SupportType.PREFERENTIAL_LOAN: _l("Preferential loan"),
    SupportType.INTEREST_SUBSIDY: _l("Interest subsidy"),
    SupportType.TAX_INCENTIVE: _l("Tax incentive"),
    SupportType.LAND: _l("Land"),
    SupportType.CONSULTING: _l("Consulting"),
    SupportType.TRAINING: _l("Training"),
    SupportType.TECHNOLOGY_TRANSFER: _l("Technology transfer"),
    SupportType.TRADE_PROMOTION: _l("Trade promotion"),
    SupportType.CERTIFICATION: _l("Certification and branding"),
    ProgrammeStatus.FORECAST: _l("Upcoming"),
    ProgrammeStatus.OPEN: _l("Open"),
    ProgrammeStatus.CLOSED: _l("Closed"),
    ProgrammeStatus.ARCHIVED: _l("Archived"),
    GeographicScope.NATIONAL: _l("Anywhere in Vietnam"),
    GeographicScope.PROVINCE: _l("Whole province"),
    GeographicScope.WARDS: _l("Selected wards and communes"),
    GeographicScope.ZONES: _l("Selected zones and clusters"),
    ZoneKind.ECONOMIC_ZONE: _l("Economic zone"),
    ZoneKind.BORDER_ECONOMIC_ZONE: _l("Border economic zone"),
    ZoneKind.INDUSTRIAL_PARK: _l("Industrial park"),
    ZoneKind.INDUSTRIAL_CLUSTER: _l("Industrial cluster"),
    ZoneStatus.OPERATING: _l("Operating"),
    ZoneStatus.PLANNED: _l("Planned"),
    ZoneStatus.CALLING_FOR_INVESTMENT: _l("Calling for investment"),
    ReturnState.NOT_STARTED: _l("Not started"),
    ReturnState.DRAFT: _l("Draft"),
    ReturnState.SUBMITTED: _l("Submitted"),
    ReturnState.REOPENED: _l("Re-opened for correction"),
    WorkforceLevel.WORKER: _l("Worker"),
    WorkforceLevel.TECHNICIAN: _l("Technician"),
    WorkforceLevel.ENGINEER: _l("Engineer"),
    WorkforceLevel.MANAGER: _l("Manager"),
    InvestorType.FUND: _l("Investment fund"),
    InvestorType.BANK: _l("Bank"),
    InvestorType.CORPORATE: _l("Corporate investor"),
    InvestorType.DEVELOPMENT_FINANCE: _l("Development finance institution"),
    InvestorType.ANGEL: _l("Angel investor"),
    InvestorType.OTHER: _l("Other investor"),
    AlertFrequency.OFF: _l("No e-mail alerts"),
    AlertFrequency.DAILY: _l("Daily alerts"),
    AlertFrequency.WEEKLY: _l("Weekly alerts"),
    IntroductionState.PENDING: _l("Awaiting answer"),
    IntroductionState.ACCEPTED: _l("Accepted"),
    IntroductionState.DECLINED: _l("Declined"),
}
LABELS_BY_VALUE = {str(key): text for key, text in LABELS.items()}


def label(value) -> str:
    """The translated label of an enumerated value (members and plain strings alike).

    Values shared by two enums (e.g. `archived`, `technology_transfer`) have the same label.
    """
    if value is None:
        return ""
    text = LABELS_BY_VALUE.get(str(value))
    return str(text) if text is not None else str(value)
