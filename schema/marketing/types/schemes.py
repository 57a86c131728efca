"""Marketing types: 营销方案 (schemes), their indicators (分解指标) and monitoring (营销方案监控),
the target list (目标名单) and 营销工单 (work orders).

``MarketingScheme`` and ``WorkOrder`` read their rows (models/marketing/schemes.py) as their
parents; every relation resolves through ``info.context.loaders`` (one statement per batch).
A customer is only a ``Customer`` stub: the customers subgraph shows it, or not, by its own rule.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from models.marketing import MarketingScheme as SchemeRow
from models.marketing import SchemeTarget as TargetRow
from models.marketing import WorkOrder as WorkOrderRow
from resolvers.common.values import parse_id
from resolvers.marketing import work_orders as figures
from schema.common.federation import entity
from schema.marketing.context import Info
from schema.marketing.enums import (
    ContactChannel,
    FeedbackResult,
    IndicatorKind,
    SchemeKind,
    SchemeStatus,
    SplitLevel,
    WorkOrderStatus,
)
from schema.marketing.federation import Customer, Org, User, org_of, user_of


@strawberry.type(description="渠道接触占比")
class ChannelShare:
    channel: ContactChannel
    online: bool = strawberry.field(description="线上渠道 (手机银行、App、网银)")
    contacts: int
    share: float = strawberry.field(description="占全部接触的比例 (0–1)")


@strawberry.type(description="营销方案监控: 执行、转化、渠道接触占比 (按调用者范围)")
class SchemeMonitoring:
    total: int = strawberry.field(description="工单数")
    processed: int = strawberry.field(description="已处理 (完成或失败)")
    contacted: int = strawberry.field(description="已接触")
    converted: int = strawberry.field(description="已转化")
    amount: Decimal = strawberry.field(description="营销金额")
    points_issued: int = strawberry.field(description="积分发放: points the converted customers earned")
    execution_rate: float = strawberry.field(description="执行率: 已处理 / 工单数")
    conversion_rate: float = strawberry.field(description="转化率: 已转化 / 工单数")
    channels: list[ChannelShare]

    @staticmethod
    def of(monitoring: figures.Monitoring) -> SchemeMonitoring:
        return SchemeMonitoring(
            total=monitoring.total,
            processed=monitoring.processed,
            contacted=monitoring.contacted,
            converted=monitoring.converted,
            amount=monitoring.amount,
            points_issued=monitoring.points_issued,
            execution_rate=monitoring.execution_rate,
            conversion_rate=monitoring.conversion_rate,
            channels=[
                ChannelShare(channel=c.channel, online=c.online, contacts=c.contacts, share=c.share)
                for c in monitoring.channels
            ],
        )


@strawberry.type(description="分解到一个机构或客户经理的指标及完成")
class IndicatorSplit:
    level: SplitLevel
    assignee_id: strawberry.ID = strawberry.field(description="机构 id (ORG) 或客户经理 id (MANAGER)")
    target: Decimal
    actual: Decimal

    @strawberry.field(description="客户经理 (MANAGER)")
    def manager(self) -> User | None:
        return user_of(parse_id(self.assignee_id)) if self.level == SplitLevel.MANAGER else None

    @strawberry.field(description="机构 (ORG)")
    def org(self) -> Org | None:
        return org_of(parse_id(self.assignee_id)) if self.level == SplitLevel.ORG else None


@strawberry.type(description="方案指标: 总量、完成 (按调用者范围) 及分解")
class SchemeIndicator:
    kind: IndicatorKind
    total: Decimal
    actual: Decimal
    splits: list[IndicatorSplit]


@strawberry.type(description="方案进度: 一名客户经理的工单执行")
class ManagerProgress:
    manager: User
    total: int
    processed: int
    contacted: int
    converted: int
    amount: Decimal


@strawberry.federation.type(keys=["id"], description="营销方案")
class MarketingScheme:
    id: strawberry.ID
    kind: SchemeKind
    name: str
    description: str
    status: SchemeStatus
    starts_on: date
    ends_on: date
    products: list[str]
    channels: list[ContactChannel]
    audience_id: strawberry.ID | None
    list_complete: bool = strawberry.field(description="目标名单已生成")
    created_at: datetime
    started_at: datetime | None
    closed_at: datetime | None

    @strawberry.field(description="所属机构 (总行或支行)")
    @staticmethod
    def org(parent: strawberry.Parent[SchemeRow]) -> Org:
        return org_of(parent.org_id)

    @strawberry.field(description="指标及分解、完成情况")
    @staticmethod
    async def indicators(parent: strawberry.Parent[SchemeRow], info: Info) -> list[SchemeIndicator]:
        loaders = info.context.loaders
        rows = await loaders.indicators_of_scheme.load(parent.id)
        splits = await loaders.splits_of_scheme.load(parent.id)
        progress = figures.progress_of(rows, splits, await loaders.scheme_figures.load(parent.id))
        return [
            SchemeIndicator(
                kind=p.kind,
                total=p.total,
                actual=p.actual,
                splits=[
                    IndicatorSplit(
                        level=s.level,
                        assignee_id=strawberry.ID(str(s.assignee_id)),
                        target=s.target,
                        actual=s.actual,
                    )
                    for s in p.splits
                ],
            )
            for p in progress
        ]

    @strawberry.field(description="营销方案监控 (总行: 全方案; 支行负责人: 辖内; 客户经理: 本人)")
    @staticmethod
    async def monitoring(parent: strawberry.Parent[SchemeRow], info: Info) -> SchemeMonitoring:
        return SchemeMonitoring.of(
            figures.monitoring_of(await info.context.loaders.scheme_figures.load(parent.id))
        )

    @strawberry.field(description="方案进度: 每名客户经理 (按调用者范围)")
    @staticmethod
    async def manager_progress(parent: strawberry.Parent[SchemeRow], info: Info) -> list[ManagerProgress]:
        rows = figures.managers_of(await info.context.loaders.scheme_figures.load(parent.id))
        return [
            ManagerProgress(
                manager=user_of(r.manager_id),
                total=r.total,
                processed=r.processed,
                contacted=r.contacted,
                converted=r.converted,
                amount=r.amount,
            )
            for r in rows
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> MarketingScheme:
        return entity(cls, await info.context.loaders.scheme.load(parse_id(id)))


@strawberry.type(description="目标名单中的一个客户")
class SchemeTarget:
    id: strawberry.ID

    @strawberry.field(description="客户; null, with NOT_FOUND at this path, when out of the caller's scope")
    @staticmethod
    def customer(parent: strawberry.Parent[TargetRow]) -> Customer | None:
        return Customer(id=strawberry.ID(str(parent.customer_id)))

    @strawberry.field(description="客户经理 (未分配时为空)")
    @staticmethod
    def manager(parent: strawberry.Parent[TargetRow]) -> User | None:
        return user_of(parent.manager_id) if parent.manager_id else None


@strawberry.federation.type(keys=["id"], description="营销工单")
class WorkOrder:
    id: strawberry.ID
    status: WorkOrderStatus
    channel: ContactChannel | None
    result: FeedbackResult | None
    amount: Decimal
    note: str
    feedback_at: datetime | None
    created_at: datetime

    @strawberry.field(description="营销方案")
    @staticmethod
    async def scheme(parent: strawberry.Parent[WorkOrderRow], info: Info) -> MarketingScheme | None:
        return await info.context.loaders.scheme.load(parent.scheme_id)  # type: ignore[return-value]

    @strawberry.field(description="客户; null, with NOT_FOUND at this path, when out of the caller's scope")
    @staticmethod
    def customer(parent: strawberry.Parent[WorkOrderRow]) -> Customer | None:
        return Customer(id=strawberry.ID(str(parent.customer_id)))

    @strawberry.field(description="客户经理")
    @staticmethod
    def manager(parent: strawberry.Parent[WorkOrderRow]) -> User:
        return user_of(parent.manager_id)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> WorkOrder:
        return entity(cls, await info.context.loaders.work_order.load(parse_id(id)))
