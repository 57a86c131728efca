"""Every enum of the marketing schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.customers import CustomerTier
from models.marketing import CampaignStatus, OpportunityStatus, PointsKind, WaveStatus
from resolvers.marketing.canvas import Channel, ConditionField, ContentKind, NodeKind

strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")

strawberry.enum(CustomerTier, name="CustomerTier", description="客户分层")

strawberry.enum(CampaignStatus, name="CampaignStatus", description="营销活动状态")
strawberry.enum(WaveStatus, name="WaveStatus", description="波次状态")
strawberry.enum(NodeKind, name="CanvasNodeKind", description="画布节点类型")
strawberry.enum(Channel, name="CanvasChannel", description="触达渠道")
strawberry.enum(ConditionField, name="CanvasConditionField", description="分支条件")
strawberry.enum(ContentKind, name="ContentKind", description="内容模板类型")
strawberry.enum(PointsKind, name="PointsKind", description="积分流水类型")

__all__ = [
    "CampaignStatus",
    "Channel",
    "ConditionField",
    "ContentKind",
    "CustomerTier",
    "NodeKind",
    "OpportunityStatus",
    "PointsKind",
    "WaveStatus",
]
