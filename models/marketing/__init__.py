"""Marketing subgraph: opportunities (商机), audiences (目标客群, models/marketing/audiences.py)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import Entity
from models.marketing.audiences import Audience
from models.marketing.campaigns import (
    Campaign,
    CampaignContact,
    CampaignStatus,
    CampaignTemplate,
    CampaignWave,
    WaveStatus,
)
from models.marketing.messages import InboxMessage, MessageChannel, MessageStatus, OutboundMessage
from models.marketing.points import PointsEntry, PointsKind

__all__ = [
    "Audience",
    "AuditRecord",
    "Campaign",
    "CampaignContact",
    "CampaignStatus",
    "CampaignTemplate",
    "CampaignWave",
    "InboxMessage",
    "MessageChannel",
    "MessageStatus",
    "Opportunity",
    "OpportunityStatus",
    "OutboundMessage",
    "PointsEntry",
    "PointsKind",
    "WaveStatus",
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


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE
