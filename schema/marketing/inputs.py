"""Input types of the marketing schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from resolvers.marketing.audiences import CriteriaInput
from schema.marketing.enums import (
    Channel,
    ConditionField,
    ContactChannel,
    ContentKind,
    CustomerTier,
    FeedbackResult,
    FollowUpChannel,
    IndicatorKind,
    KnowledgeKind,
    MeasureKind,
    NodeKind,
    SchemeKind,
    SplitLevel,
)


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"


# -- 内容管理 / 产品推荐位 / 产品知识库 (issue 17) ---------------------------------------------------


@strawberry.input(description="附件")
class ArticleAttachmentInput:
    name: str
    url: str


@strawberry.input(description="文章内容 (create / update)")
class ArticleInput:
    category_id: strawberry.ID
    title: str
    summary: str = ""
    body: str = ""
    cover_url: str = ""
    link_url: str = ""
    source: str = ""
    attachments: list[ArticleAttachmentInput] = strawberry.field(default_factory=list)
    published_at: datetime | None = strawberry.field(
        default=None, description="发布日期; null: when published"
    )
    pinned: bool = False
    sort_order: int = 0


@strawberry.input(description="产品知识库条目")
class KnowledgeEntryInput:
    kind: KnowledgeKind
    title: str
    body: str = ""
    product_name: str = ""


# -- 营销方案 and 营销工单 ----------------------------------------------------------------------------


@strawberry.input(description="方案指标及总量")
class SchemeIndicatorInput:
    kind: IndicatorKind
    total: Decimal


@strawberry.input(description="营销方案: 名称、周期、产品、渠道、目标客群、指标")
class SchemeInput:
    name: str
    starts_on: date
    ends_on: date
    description: str = ""
    products: list[str] = strawberry.field(default_factory=list)
    channels: list[ContactChannel] = strawberry.field(default_factory=list)
    audience_id: strawberry.ID | None = None
    indicators: list[SchemeIndicatorInput] = strawberry.field(default_factory=list)
    conversion_points: int = strawberry.field(default=0, description="积分奖励 per converted customer")


@strawberry.input
class CreateSchemeInput(SchemeInput):
    kind: SchemeKind = SchemeKind.PRECISION
    idempotency_key: str | None = None


@strawberry.input(description="一个机构或客户经理的分解指标")
class IndicatorShareInput:
    assignee_id: strawberry.ID
    target: Decimal


@strawberry.input(description="分解指标: ORG 总行分到机构, MANAGER 支行分到客户经理")
class SplitIndicatorInput:
    scheme_id: strawberry.ID
    kind: IndicatorKind
    level: SplitLevel
    shares: list[IndicatorShareInput]


@strawberry.input(description="名单分配: 一个客户分给一名客户经理")
class TargetAllocationInput:
    customer_id: strawberry.ID
    manager_id: strawberry.ID


@strawberry.input
class AllocateTargetsInput:
    scheme_id: strawberry.ID
    allocations: list[TargetAllocationInput]


@strawberry.input(description="工单反馈; clientId: 同一反馈重复提交只记一次")
class WorkOrderFeedbackInput:
    work_order_id: strawberry.ID
    client_id: str
    channel: ContactChannel
    result: FeedbackResult
    amount: Decimal = Decimal(0)
    note: str = ""


@strawberry.input(description="目标客群的条件: every one given must hold")
class AudienceCriteriaInput:
    tags: list[str] | None = strawberry.field(default=None, description="标签: has all of them")
    tiers: list[CustomerTier] | None = strawberry.field(default=None, description="客户分层: any of them")
    aum_min: Decimal | None = strawberry.field(default=None, description="金融资产下限 (inclusive)")
    aum_max: Decimal | None = strawberry.field(default=None, description="金融资产上限 (inclusive)")
    grid_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="网格 of the bank: any of them"
    )
    products_held: list[str] | None = strawberry.field(
        default=None, description="持有产品 (names): any of them"
    )
    org_path: str | None = strawberry.field(
        default=None,
        description="机构范围 (辖内): an org path within the caller's bank (a branch head: own subtree)",
    )

    def plain(self) -> CriteriaInput:
        return CriteriaInput(
            tags=self.tags,
            tiers=[t.value for t in self.tiers] if self.tiers is not None else None,
            aum_min=self.aum_min,
            aum_max=self.aum_max,
            grid_ids=[str(g) for g in self.grid_ids] if self.grid_ids is not None else None,
            products_held=self.products_held,
            org_path=self.org_path,
        )


@strawberry.input
class CreateAudienceInput:
    name: str
    criteria: AudienceCriteriaInput
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry returns the first"
    )


@strawberry.input(description="营销二维码")
class CreateQrCodeInput:
    product_name: str
    label: str
    org_id: strawberry.ID | None = strawberry.field(default=None, description="默认: my own org")
    manager_id: strawberry.ID | None = strawberry.field(
        default=None, description="归属客户经理: its opportunities go to them, not to the pool"
    )


@strawberry.input(description="跟进")
class FollowUpInput:
    opportunity_id: strawberry.ID
    channel: FollowUpChannel
    note: str
    next_on: date | None = None
    idempotency_key: str | None = None


@strawberry.input(description="转化")
class ConvertOpportunityInput:
    opportunity_id: strawberry.ID
    amount: Decimal
    product_name: str = ""


@strawberry.input(description="商机统计筛选")
class ConversionFilter:
    org_id: strawberry.ID | None = None
    manager_id: strawberry.ID | None = None
    since: date | None = None
    until: date | None = None


@strawberry.input(description="分支条件")
class CanvasConditionInput:
    field: ConditionField
    tiers: list[CustomerTier] | None = None
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None
    products_held: list[str] | None = None

    def plain(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "field": self.field.value,
            "tiers": [t.value for t in self.tiers] if self.tiers else None,
            "aumMin": None if self.aum_min is None else str(self.aum_min),
            "aumMax": None if self.aum_max is None else str(self.aum_max),
            "productsHeld": self.products_held,
        }
        return {k: v for k, v in stored.items() if v is not None}


@strawberry.input(description="画布节点: which fields matter depends on kind (docs/marketing.md)")
class CanvasNodeInput:
    id: str
    kind: NodeKind
    audience_id: strawberry.ID | None = strawberry.field(
        default=None, description="AUDIENCE: a stored audience"
    )
    criteria: AudienceCriteriaInput | None = strawberry.field(
        default=None, description="AUDIENCE: or criteria"
    )
    product_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="PRODUCT: listed products"
    )
    channel: Channel | None = strawberry.field(default=None, description="SEND")
    content_key: str | None = strawberry.field(default=None, description="SEND: a content template's key")
    condition: CanvasConditionInput | None = strawberry.field(default=None, description="BRANCH, GOAL")
    days: int = strawberry.field(default=0, description="WAIT: days until the next wave")
    points: int = strawberry.field(default=0, description="BENEFIT: 积分")

    def plain(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "audienceId": str(self.audience_id) if self.audience_id is not None else None,
            "criteria": _criteria_json(self.criteria) if self.criteria is not None else None,
            "productIds": [str(p) for p in self.product_ids] if self.product_ids is not None else None,
            "channel": self.channel.value if self.channel is not None else None,
            "contentKey": self.content_key,
            "condition": self.condition.plain() if self.condition is not None else None,
            "days": self.days or None,
            "points": self.points or None,
        }
        return {k: v for k, v in stored.items() if v is not None}


@strawberry.input(description="画布连线")
class CanvasEdgeInput:
    from_: str = strawberry.field(name="from")
    to: str
    when: str | None = strawberry.field(default=None, description="out of a BRANCH or GOAL: YES or NO")


@strawberry.input(description="画布")
class CanvasGraphInput:
    nodes: list[CanvasNodeInput]
    edges: list[CanvasEdgeInput]

    def plain(self) -> dict[str, Any]:
        return {
            "nodes": [n.plain() for n in self.nodes],
            "edges": [{"from": e.from_, "to": e.to, "when": e.when} for e in self.edges],
        }


@strawberry.input(description="内容模板 (variables: {{surname}} {{product}} {{points}} {{bank}})")
class ContentTemplateInput:
    key: str
    kind: ContentKind
    body: str
    title: str = ""
    image_url: str = ""

    def plain(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "title": self.title,
            "body": self.body,
            "imageUrl": self.image_url,
        }


@strawberry.input
class CreateCampaignTemplateInput:
    name: str
    scenario_code: str = strawberry.field(default="", description="场景库: without a graph, the scenario's")
    description: str = ""
    graph: CanvasGraphInput | None = None
    contents: list[ContentTemplateInput] | None = None


@strawberry.input
class CreateCampaignInput:
    name: str
    template_id: strawberry.ID | None = strawberry.field(default=None, description="start from this template")
    scenario_code: str = strawberry.field(default="", description="or from this scenario (场景库)")
    graph: CanvasGraphInput | None = strawberry.field(default=None, description="or this graph")
    contents: list[ContentTemplateInput] | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry returns the first"
    )


def _criteria_json(given: AudienceCriteriaInput) -> dict[str, Any]:
    plain = given.plain()
    stored: dict[str, Any] = {
        "tags": plain.tags,
        "tiers": plain.tiers,
        "aumMin": None if plain.aum_min is None else str(plain.aum_min),
        "aumMax": None if plain.aum_max is None else str(plain.aum_max),
        "gridIds": plain.grid_ids,
        "productsHeld": plain.products_held,
        "orgPath": plain.org_path,
    }
    return {k: v for k, v in stored.items() if v is not None}


# -- 业绩管理 (resolvers/marketing/performance.py) ------------------------------------------------


@strawberry.input(description="指标定义 (指标管理); code 为本行内唯一编码: 再次保存同一编码即修改")
class PerformanceIndicatorInput:
    code: str
    name: str
    category: str = strawberry.field(description="指标类别: 存款类 / 贷款类 / 客户类 / 营销类 …")
    unit: str = strawberry.field(description="单位: 户 / 次 / 笔 / 元")
    measure: MeasureKind
    weight: Decimal = strawberry.field(description="得分权重 (0–100)")
    active: bool = True


@strawberry.input(description="总行下达机构目标 (审批通过后生效); period: 2026-12 / 2026-Q4 / 2026")
class BranchTargetInput:
    indicator_id: strawberry.ID
    org_id: strawberry.ID
    period: str
    target: Decimal
    comment: str = ""


@strawberry.input(description="个人目标: 一名客户经理及其目标值")
class StaffTargetShareInput:
    staff_id: strawberry.ID
    target: Decimal


@strawberry.input(description="支行负责人分解机构目标到个人 (替换此前的分解; 合计不得超过机构目标)")
class SplitBranchTargetInput:
    target_id: strawberry.ID
    shares: list[StaffTargetShareInput]
    comment: str = ""


# -- 工作报告 (work reports) --------------------------------------------------------------------------


@strawberry.input(description="修改工作报告: its text (a draft or a returned one)")
class UpdateWorkReportInput:
    id: strawberry.ID
    summary: str = strawberry.field(description="本期工作总结")
    plan: str = strawberry.field(default="", description="下期工作计划")


@strawberry.input(description="退回工作报告 with a comment")
class ReturnWorkReportInput:
    id: strawberry.ID
    comment: str = strawberry.field(description="退回意见")
