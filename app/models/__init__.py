"""All models, importable from one place (Alembic and the app import this package)."""

from app.models.agency import Agency
from app.models.api_token import ApiScope, ApiToken
from app.models.article import Article, ArticleImage, ArticleKind, ArticleState
from app.models.audit import AuditEvent, DataGeneration, OutboxOperation, SearchOutbox
from app.models.base import Provenance
from app.models.catalogue import (
    CatalogueCodeAlias,
    CatalogueItem,
    CatalogueKind,
    CatalogueLevel,
)
from app.models.firm import (
    Firm,
    FirmCatalogueLink,
    FirmCertification,
    FirmClaim,
    FirmIndustryCode,
    FirmInvitation,
    FirmMember,
    FirmRevision,
    FirmStatus,
    IndustryCode,
    InvestmentType,
    LinkRelation,
    MemberRole,
    ReviewState,
)
from app.models.interest import Interest, InterestStatus, InterestTarget
from app.models.investor import (
    AlertDelivery,
    AlertFrequency,
    IntroductionRequest,
    IntroductionState,
    InvestorProfile,
    InvestorType,
    SavedSearch,
    Shortlist,
    ShortlistEntry,
)
from app.models.place import Incubator, Zone, ZoneKind, ZoneStatus
from app.models.programme import (
    Criterion,
    GeographicScope,
    Programme,
    ProgrammeStatus,
    SupportType,
)
from app.models.reporting import (
    ReminderLog,
    ReportingYear,
    ReturnState,
    WorkforceLevel,
    WorkforceNeed,
    YearlyReturn,
)
from app.models.throttle import LoginThrottle, RateLimitCounter
from app.models.user import Role, User

__all__ = [
    "Agency",
    "ApiScope",
    "ApiToken",
    "Article",
    "ArticleImage",
    "ArticleKind",
    "ArticleState",
    "AlertDelivery",
    "AlertFrequency",
    "AuditEvent",
    "CatalogueCodeAlias",
    "CatalogueItem",
    "CatalogueKind",
    "CatalogueLevel",
    "DataGeneration",
    "Firm",
    "FirmCatalogueLink",
    "FirmCertification",
    "FirmClaim",
    "FirmIndustryCode",
    "FirmInvitation",
    "FirmMember",
    "FirmRevision",
    "FirmStatus",
    "Criterion",
    "GeographicScope",
    "Incubator",
    "Interest",
    "InterestStatus",
    "InterestTarget",
    "IndustryCode",
    "IntroductionRequest",
    "IntroductionState",
    "InvestmentType",
    "InvestorProfile",
    "InvestorType",
    "LinkRelation",
    "LoginThrottle",
    "RateLimitCounter",
    "MemberRole",
    "OutboxOperation",
    "Programme",
    "ReviewState",
    "ProgrammeStatus",
    "Provenance",
    "ReminderLog",
    "ReportingYear",
    "ReturnState",
    "Role",
    "SavedSearch",
    "SearchOutbox",
    "Shortlist",
    "ShortlistEntry",
    "SupportType",
    "User",
    "WorkforceLevel",
    "WorkforceNeed",
    "YearlyReturn",
    "Zone",
    "ZoneKind",
    "ZoneStatus",
]
