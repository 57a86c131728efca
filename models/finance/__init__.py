"""Finance marketplace subgraph (金融大数据服务平台 / 普惠金融平台): institutions, products (金融超市),
orders — product applications and financing needs — with their handling, supervision and complaints.

Tortoise finds this app's models among this package's names, so each module's models are
imported here."""

from __future__ import annotations

from models.approvals import ApprovalRequestBase, ApprovalStepBase
from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.finance.complaints import Complaint, ComplaintKind, ComplaintStatus, ReviewVerdict
from models.finance.institutions import Institution, InstitutionKind, SlaPolicy, WechatBinding
from models.finance.orders import (
    ApplicationStatus,
    FinancingNeed,
    Handling,
    HandlingStatus,
    NeedMatch,
    NeedStatus,
    OfferStatus,
    OrderKind,
    PreCreditOffer,
    ProductApplication,
)
from models.finance.products import FinancialProduct, GuaranteeMethod, LoanMethod, ProductStatus
from models.finance.supervision import (
    ActionKind,
    CalendarDay,
    RiskKind,
    RiskPrompt,
    SupervisionAction,
    SupervisionWarning,
    WarningKind,
)
from models.outbox import ConsumerCursorBase, OutboxEventBase, OutboxSequenceBase

__all__ = [
    "ActionKind",
    "ApplicationStatus",
    "ApprovalRequest",
    "ApprovalStep",
    "AuditRecord",
    "CalendarDay",
    "Complaint",
    "ComplaintKind",
    "ComplaintStatus",
    "ConsumerCursor",
    "FinancialProduct",
    "FinancingNeed",
    "GuaranteeMethod",
    "Handling",
    "HandlingStatus",
    "Institution",
    "InstitutionKind",
    "LoanMethod",
    "NeedMatch",
    "NeedStatus",
    "OfferStatus",
    "OrderKind",
    "OutboxEvent",
    "OutboxSequence",
    "PreCreditOffer",
    "ProductApplication",
    "ProductStatus",
    "ReviewVerdict",
    "RiskKind",
    "RiskPrompt",
    "SlaPolicy",
    "SupervisionAction",
    "SupervisionWarning",
    "WarningKind",
    "WechatBinding",
]


class ApprovalRequest(ApprovalRequestBase):
    """A product listing review (产品上架审核) under way (resolvers/common/approvals.py)."""

    class Meta:
        table = "approval_request"


class ApprovalStep(ApprovalStepBase):
    """审批记录 of product listings."""

    class Meta:
        table = "approval_step"


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE


class ConsumerCursor(ConsumerCursorBase):
    """How far a consumer here of another subgraph's stream has got (realtime/consumer.py): the
    institutions operations onboards (resolvers/finance/onboarding_events.py)."""

    class Meta:
        table = "consumer_cursor"


class OutboxEvent(OutboxEventBase):
    """Events of this subgraph waiting for (or past) publication: see models/outbox.py."""

    class Meta:
        table = "outbox_event"
        unique_together = (("channel", "seq"),)


class OutboxSequence(OutboxSequenceBase):
    """The last number given to an event of each of this subgraph's channels."""

    class Meta:
        table = "outbox_sequence"
