"""Human labels (translated) for every code shown on pages: enumerated values, audit actions,
the curator's checks, the fields an audit event names, and their stored values."""

import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.enterprise import EnterpriseType
from app.domain.firm_size import SectorGroup, SizeClass
from app.domain.places import ward_name
from app.i18n import format_day, format_moment, format_vnd
from app.models import (
    AlertFrequency,
    ArticleKind,
    ArticleState,
    CatalogueKind,
    CatalogueLevel,
    Criterion,
    FirmStatus,
    GeographicScope,
    InterestStatus,
    InterestTarget,
    IntroductionState,
    InvestmentType,
    InvestorType,
    LabelKind,
    MarketKind,
    MarketSide,
    MarketStatus,
    MemberRole,
    ProgrammeStatus,
    Provenance,
    ResponseState,
    ReturnState,
    ReviewState,
    Role,
    SupportType,
    WorkforceLevel,
    ZoneKind,
    ZoneStatus,
)

LABELS = {
    Criterion.SCOPE: _l("Where the firm is"),
    Criterion.ENTERPRISE_TYPES: _l("Type of firm"),
    Criterion.SIZES: _l("Firm size"),
    Criterion.DOMAINS: _l("Target domains and items"),
    Criterion.AGE: _l("Firm age"),
    SizeClass.MICRO: _l("Micro"),
    SizeClass.SMALL: _l("Small"),
    SizeClass.MEDIUM: _l("Medium"),
    SizeClass.LARGE: _l("Large"),
    EnterpriseType.PRIVATE_ENTERPRISE: _l("Private enterprise"),
    EnterpriseType.LLC_ONE_MEMBER: _l("One-member limited liability company"),
    EnterpriseType.LLC_MULTI_MEMBER: _l("Limited liability company with two or more members"),
    EnterpriseType.JOINT_STOCK: _l("Joint-stock company"),
    EnterpriseType.PARTNERSHIP: _l("Partnership"),
    EnterpriseType.COOPERATIVE: _l("Cooperative"),
    EnterpriseType.HOUSEHOLD: _l("Household business"),
    EnterpriseType.BRANCH: _l("Branch"),
    EnterpriseType.REPRESENTATIVE_OFFICE: _l("Representative office"),
    EnterpriseType.PUBLIC_SERVICE_UNIT: _l("Public service unit"),
    EnterpriseType.OTHER_ORGANISATION: _l("Other organisation (institute, school, association)"),
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
    Provenance.SAMPLE: _l("Sample data (demo, not real figures)"),
    Provenance.PUBLIC_SOURCE: _l("From a public source (document below)"),
    Provenance.VERIFIED: _l("Verified by the agency"),
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
    # ReviewState.PENDING is "pending" as IntroductionState.PENDING is: "Awaiting answer".
    ReviewState.APPROVED: _l("Approved"),
    ReviewState.WITHDRAWN: _l("Withdrawn"),
    Role.BUSINESS: _l("Business"),
    Role.INVESTOR: _l("Investor"),
    Role.CURATOR: _l("Curator"),
    Role.ADMIN: _l("Administrator"),
    InterestTarget.PROGRAMME: _l("Support programme"),
    InterestTarget.ZONE: _l("Zone or cluster"),
    InterestTarget.INCUBATOR: _l("Incubator"),
    MarketSide.REQUEST: _l("Request"),
    MarketSide.OFFER: _l("Offer"),
    MarketKind.BUY_EQUIPMENT: _l("Buy equipment"),
    MarketKind.LICENSE_PATENT: _l("License a patent"),
    MarketKind.HIRE_EXPERT: _l("Hire an expert"),
    MarketKind.JOINT_RND: _l("Joint research and development"),
    MarketKind.INVESTMENT: _l("Investment"),
    MarketKind.TECHNOLOGY: _l("Technology"),
    MarketKind.PRODUCT: _l("Product"),
    MarketKind.PATENT: _l("Patent"),
    MarketKind.EXPERTISE: _l("Expertise"),
    MarketStatus.EXPIRED: _l("Expired"),
    ResponseState.SENT: _l("Sent"),
    ResponseState.SHORTLISTED: _l("Shortlisted"),
    # ResponseState.ACCEPTED and DECLINED are IntroductionState's "accepted" and "declined".
    ArticleKind.NEWS: _l("News"),
    ArticleKind.STORY: _l("Success story"),
    ArticleState.SCHEDULED: _l("Scheduled"),
    LabelKind.PRODUCT_LABEL: _l("Product label"),
    LabelKind.MANAGEMENT_SYSTEM: _l("Certified management system"),
    LabelKind.RECOGNITION: _l("Recognition programme"),
}
LABELS_BY_VALUE = {str(key): text for key, text in LABELS.items()}

