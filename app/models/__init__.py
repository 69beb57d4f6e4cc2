"""All models, importable from one place (Alembic and the app import this package)."""

from app.models.agency import Agency
from app.models.audit import AuditEvent, OutboxOperation, SearchOutbox
from app.models.catalogue import CatalogueItem, CatalogueKind, CatalogueLevel
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
from app.models.place import Incubator, Zone, ZoneKind, ZoneStatus
from app.models.programme import GeographicScope, Programme, ProgrammeStatus, SupportType
from app.models.user import Role, User

__all__ = [
    "Agency",
    "AuditEvent",
    "CatalogueItem",
    "CatalogueKind",
    "CatalogueLevel",
    "Firm",
    "FirmCatalogueLink",
    "FirmCertification",
    "FirmClaim",
    "FirmIndustryCode",
    "FirmInvitation",
    "FirmMember",
    "FirmRevision",
    "FirmStatus",
    "GeographicScope",
    "Incubator",
    "Interest",
    "InterestStatus",
    "InterestTarget",
    "IndustryCode",
    "InvestmentType",
    "LinkRelation",
    "MemberRole",
    "OutboxOperation",
    "Programme",
    "ReviewState",
    "ProgrammeStatus",
    "Role",
    "SearchOutbox",
    "SupportType",
    "User",
    "Zone",
    "ZoneKind",
    "ZoneStatus",
]
