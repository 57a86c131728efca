"""Every enum of the marketing schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.customers import CustomerTier
from models.marketing import (
    CampaignStatus,
    ContactChannel,
    FeedbackResult,
    IndicatorKind,
    MeasureKind,
    OpportunityStatus,
    PeriodKind,
    PointsKind,
    SchemeKind,
    SchemeStatus,
    SplitLevel,
    TargetAction,
    TargetLevel,
    TargetStatus,
    WaveStatus,
    WorkOrderStatus,
)
from resolvers.marketing.canvas import Channel, ConditionField, ContentKind, NodeKind

strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")
strawberry.enum(CustomerTier, name="CustomerTier", description="客户分层")
# 营销方案 and 营销工单 (models/marketing/schemes.py)
strawberry.enum(SchemeKind, name="MarketingSchemeKind", description="营销方案类型: 精准 / 大众")
strawberry.enum(SchemeStatus, name="MarketingSchemeStatus", description="营销方案状态")
strawberry.enum(IndicatorKind, name="SchemeIndicatorKind", description="方案指标")
strawberry.enum(SplitLevel, name="IndicatorSplitLevel", description="指标分解层级: 机构 / 客户经理")
strawberry.enum(WorkOrderStatus, name="WorkOrderStatus", description="营销工单状态")
strawberry.enum(ContactChannel, name="WorkOrderChannel", description="接触渠道 (含线上渠道)")
strawberry.enum(FeedbackResult, name="WorkOrderResult", description="反馈结果")
# 工作报告 (work reports)
from models.marketing import WorkReportPeriod, WorkReportStatus  # noqa: E402

strawberry.enum(WorkReportPeriod, name="WorkReportPeriod", description="报告周期: 周报 / 月报")
strawberry.enum(WorkReportStatus, name="WorkReportStatus", description="工作报告状态: 草稿 / 已提交 / 已退回")

__all__ = ["OpportunityStatus"]

# 内容管理 / 产品知识库 (issue 17)
from models.marketing import ArticleStatus, KnowledgeKind  # noqa: E402

strawberry.enum(
    ArticleStatus, name="ArticleStatus", description="文章状态: 草稿 / 待审核 / 已发布 / 已驳回 / 回收站"
)
strawberry.enum(
    KnowledgeKind, name="KnowledgeKind", description="知识库条目类型: 产品资讯 / 营销指引 / 常见问题"
)

__all__ += ["ArticleStatus", "KnowledgeKind"]
__all__ = [
    "ContactChannel",
    "CustomerTier",
    "FeedbackResult",
    "IndicatorKind",
    "OpportunityStatus",
    "SchemeKind",
    "SchemeStatus",
    "SplitLevel",
    "WorkOrderStatus",
]
from models.marketing import FollowUpChannel  # noqa: E402
from resolvers.marketing.streams import PoolEventKind  # noqa: E402

strawberry.enum(FollowUpChannel, name="FollowUpChannel", description="跟进方式")
strawberry.enum(PoolEventKind, name="PoolEventKind", description="商机池事件")

__all__ += ["FollowUpChannel", "PoolEventKind"]
strawberry.enum(CampaignStatus, name="CampaignStatus", description="营销活动状态")
strawberry.enum(WaveStatus, name="WaveStatus", description="波次状态")
strawberry.enum(NodeKind, name="CanvasNodeKind", description="画布节点类型")
strawberry.enum(Channel, name="CanvasChannel", description="触达渠道")
strawberry.enum(ConditionField, name="CanvasConditionField", description="分支条件")
strawberry.enum(ContentKind, name="ContentKind", description="内容模板类型")
strawberry.enum(PointsKind, name="PointsKind", description="积分流水类型")
# 业绩管理 (models/marketing/performance.py)
strawberry.enum(MeasureKind, name="PerformanceMeasure", description="指标度量方式 (从平台数据计算进度)")
strawberry.enum(PeriodKind, name="PerformancePeriodKind", description="考核期间: 月度 / 季度 / 年度")
strawberry.enum(TargetLevel, name="PerformanceTargetLevel", description="目标层级: 机构 / 个人")
strawberry.enum(
    TargetStatus, name="PerformanceTargetStatus", description="目标状态: 待审批 / 已生效 / 已驳回"
)
strawberry.enum(
    TargetAction,
    name="PerformanceTargetAction",
    description="目标变更 (留痕): 下达 / 通过 / 驳回 / 分解 / 移除",
)

__all__ = [
    "CampaignStatus",
    "Channel",
    "ConditionField",
    "ContentKind",
    "CustomerTier",
    "MeasureKind",
    "NodeKind",
    "OpportunityStatus",
    "PeriodKind",
    "PointsKind",
    "TargetAction",
    "TargetLevel",
    "TargetStatus",
    "WaveStatus",
    "WorkReportPeriod",
    "WorkReportStatus",
]