# Check codes are stored in `Firm.review_failed_checks` when changes are requested, so the
# business side shows the same labels the curator ticked.
CHECK_LABELS = {
    "tax_code_valid": _l("The tax code is valid"),
    "no_duplicate_tax_code": _l("No other listing has the same tax code (or is a branch of it)"),
    "no_similar_name": _l("No other listing has a very similar name"),
    "legal_name": _l("The legal name is filled in"),
    "ward": _l("The ward or commune is chosen"),
    "description": _l("The description is written"),
    "size_inputs": _l(
        "Sector, insured employees and revenue or capital are given (for the size class)"
    ),
    "offerings": _l("At least one catalogue item is offered"),
}

# What a record's own audit events did to it (`<kind>.<verb>`, any kind of record).
VERB_LABELS = {
    "create": _l("Created"),
    "update": _l("Edited"),
    "submit": _l("Submitted for review"),
    "approve": _l("Approved and published"),
    "request_changes": _l("Changes requested"),
    "reject": _l("Rejected"),
    "archive": _l("Archived"),
    "restore": _l("Restored"),
    "publish": _l("Published"),
    "unpublish": _l("Withdrawn from the public"),
    "verify": _l("Marked as verified"),
    "unverify": _l("Verification removed"),
    "delete": _l("Deleted"),
    "merge": _l("Other entries merged into this one"),
    "merged_into": _l("Merged into another entry"),
    "logo": _l("Logo changed"),
    "invitation_accepted": _l("Invitation accepted"),
    "size_updated_from_return": _l("Size updated from the yearly return"),
    "schedule": _l("Scheduled for publication"),
    "publish_due": _l("Published at its scheduled time"),
}
# Events about something attached to the record (a claim, a proposed change, …).
ACTION_LABELS = {
    "claim.create": _l("Asked to manage the listing"),
    "article.image_add": _l("Image added"),
    "article.image_remove": _l("Image removed"),
    "claim.approve": _l("Request to manage approved"),
    "claim.reject": _l("Request to manage rejected"),
    "revision.propose": _l("Changes proposed"),
    "revision.approve": _l("Proposed changes approved"),
    "revision.reject": _l("Proposed changes rejected"),
    "member.invite": _l("Colleague invited"),
    "member.remove": _l("Colleague removed"),
    "interest.create": _l("Interest registered"),
    "interest.status": _l("Interest follow-up updated"),
    "introduction.request": _l("Introduction requested by an investor"),
    "introduction.answer": _l("Introduction request answered"),
    "reporting_year.opened": _l("Reporting year opened"),
    "reporting_year.closed": _l("Reporting year closed"),
    "return.saved": _l("Yearly return saved"),
    "return.submitted": _l("Yearly return submitted"),
    "return.reopened": _l("Yearly return re-opened"),
    "saved_search.alerts": _l("Alert frequency changed"),
    "saved_search.unsubscribe": _l("Alerts stopped from the e-mail link"),
    "workforce.occupations_merged": _l("Occupations merged"),
    "market_listing.renew": _l("Renewed for 12 months"),
    "market_listing.propose": _l("Change proposed"),
    "market_listing.withdraw_change": _l("Proposed change withdrawn"),
    "market_listing.approve_change": _l("Proposed change approved"),
    "market_listing.reject_change": _l("Proposed change refused"),
    "market_listing.expire": _l("Expired"),
    "market_response.create": _l("Answer sent by a supplier"),
    "market_response.shortlist": _l("Answer shortlisted"),
    "market_response.accept": _l("Answer accepted: contacts exchanged"),
    "market_response.decline": _l("Answer declined"),
    "market_response.deal": _l("Deal reported"),
    "market_alerts.set": _l("Marketplace e-mails turned on or off"),
    "market_alerts.unsubscribe": _l("Marketplace e-mails stopped from the e-mail link"),
    "product.photo_add": _l("Photo added"),
    "product.photo_remove": _l("Photo removed"),
    "product.withdraw": _l("Withdrawn from the public by a curator"),
}
IMPORT_LABEL = _l("Imported from a file")

