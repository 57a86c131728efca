"""Marketing types: 业绩管理 — indicators (指标管理), targets (目标) with their trail (留痕), and the
computed views: progress (进度), cards with scores and ranks, 经营分析看板, 绩效龙虎榜.

Indicators, targets and changes read their rows (models/marketing/performance.py) as parents; a
target's indicator resolves through a loader. The computed views are plain values built once by
resolvers/marketing/performance_scores.py: their fields are synchronous. People and orgs are
operations' ``User`` / ``Org`` stubs (the gateway asks operations for their names)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from models.marketing import PerformanceTarget as TargetRow
from models.marketing import TargetChange as ChangeRow
from resolvers.common.loading import MaybeAwaitable, ready
from resolvers.marketing import performance_scores as scores
from schema.marketing.context import Info
from schema.marketing.enums import (
    MeasureKind,
    PeriodKind,
    TargetAction,
    TargetLevel,
    TargetStatus,
)
from schema.marketing.federation import Org, User, org_of, user_of


@strawberry.type(description="业绩指标 (指标管理)")
class PerformanceIndicator:
    id: strawberry.ID
    code: str
    name: str
    category: str = strawberry.field(description="指标类别: 存款类 / 贷款类 / 客户类 / 营销类 …")
    unit: str
    measure: MeasureKind = strawberry.field(description="进度如何从平台数据计算")
    weight: Decimal = strawberry.field(description="得分权重 (0–100)")
    active: bool
    updated_at: datetime


@strawberry.type(description="业绩目标: 一个指标在一个期间对一个机构 (ORG) 或一名员工 (STAFF) 的目标")
class PerformanceTarget:
    id: strawberry.ID
    level: TargetLevel
    period: str = strawberry.field(description="2026-12 / 2026-Q4 / 2026")
    period_kind: PeriodKind
    target: Decimal | None = strawberry.field(description="生效中的目标值 (审批通过前为空)")
    proposed: Decimal | None = strawberry.field(description="待审批的目标值")
    status: TargetStatus
    parent_id: strawberry.ID | None = strawberry.field(description="个人目标所分解自的机构目标")
    decided_at: datetime | None

    @strawberry.field(description="指标", graphql_type=PerformanceIndicator | None)
    @staticmethod
    def indicator(
        parent: strawberry.Parent[TargetRow], info: Info
    ) -> MaybeAwaitable[PerformanceIndicator | None]:
        loaded = ready(info.context.loaders.performance_indicator, parent.indicator_id)
        return loaded  # type: ignore[return-value]  # the row, read as the type

    @strawberry.field(description="机构 (ORG 目标)")
    @staticmethod
    def org(parent: strawberry.Parent[TargetRow]) -> Org | None:
        return org_of(parent.assignee_id) if parent.level == TargetLevel.ORG else None

    @strawberry.field(description="员工 (STAFF 目标)")
    @staticmethod
    def staff(parent: strawberry.Parent[TargetRow]) -> User | None:
        return user_of(parent.assignee_id) if parent.level == TargetLevel.STAFF else None


@strawberry.type(description="目标变更记录 (留痕): 谁、何时、变更前后")
class PerformanceTargetChange:
    id: strawberry.ID
    target_id: strawberry.ID
    action: TargetAction
    before: Decimal | None
    after: Decimal | None
    comment: str
    created_at: datetime

    @strawberry.field(description="操作人")
    @staticmethod
    def actor(parent: strawberry.Parent[ChangeRow]) -> User:
        return user_of(parent.actor_id)


@strawberry.type(description="目标进度")
class TargetProgress:
    target_id: strawberry.ID
    indicator: PerformanceIndicator
    target: Decimal
    actual: Decimal = strawberry.field(description="完成值 (从平台数据计算)")
    completion: float = strawberry.field(description="完成率: 完成值 / 目标 (不封顶)")

    @staticmethod
    def of(progress: scores.Progress) -> TargetProgress:
        assert progress.target.target is not None
        return TargetProgress(
            target_id=strawberry.ID(str(progress.target.id)),
            indicator=progress.indicator,  # type: ignore[arg-type]
            target=progress.target.target,
            actual=progress.actual,
            completion=float(progress.completion),
        )


@strawberry.type(description="业绩卡片: 一个机构或一名员工本期的目标、进度、得分和排名")
class PerformanceCard:
    level: TargetLevel
    org: Org = strawberry.field(description="机构 (员工: 其所在机构)")
    staff: User | None
    score: Decimal = strawberry.field(description="得分: 各指标完成率 (封顶 120%) 按权重加权 × 100")
    rank: int = strawberry.field(description="排名: 员工在本机构内, 机构在所见机构中")
    rank_of: int = strawberry.field(description="参与排名的人数或机构数")
    targets: list[TargetProgress]

    @staticmethod
    def of(card: scores.Card) -> PerformanceCard:
        return PerformanceCard(
            level=card.level,
            org=org_of(card.org_id),
            staff=user_of(card.assignee_id) if card.level == TargetLevel.STAFF else None,
            score=card.score,
            rank=card.rank,
            rank_of=card.of,
            targets=[TargetProgress.of(p) for p in card.targets],
        )


@strawberry.type(description="经营分析看板: 客户经理看本人, 支行负责人看辖内, 总行看全行")
class PerformanceDashboard:
    period: str
    starts_on: date
    ends_on: date
    mine: PerformanceCard | None = strawberry.field(description="本人 (客户经理)")
    orgs: list[PerformanceCard] = strawberry.field(description="辖内机构")
    staff: list[PerformanceCard] = strawberry.field(description="辖内员工")

    @staticmethod
    def of(board: scores.Dashboard) -> PerformanceDashboard:
        return PerformanceDashboard(
            period=board.period.code,
            starts_on=board.period.starts_on,
            ends_on=board.period.ends_on,
            mine=PerformanceCard.of(board.mine) if board.mine else None,
            orgs=[PerformanceCard.of(c) for c in board.orgs],
            staff=[PerformanceCard.of(c) for c in board.staff],
        )


@strawberry.type(description="绩效龙虎榜的一行")
class LeaderboardEntry:
    rank: int
    staff: User
    org: Org
    score: Decimal

    @staticmethod
    def of(card: scores.Card) -> LeaderboardEntry:
        return LeaderboardEntry(
            rank=card.rank, staff=user_of(card.assignee_id), org=org_of(card.org_id), score=card.score
        )
