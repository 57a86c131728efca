"""业绩进度与得分 (progress and scores of performance targets) and 经营分析看板 / 绩效龙虎榜.

Progress (``actual``) of a target is read from the platform's data by its indicator's measure
kind (models/marketing/performance.py ``MeasureKind``): a person's figure counts their own rows
(the customers they manage, the contacts they made, their work orders, their conversions), an
org's the rows of its subtree's customers. Flow measures count within the period (China time);
balances are taken at the period's last day, or today while it runs; customers managed are
counted as they are now. One grouped statement per measure kind in use, whatever the number of
targets (the customer-side ones through resolvers/common/customer_measures.py).

Score (得分) of an org or person for a period: the weighted mean of their targets' completions
(actual / target), each completion capped at ``CAP`` (120%), times 100 — so 0 to 120. A target
of 0 counts as complete. Only targets in force count (approved; a proposal waiting does not).
Rank: among staff of the same branch (the org whose target theirs was split from), by score, ties
sharing a rank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from tortoise.functions import Count

from models.customers.profile import HoldingCategory
from models.marketing import (
    MeasureKind,
    Opportunity,
    OpportunityStatus,
    PerformanceIndicator,
    PerformanceTarget,
    TargetLevel,
    WorkOrder,
    WorkOrderStatus,
)
from resolvers.common import customer_measures as customers
from resolvers.common.clock import CST, now
from resolvers.common.customer_measures import MeasureRow, rows_of
from resolvers.common.errors import bad_input, conflict, forbidden
from resolvers.marketing.performance import Period, parse_period
from resolvers.marketing.schemes import within
from resolvers.marketing.scopes import leaderboard_scope, performance_scope
from security.conditions import Cond
from security.principal import Principal
from security.roles import Role

CAP = Decimal("1.2")  # 完成率封顶: a completion counts up to 120% in the score
MAX_LEADERBOARD = 100
# The most staff targets one leaderboard ranks (about 8,000 staff at six indicators: more than a
# member bank's head office reaches). A rank needs every score in the reach, and a score needs the
# customers subgraph's figures, kept in its own database: no single ORDER BY … LIMIT can rank them,
# so the whole reach is read and this bounds it; beyond it the leaderboard is refused (CONFLICT),
# never ranked over a part.
MAX_RANKED_TARGETS = 50_000
VIEWERS = (Role.HQ_ADMIN, Role.HQ_REVIEWER, Role.BRANCH_HEAD, Role.CUSTOMER_MANAGER)


def _bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's first and after-last moments, China time, in UTC."""
    start = datetime.combine(period.starts_on, time(), CST).astimezone(UTC)
    end = datetime.combine(period.ends_on + timedelta(days=1), time(), CST).astimezone(UTC)
    return start, end


def _balance_day(period: Period) -> date:
    return min(period.ends_on, now().astimezone(CST).date())


async def _grouped(queryset: object, person: str, path: str) -> list[MeasureRow]:
    found = await queryset.annotate(n=Count("id")).group_by(person, path).values_list(person, path, "n")  # type: ignore[attr-defined]
    return rows_of(found)


async def measure(kind: MeasureKind, tenant_id: UUID, period: Period) -> list[MeasureRow]:
    """One measure's rows for a bank and period: one statement."""
    start, end = _bounds(period)
    if kind == MeasureKind.CUSTOMERS_MANAGED:
        return await customers.customers_managed(tenant_id)
    if kind == MeasureKind.NEW_CUSTOMERS:
        return await customers.new_customers(tenant_id, start, end)
    if kind == MeasureKind.CONTACTS:
        return await customers.contacts_made(tenant_id, start, end)
    if kind == MeasureKind.DEPOSIT_BALANCE:
        return await customers.balances(tenant_id, HoldingCategory.DEPOSIT, _balance_day(period))
    if kind == MeasureKind.LOAN_BALANCE:
        return await customers.balances(tenant_id, HoldingCategory.LOAN, _balance_day(period))
    if kind == MeasureKind.WORK_ORDERS_DONE:
        orders = WorkOrder.filter(
            tenant_id=tenant_id, status=WorkOrderStatus.DONE, feedback_at__gte=start, feedback_at__lt=end
        )
        return await _grouped(orders, "manager_id", "org_path")
    opportunities = Opportunity.filter(
        tenant_id=tenant_id, status=OpportunityStatus.CONVERTED, finished_at__gte=start, finished_at__lt=end
    )
    return await _grouped(opportunities, "claimed_by_id", "org_path")


def actual_of(target: PerformanceTarget, rows: Iterable[MeasureRow]) -> Decimal:
    if target.level == TargetLevel.STAFF:
        return sum((r.value for r in rows if r.person_id == target.assignee_id), Decimal(0))
    return sum((r.value for r in rows if within(r.org_path, target.org_path)), Decimal(0))


def completion(actual: Decimal, target: Decimal) -> Decimal:
    return Decimal(1) if target <= 0 else actual / target


@dataclass(frozen=True)
class Progress:
    """One target in force with its progress."""

    target: PerformanceTarget
    indicator: PerformanceIndicator
    actual: Decimal
    completion: Decimal  # actual / target, uncapped


