"""Marketing subgraph: opportunities (商机), audiences (目标客群, models/marketing/audiences.py),
schemes and work orders (营销方案, 营销工单: models/marketing/schemes.py)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.approvals import ApprovalRequestBase, ApprovalStepBase
from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import Entity
from models.marketing.audiences import Audience
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

__all__ = [
    "Audience",
    "AuditRecord",
    "ContactChannel",
    "FeedbackResult",
    "IndicatorKind",
    "IndicatorSplit",
    "MarketingScheme",
    "Opportunity",
    "OpportunityStatus",
    "SchemeIndicator",
    "SchemeKind",
    "SchemeStatus",
    "SchemeTarget",
    "SplitLevel",
    "WorkOrder",
    "WorkOrderFeedback",
    "WorkOrderStatus",
]


class OpportunityStatus(StrEnum):
    OPEN = "OPEN"  # in the pool (商机池)
    CLAIMED = "CLAIMED"  # 认领
    CONVERTED = "CONVERTED"  # 转化
    CLOSED = "CLOSED"


class Opportunity(Entity):
    """商机: a customer's clear intent to buy a product."""

    tenant_id = fields.UUIDField(db_index=True)
    customer_id = fields.UUIDField(db_index=True)  # customers Customer
    title = fields.CharField(max_length=200)
    product_name = fields.CharField(max_length=100, default="")
    source = fields.CharField(max_length=40, default="rule")  # 扫码 / 规则 / 模型
    status = fields.CharEnumField(OpportunityStatus, max_length=10, default=OpportunityStatus.OPEN)
    claimed_by_id = fields.UUIDField(null=True)  # operations User

    class Meta:
        table = "opportunity"


class ApprovalRequest(ApprovalRequestBase):
    """A marketing scheme review (营销方案审核) under way (resolvers/common/approvals.py)."""

    class Meta:
        table = "approval_request"


class ApprovalStep(ApprovalStepBase):
    """审批记录 of marketing schemes."""

    class Meta:
        table = "approval_step"


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE


# 内容管理, 产品推荐位, 产品知识库 (issue 17): models/marketing/content.py
from models.marketing.content import (  # noqa: E402
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

__all__ = [
    "Article",
    "ArticleEvent",
    "ArticleStatus",
    "AuditRecord",
    "ContentCategory",
    "KnowledgeEntry",
    "KnowledgeKind",
    "Opportunity",
    "OpportunityStatus",
    "RecommendationSlot",
    "SearchDocument",
    "SearchKind",
]