# The fields audit events name, beyond a listing's own (see app.curation.display).
FIELD_LABELS = {
    "status": _l("Status"),
    "review_reason": _l("Reason"),
    "review_failed_checks": _l("What the business must fix"),
    "published_at": _l("Published on"),
    "verified_at": _l("Verified on"),
    "verified_by_agency": _l("Verified by"),
    "verified_on": _l("Verified on"),
    "agency_id": _l("Agency"),
    "title_vi": _l("Title (Vietnamese)"),
    "title_en": _l("Title (English)"),
    "basis_document": _l("Legal basis (document)"),
    "basis_date": _l("Date of the legal basis"),
    "summary_vi": _l("Summary (Vietnamese)"),
    "summary_en": _l("Summary (English)"),
    "description_vi": _l("Description (Vietnamese)"),
    "description_en": _l("Description (English)"),
    "support_types": _l("Support types"),
    "eligible_enterprise_types": _l("Type of firm"),
    "eligible_size_classes": _l("Firm size"),
    "geographic_scope": _l("Geographic scope"),
    "eligible_ward_codes": _l("Eligible wards and communes"),
    "zone_ids": _l("Eligible zones and clusters"),
    "min_firm_age_years": _l("Minimum firm age (years)"),
    "max_firm_age_years": _l("Maximum firm age (years)"),
    "other_conditions_vi": _l("Other conditions (Vietnamese)"),
    "other_conditions_en": _l("Other conditions (English)"),
    "preferred_criteria": _l("Preferences, not requirements"),
    "target_item_ids": _l("Target catalogue groups and items"),
    "max_amount_vnd": _l("Maximum amount (VND)"),
    "cofinancing_pct": _l("Share of the cost the programme pays (%)"),
    "opens_on": _l("Opens on"),
    "closes_on": _l("Closes on"),
    "rolling": _l("Rolling, no deadline"),
    "contact": _l("Contact"),
    "official_url": _l("Official page (URL)"),
    "provenance": _l("Where the figures come from"),
    "source_document": _l("Source document (number and symbol)"),
    "source_date": _l("Date of the source document"),
    "source_url": _l("Link to the source document"),
    "name_vi": _l("Name (Vietnamese)"),
    "name_en": _l("English name"),
    "kind": _l("Kind"),
    "parent_id": _l("Part of"),
    "area_ha": _l("Area (ha)"),
    "occupancy_pct": _l("Occupancy (%)"),
    "wastewater_capacity_m3_day": _l("Wastewater treatment capacity (m³/day)"),
    "incentives_vi": _l("Incentives (Vietnamese)"),
    "incentives_en": _l("Incentives (English)"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "priority_item_ids": _l("Priority catalogue groups and items"),
    "code": _l("Code"),
    "official_number": _l("Official item number"),
    "verified": _l("Checked against the official appendix"),
    "sort_order": _l("Sort order"),
    "host_organisation": _l("Host organisation"),
    "services_vi": _l("Services (Vietnamese)"),
    "services_en": _l("Services (English)"),
    "max_startup_age_years": _l("Maximum start-up age (years)"),
    "capacity": _l("Capacity (start-ups)"),
    "focus_item_ids": _l("Focus groups and entries"),
    "superior_name": _l("Superior body"),
    "abbreviation": _l("Abbreviation in document symbols"),
    "place_name": _l("Place name in document dates"),
    "signer_position": _l("Signer's position"),
    "signer_name": _l("Signer's name"),
    "recipients": _l("Recipients (one per line)"),
    "vsic_version": _l("VSIC version"),
    "logo": _l("Logo"),
    "email": _l("E-mail"),
    "name": _l("Name"),
    "frequency": _l("E-mail alerts"),
    "year": _l("Year"),
    "active": _l("Active"),
    "state": _l("Status"),
    "claim": _l("Request to manage"),
    "introduction": _l("Introduction request"),
    "interest": _l("Interest"),
    "response": _l("Answer"),
    "deal": _l("Deal reported"),
    "expires_at": _l("Expires on"),
    "title": _l("Title"),
    "description": _l("Description"),
    "ward_code": _l("Ward or commune"),
    "item_ids": _l("Catalogue items"),
    "budget_min_vnd": _l("Budget from (đồng)"),
    "budget_max_vnd": _l("Budget up to (đồng)"),
    "deadline": _l("Deadline"),
    "trl": _l("Technology readiness level (TRL)"),
    "licensing_terms": _l("Licensing terms"),
    "user": _l("Account"),
    "user_id": _l("Account"),
    "firm": _l("Firm"),
    "preferred_language": _l("Preferred language"),
    "role": _l("Account type"),
}
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d$")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def label(value) -> str:
    """The translated label of an enumerated value (members and plain strings alike) or of an
    audit action code.

    Values shared by two enums (e.g. `archived`, `technology_transfer`) have the same label.
    """
    if value is None:
        return ""
    text = LABELS_BY_VALUE.get(str(value)) or ACTION_LABELS.get(str(value))
    if text is None and "." in str(value):
        kind, _dot, verb = str(value).partition(".")
        text = IMPORT_LABEL if kind == "import" else VERB_LABELS.get(verb)
    return str(text) if text is not None else str(value)


def check_label(code: str) -> str:
    """The translated label of a check code (as stored in `Firm.review_failed_checks`)."""
    text = CHECK_LABELS.get(code)
    return str(text) if text is not None else code


def field_label(name: str) -> str:
    text = FIELD_LABELS.get(name)
    return str(text) if text is not None else name


def shown_values(name: str, value) -> list[str]:
    """A stored value (as audit events keep it) in words: labels for codes, local dates and
    times, one entry per item of a list."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        return [text for item in value for text in shown_values(name, item)]
    if isinstance(value, bool):
        return [_("Yes") if value else _("No")]
    if name == "review_failed_checks":
        return [check_label(value)]
    if name == "preferred_language":
        return [LANGUAGE_NAMES.get(value, value)]
    if name == "ward_code" and isinstance(value, int):
        return [ward_name(value) or str(value)]
    if name.endswith("_vnd") and isinstance(value, int):
        return [format_vnd(value)]
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return [format_moment(datetime.fromisoformat(value))]
    if isinstance(value, str) and ISO_DAY.match(value):
        return [format_day(value)]
    return [label(value)]