@dataclass
class Card:
    """One org's or person's targets of a period, score and rank (业绩卡片)."""

    level: TargetLevel
    assignee_id: UUID
    org_path: str
    targets: list[Progress] = field(default_factory=list)
    score: Decimal = Decimal(0)
    rank: int = 0  # among the cards of its group (staff: same org; orgs: all shown)
    of: int = 0  # how many in that group

    @property
    def org_id(self) -> UUID:
        return UUID(self.org_path.rsplit("/", 1)[-1])


def score_of(progress: list[Progress]) -> Decimal:
    weights = sum((p.indicator.weight for p in progress), Decimal(0))
    if weights <= 0:
        return Decimal(0)
    earned = sum((p.indicator.weight * min(p.completion, CAP) for p in progress), Decimal(0))
    return (earned / weights * 100).quantize(Decimal("0.01"))


def _rank(cards: list[Card], group: str) -> None:
    groups: dict[str, list[Card]] = defaultdict(list)
    for card in cards:
        groups[card.org_path if group == "org" else ""].append(card)
    for members in groups.values():
        members.sort(key=lambda c: (-c.score, str(c.assignee_id)))
        for n, card in enumerate(members):
            card.rank = n + 1 if n == 0 or card.score != members[n - 1].score else members[n - 1].rank
            card.of = len(members)


async def cards(
    tenant_id: UUID, period: Period, rule: Cond, level: TargetLevel | None = None, cap: int | None = None
) -> list[Card]:
    """The cards of the targets in force matching ``rule`` (a scope; of ``level`` if named): three
    statements plus one per measure kind in use, whatever their number. With ``cap``, at most that
    many targets are read (one more tells there are more: CONFLICT, nothing ranked)."""
    query = PerformanceTarget.filter(rule.q(), tenant_id=tenant_id, period=period.code, target__isnull=False)
    if level is not None:
        query = query.filter(level=level)
    targets = await (query.order_by("id") if cap is None else query.order_by("id").limit(cap + 1))
    if cap is not None and len(targets) > cap:
        message = f"辖内员工目标超过 {cap} 项，无法排名 (more than {cap} staff targets in reach to rank)"
        error = conflict(message, reason="TOO_MANY_TO_RANK")
        error.extensions["limit"] = cap
        raise error
    indicators = {
        i.id: i for i in await PerformanceIndicator.filter(id__in={t.indicator_id for t in targets})
    }
    kinds = sorted({indicators[t.indicator_id].measure for t in targets})
    figures = {kind: await measure(kind, tenant_id, period) for kind in kinds}
    by: dict[tuple[TargetLevel, UUID], Card] = {}
    for target in targets:
        indicator = indicators[target.indicator_id]
        assert target.target is not None
        actual = actual_of(target, figures[indicator.measure])
        key = (target.level, target.assignee_id)
        card = by.setdefault(key, Card(target.level, target.assignee_id, target.org_path))
        card.targets.append(Progress(target, indicator, actual, completion(actual, target.target)))
    for card in by.values():
        card.score = score_of(card.targets)
    found = list(by.values())
    _rank([c for c in found if c.level == TargetLevel.STAFF], "org")
    _rank([c for c in found if c.level == TargetLevel.ORG], "all")
    return found


@dataclass(frozen=True)
class Dashboard:
    """经营分析看板: the caller's own card (a manager's), and within their reach (辖内) every org's
    and every staff member's (a branch head's, head office's)."""

    period: Period
    mine: Card | None
    orgs: list[Card]
    staff: list[Card]


def _viewer(principal: Principal) -> UUID:
    if principal.tenant_id is None or not principal.has_role(*VIEWERS):
        raise forbidden("无权查看业绩 (your role sees no performance figures)")
    return principal.tenant_id


async def dashboard(principal: Principal, period_text: str) -> Dashboard:
    tenant_id = _viewer(principal)
    period = parse_period(period_text)
    if principal.has_role(Role.CUSTOMER_MANAGER):
        # Their own targets, ranked among the colleagues of their org (whose figures stay hidden).
        peers = await cards(tenant_id, period, leaderboard_scope(principal))
        mine = next((c for c in peers if c.assignee_id == principal.user_id), None)
        return Dashboard(period, mine, [], [])
    found = await cards(tenant_id, period, performance_scope(principal))
    orgs = sorted((c for c in found if c.level == TargetLevel.ORG), key=lambda c: c.rank)
    staff = sorted((c for c in found if c.level == TargetLevel.STAFF), key=lambda c: (c.org_path, c.rank))
    return Dashboard(period, None, orgs, staff)


async def leaderboard(principal: Principal, period_text: str, first: int = 10) -> list[Card]:
    """绩效龙虎榜: staff of the caller's reach by score for the period, best first (ranks over that
    whole reach), the first ``first`` (1–100). Reads the reach's staff targets only, at most
    ``MAX_RANKED_TARGETS`` of them."""
    tenant_id = _viewer(principal)
    if not 1 <= first <= MAX_LEADERBOARD:
        raise bad_input(f"first must be 1 to {MAX_LEADERBOARD}")
    period = parse_period(period_text)
    scope = leaderboard_scope(principal)
    staff = await cards(tenant_id, period, scope, TargetLevel.STAFF, MAX_RANKED_TARGETS)
    _rank(staff, "all")
    return sorted(staff, key=lambda c: c.rank)[:first]
