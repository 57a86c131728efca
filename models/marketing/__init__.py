"""Marketing subgraph: opportunities (商机) with the QR codes (二维码) and follow-ups (跟进) of the
pool, here; audiences (目标客群, audiences.py); schemes and work orders (营销方案, 营销工单,
schemes.py); content, recommendation slots and the product knowledge base (内容管理, 产品推荐位,
产品知识库, content.py); performance indicators and targets (业绩管理, performance.py)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.approvals import ApprovalRequestBase, ApprovalStepBase
from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import EncryptedTextField, Entity
from models.marketing.audiences import Audience
from models.marketing.campaigns import (
    Campaign,
    CampaignContact,
    CampaignStatus,
    CampaignTemplate,
    CampaignWave,
    WaveStatus,
)
from models.marketing.content import (
    Article,
    ArticleEvent,
    ArticleStatus,
    ContentCategory,
    KnowledgeEntry,
    KnowledgeKind,
    RecommendationSlot,
    SearchDocument,
    SearchKind,
)
from models.marketing.messages import InboxMessage, MessageChannel, MessageStatus, OutboundMessage
from models.marketing.performance import (
    MeasureKind,
    PerformanceIndicator,
    PerformanceTarget,
    PeriodKind,
    TargetAction,
    TargetChange,
    TargetLevel,
    TargetStatus,
)
from models.marketing.points import PointsEntry, PointsKind
from models.marketing.reports import WorkReport, WorkReportPeriod, WorkReportStatus
from models.marketing.schemes import (
    ContactChannel,
    FeedbackResult,
    IndicatorKind,
    IndicatorSplit,
    MarketingScheme,
    SchemeIndicator,
    SchemeKind,
    SchemeStatus,
    SchemeTarget,
    SplitLevel,
    WorkOrder,
    WorkOrderFeedback,
    WorkOrderStatus,
)
from models.outbox import ConsumerCursorBase, OutboxEventBase, OutboxSequenceBase

__all__ = [
    "ApprovalRequest",
    "ApprovalStep",
    "Article",
    "ArticleEvent",
    "ArticleStatus",
    "Audience",
    "AuditRecord",
    "Campaign",
    "CampaignContact",
    "CampaignStatus",
    "CampaignTemplate",
    "CampaignWave",
    "ConsumerCursor",
    "ContactChannel",
    "ContentCategory",
    "FeedbackResult",
    "FollowUpChannel",
    "InboxMessage",
    "IndicatorKind",
    "IndicatorSplit",
    "KnowledgeEntry",
    "KnowledgeKind",
    "MarketingScheme",
    "MeasureKind",
    "MessageChannel",
    "MessageStatus",
    "Opportunity",
    "OpportunityFollowUp",
    "OpportunityStatus",
    "OutboundMessage",
    "OutboxEvent",
    "OutboxSequence",
    "PerformanceIndicator",
    "PerformanceTarget",
    "PeriodKind",
    "PointsEntry",
    "PointsKind",
    "QrCode",
    "RecommendationSlot",
    "SchemeIndicator",
    "SchemeKind",
    "SchemeStatus",
    "SchemeTarget",
    "SearchDocument",
    "SearchKind",
    "SplitLevel",
    "TargetAction",
    "TargetChange",
    "TargetLevel",
    "TargetStatus",
    "WaveStatus",
    "WorkOrder",
    "WorkOrderFeedback",
    "WorkOrderStatus",
    "WorkReport",
    "WorkReportPeriod",
    "WorkReportStatus",
]


class OpportunityStatus(StrEnum):
    OPEN = "OPEN"  # in the pool (商机池)
    CLAIMED = "CLAIMED"  # 认领
    CONVERTED = "CONVERTED"  # 转化
    CLOSED = "CLOSED"


class Opportunity(Entity):
    """商机: a customer's clear intent to buy a product. The title never names the customer: the
    customer (or a scanned lead's contact) is shown only to who may see it (resolvers/marketing/pool.py)."""

    tenant_id = fields.UUIDField(db_index=True)
    # customers Customer; None: a lead (线索) from a QR scan whose phone matched no customer
    customer_id = fields.UUIDField(null=True, db_index=True)
    title = fields.CharField(max_length=200)
    product_name = fields.CharField(max_length=100, default="")
    source = fields.CharField(max_length=40, default="rule")  # manual / QR_SCAN 扫码 / RULE 规则 / 模型
    status = fields.CharEnumField(OpportunityStatus, max_length=10, default=OpportunityStatus.OPEN)
    claimed_by_id = fields.UUIDField(null=True, db_index=True)  # operations User (认领 / 分派)
    # The org it belongs to (the customer's, or the QR code's): branch heads' scope and the statistics.
    org_path = fields.CharField(max_length=400, default="", db_index=True)
    claimed_org_path = fields.CharField(max_length=400, default="")  # the claimer's org, for statistics
    claimed_at = fields.DatetimeField(null=True)
    # One opportunity per source occurrence:
    # "qr:<code>:<phone index>:<day>", "rule:<rule>:<customer>:<period>".
    dedupe_key = fields.CharField(max_length=200, null=True, unique=True)
    qr_code_id = fields.UUIDField(null=True)
    rule = fields.CharField(max_length=40, default="")  # the system rule that raised it
    lead_name = EncryptedTextField(null=True)  # a scanned lead's name and phone: PII, encrypted
    lead_phone = EncryptedTextField(null=True)
    lead_remark = EncryptedTextField(null=True)
    masked_phone = fields.CharField(max_length=20, default="")  # 138****1234
    converted_amount = fields.DecimalField(max_digits=18, decimal_places=2, null=True)  # 转化金额
    converted_product = fields.CharField(max_length=100, default="")
    close_reason = fields.CharField(max_length=200, default="")
    finished_at = fields.DatetimeField(null=True)  # converted or closed

    class Meta:
        table = "opportunity"


class ApprovalRequest(ApprovalRequestBase):
    """A marketing scheme review (营销方案审核) under way (resolvers/common/approvals.py)."""

    # Branch targets' reviews (BRANCH_TARGET, 支行业绩指标) live here too: their subject is marketing's.

    class Meta:
        table = "approval_request"


class ApprovalStep(ApprovalStepBase):
    """审批记录 of marketing schemes."""

    class Meta:
        table = "approval_step"


class QrCode(Entity):
    """大众营销二维码: a customer scans it and leaves a phone, and the intent becomes an opportunity.
    ``token`` is the opaque part of the public link (POST /marketing/scan/<token>)."""

    tenant_id = fields.UUIDField(db_index=True)
    org_id = fields.UUIDField()
    org_path = fields.CharField(max_length=400, db_index=True)
    manager_id = fields.UUIDField(null=True)  # the manager its opportunities go to; None: the pool
    product_name = fields.CharField(max_length=100)
    label = fields.CharField(max_length=100)
    token = fields.CharField(max_length=64, unique=True)
    created_by = fields.UUIDField()
    active = fields.BooleanField(default=True)

    class Meta:
        table = "qr_code"


class FollowUpChannel(StrEnum):
    PHONE = "PHONE"  # 电话
    SMS = "SMS"  # 短信
    WECHAT = "WECHAT"  # 微信
    VISIT = "VISIT"  # 走访


class OpportunityFollowUp(Entity):
    """跟进记录 of an opportunity, by its claimer."""

    opportunity_id = fields.UUIDField(db_index=True)
    tenant_id = fields.UUIDField()
    manager_id = fields.UUIDField()
    channel = fields.CharEnumField(FollowUpChannel, max_length=8)
    note = fields.CharField(max_length=500)
    next_on = fields.DateField(null=True)  # 下次跟进日期
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "opportunity_follow_up"
        unique_together = (("manager_id", "idempotency_key"),)


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE


class ConsumerCursor(ConsumerCursorBase):
    """How far a consumer here of another subgraph's stream has got (realtime/consumer.py): the
    org changes of operations (resolvers/marketing/org_events.py)."""

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
