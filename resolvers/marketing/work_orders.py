"""营销工单 (work orders): a running scheme's task for one manager and one customer — the manager's
own list (filters), starting one, and feedback (渠道 channel, 结果 result, amount, note), a repeat with
the same ``clientId`` answered with the first result. Monitoring per scheme (营销方案监控): execution
(processed / total), conversion, contact share per channel (online channels included), and the
indicators' progress (分解指标) — all scoped: head office the whole scheme, a branch head their
subtree, a manager their own orders. Each figure is one grouped statement, whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from tortoise.functions import Count, Sum

from models.marketing import (
    ContactChannel,
    FeedbackResult,
    IndicatorKind,
    IndicatorSplit,
    MarketingScheme,
    PointsEntry,
    PointsKind,
    SchemeIndicator,
    SplitLevel,
    WorkOrder,
    WorkOrderFeedback,
    WorkOrderStatus,
)
from models.marketing.schemes import ONLINE_CHANNELS
from resolvers.common.changes import change, transition
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.marketing.schemes import check_amount, within
from resolvers.marketing.scopes import work_order_scope
from security.conditions import Cond
from security.principal import Principal

OPEN = (WorkOrderStatus.PENDING, WorkOrderStatus.IN_PROGRESS)
NEXT_STATUS = {
    FeedbackResult.CONTACTED: WorkOrderStatus.IN_PROGRESS,
    FeedbackResult.INTERESTED: WorkOrderStatus.IN_PROGRESS,
    FeedbackResult.CONVERTED: WorkOrderStatus.DONE,
    FeedbackResult.REFUSED: WorkOrderStatus.FAILED,
}


@dataclass(frozen=True)
class Feedback:
    channel: ContactChannel
    result: FeedbackResult
    amount: Decimal = Decimal(0)
    note: str = ""


async def list_work_orders(
    principal: Principal,
    first: int,
    after: str | None,
    scheme_id: UUID | None = None,
    statuses: list[WorkOrderStatus] | None = None,
    mine: bool = False,
) -> Page[WorkOrder]:
    """The work orders the caller sees; ``mine``: only their own (a manager's are always theirs)."""
    queryset = scoped(principal, WorkOrder, work_order_scope)
    if scheme_id is not None:
        queryset = queryset.filter(scheme_id=scheme_id)
    if statuses:
        queryset = queryset.filter(status__in=list(statuses))
    if mine:
        queryset = queryset.filter(manager_id=principal.user_id)
    return await paginate(queryset, first, after)


async def own_work_order(principal: Principal, work_order_id: UUID) -> WorkOrder:
    """The caller's own work order (only its manager processes it), else NOT_FOUND."""
    visible = scoped(principal, WorkOrder, work_order_scope)
    order = await visible.get_or_none(id=work_order_id, manager_id=principal.user_id)
    if order is None:
        raise not_found("work order")
    return order


async def start_work_order(principal: Principal, work_order_id: UUID) -> WorkOrder:
    """PENDING → IN_PROGRESS (处理); already in progress: the same answer; otherwise CONFLICT."""
    order = await own_work_order(principal, work_order_id)
    async with change("marketing", "WorkOrder", work_order_id):
        moved = await transition(
            WorkOrder, order.id, WorkOrderStatus.PENDING, None, status=WorkOrderStatus.IN_PROGRESS
        )
        if not moved and (await WorkOrder.get(id=order.id)).status != WorkOrderStatus.IN_PROGRESS:
            raise conflict("工单已结束 (the work order is no longer open)")
    return await WorkOrder.get(id=order.id)


def _feedback(feedback: Feedback) -> Feedback:
    if check_amount(feedback.amount, "amount") and feedback.result != FeedbackResult.CONVERTED:
        raise bad_input("只有已转化可以填写金额 (an amount only with CONVERTED)")
    if len(feedback.note) > 500:
        raise bad_input("note must be at most 500 characters")
    return feedback


async def give_feedback(
    principal: Principal, work_order_id: UUID, client_id: str, feedback: Feedback
) -> WorkOrder:
    """反馈 on the caller's open work order: it moves to IN_PROGRESS (contacted, interested), DONE
    (converted) or FAILED (refused). The same ``client_id`` again returns the work order as it is
    (nothing twice); with a different feedback, CONFLICT."""
    key = check_key(client_id)
    assert key is not None
    feedback = _feedback(feedback)
    order = await own_work_order(principal, work_order_id)

    async def first() -> WorkOrderFeedback | None:
        return await WorkOrderFeedback.get_or_none(work_order_id=order.id, client_id=key)

    async def create() -> WorkOrderFeedback:
        # The feedback row first: a racing repeat of this clientId meets its unique key and gets
        # this one's answer (``once``), instead of finding the order already closed by it.
        row = await WorkOrderFeedback.create(
            work_order_id=order.id,
            client_id=key,
            given_by=principal.user_id,
            channel=feedback.channel,
            result=feedback.result,
            amount=feedback.amount,
            note=feedback.note,
        )
        points = await _conversion_points(order) if feedback.result == FeedbackResult.CONVERTED else 0
        await transition(
            WorkOrder,
            order.id,
            OPEN,
            "工单已结束 (the work order is no longer open)",
            status=NEXT_STATUS[feedback.result],
            channel=feedback.channel,
            result=feedback.result,
            amount=feedback.amount,
            note=feedback.note,
            feedback_at=now(),
            points=points,
        )
        if points:
            # The order converts once (the UPDATE above left OPEN), so the award is made once.
            await PointsEntry.create(
                tenant_id=order.tenant_id,
                customer_id=order.customer_id,
                kind=PointsKind.EARN,
                amount=points,
                reason="营销方案转化奖励",
                key=f"work-order:{order.id}",
            )
        return row

    async with change("marketing", "WorkOrder", work_order_id) as audited:
        row, created = await once("marketing", key, first, create)
        if not created and (row.channel, row.result, row.amount, row.note) != (
            feedback.channel,
            feedback.result,
            feedback.amount,
            feedback.note,
        ):
            raise conflict("clientId 已用于另一反馈 (clientId already used for another feedback)")
        audited.detail["repeated"] = not created
    return await WorkOrder.get(id=order.id)


async def _conversion_points(order: WorkOrder) -> int:
    """积分奖励 of the order's scheme: what its customer earns on converting."""
    points = await MarketingScheme.filter(id=order.scheme_id).values_list("conversion_points", flat=True)
    return int(str(points[0])) if points else 0


# -- 监控 --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Work orders counted: all, processed (done or failed), contacted, converted, amount, and the
    points (积分) their customers earned."""

    total: int = 0
    processed: int = 0
    contacted: int = 0
    converted: int = 0
    amount: Decimal = Decimal(0)
    points: int = 0

    def add(self, row: dict[str, Any]) -> None:
        n = int(row["n"])
        self.total += n
        if row["status"] in (WorkOrderStatus.DONE, WorkOrderStatus.FAILED):
            self.processed += n
        if row["result"] is not None:
            self.contacted += n
        if row["result"] == FeedbackResult.CONVERTED:
            self.converted += n
        self.amount += Decimal(str(row["amount"] or 0))
        self.points += int(row["points"] or 0)

    def merge(self, other: Tally) -> None:
        self.total += other.total
        self.processed += other.processed
        self.contacted += other.contacted
        self.converted += other.converted
        self.amount += other.amount
        self.points += other.points

    def figure(self, kind: IndicatorKind) -> Decimal:
        return {
            IndicatorKind.CONTACTS: Decimal(self.contacted),
            IndicatorKind.CONVERSIONS: Decimal(self.converted),
            IndicatorKind.AMOUNT: self.amount,
        }[kind]


@dataclass
class SchemeFigures:
    """One scheme's work orders as the caller sees them, grouped once."""

    whole: Tally = field(default_factory=Tally)
    by_manager: dict[UUID, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_org_path: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def below(self, org_path: str) -> Tally:
        tally = Tally()
        for path, part in self.by_org_path.items():
            if within(path, org_path):
                tally.merge(part)
        return tally


GROUPS = ("scheme_id", "manager_id", "org_path", "status", "result", "channel")


async def scheme_figures(scope: Cond, scheme_ids: Iterable[UUID]) -> dict[UUID, SchemeFigures]:
    """The figures of several schemes' work orders within ``scope``: one grouped statement."""
    wanted = list(dict.fromkeys(scheme_ids))
    figures = {id: SchemeFigures() for id in wanted}
    if not wanted or scope.is_nothing:
        return figures
    rows = (
        await WorkOrder.filter(scope.q(), scheme_id__in=wanted)
        .annotate(n=Count("id"), amount_sum=Sum("amount"), points_sum=Sum("points"))
        .group_by(*GROUPS)
        .values(
            "scheme_id",
            "manager_id",
            "org_path",
            "status",
            "result",
            "channel",
            "n",
            "amount_sum",
            "points_sum",
        )
    )
    for row in rows:
        row = row | {"amount": row["amount_sum"], "points": row["points_sum"]}
        figure = figures[UUID(str(row["scheme_id"]))]
        figure.whole.add(row)
        figure.by_manager[UUID(str(row["manager_id"]))].add(row)
        figure.by_org_path[str(row["org_path"])].add(row)
        if row["channel"] is not None:
            figure.by_channel[str(row["channel"])] += int(row["n"])
    return figures


@dataclass(frozen=True)
class ChannelShare:
    channel: ContactChannel
    online: bool  # 线上渠道 (mobile banking, app, online banking)
    contacts: int
    share: float  # of all contacts


@dataclass(frozen=True)
class Monitoring:
    total: int
    processed: int
    contacted: int
    converted: int
    amount: Decimal
    points_issued: int  # 积分发放: what the converted customers earned
    execution_rate: float  # 执行率: processed / total
    conversion_rate: float  # 转化率: converted / total
    channels: list[ChannelShare]


def monitoring_of(figures: SchemeFigures) -> Monitoring:
    whole = figures.whole
    contacts = sum(figures.by_channel.values())
    channels = [
        ChannelShare(
            channel=channel,
            online=channel in ONLINE_CHANNELS,
            contacts=figures.by_channel.get(str(channel), 0),
            share=round(figures.by_channel.get(str(channel), 0) / contacts, 4) if contacts else 0.0,
        )
        for channel in ContactChannel
    ]
    return Monitoring(
        total=whole.total,
        processed=whole.processed,
        contacted=whole.contacted,
        converted=whole.converted,
        amount=whole.amount,
        points_issued=whole.points,
        execution_rate=round(whole.processed / whole.total, 4) if whole.total else 0.0,
        conversion_rate=round(whole.converted / whole.total, 4) if whole.total else 0.0,
        channels=channels,
    )


@dataclass(frozen=True)
class SplitProgress:
    level: SplitLevel
    assignee_id: UUID
    target: Decimal
    actual: Decimal


@dataclass(frozen=True)
class IndicatorProgress:
    kind: IndicatorKind
    total: Decimal
    actual: Decimal  # within the caller's scope
    splits: list[SplitProgress]


def progress_of(
    indicators: list[SchemeIndicator], splits: list[IndicatorSplit], figures: SchemeFigures
) -> list[IndicatorProgress]:
    """Each indicator's total and actual, and each split's target and actual, from the figures."""
    by_indicator: dict[UUID, list[IndicatorSplit]] = defaultdict(list)
    for split in splits:
        by_indicator[split.indicator_id].append(split)
    result = []
    for indicator in sorted(indicators, key=lambda i: list(IndicatorKind).index(IndicatorKind(i.kind))):
        kind = IndicatorKind(indicator.kind)
        shares = [
            SplitProgress(
                level=SplitLevel(split.level),
                assignee_id=split.assignee_id,
                target=split.target,
                actual=(
                    figures.below(split.org_path)
                    if split.level == SplitLevel.ORG
                    else figures.by_manager.get(split.assignee_id, Tally())
                ).figure(kind),
            )
            for split in sorted(
                by_indicator[indicator.id],
                key=lambda s: (s.level != SplitLevel.ORG, s.org_path, str(s.assignee_id)),
            )
        ]
        result.append(IndicatorProgress(kind, indicator.total, figures.whole.figure(kind), shares))
    return result


@dataclass(frozen=True)
class ManagerProgress:
    """方案进度 per manager (the branch head's H5 page)."""

    manager_id: UUID
    total: int
    processed: int
    contacted: int
    converted: int
    amount: Decimal


def managers_of(figures: SchemeFigures) -> list[ManagerProgress]:
    return [
        ManagerProgress(id, t.total, t.processed, t.contacted, t.converted, t.amount)
        for id, t in sorted(figures.by_manager.items(), key=lambda item: (-item[1].converted, str(item[0])))
    ]
