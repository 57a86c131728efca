"""Demo data of 业绩管理 (performance targets), part of ``dcms seed`` (subgraphs/seed.py): made by
the marketing domain functions as the seeded people would through the API, after the staff
directory is written.

In the first bank: six indicators (存款余额, 贷款余额, 管户客户数, 客户接触次数, 营销工单完成数,
商机转化数) saved by head office; for the current month, the demo branch's target on each, set by
head office and approved by the head office reviewer (BRANCH_TARGET), then split by the branch
head to its first three managers — each figure a little above what the seeded data already
shows, so the dashboard (经营分析看板) and the leaderboard (绩效龙虎榜) show progress between
about 60% and 100%; and the second branch's deposit target waiting for approval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from uuid import UUID

from models.marketing import MeasureKind, PerformanceTarget
from resolvers.common.clock import CST, now
from resolvers.marketing.performance import (
    IndicatorDraft,
    StaffShare,
    parse_period,
    save_indicator,
    set_branch_target,
    split_branch_target,
)
from resolvers.marketing.performance import review_branch_target as review
from resolvers.marketing.performance_scores import measure
from security.principal import Principal

INDICATORS = (  # code, name, category, unit, measure, weight
    ("DEPOSIT_BALANCE", "存款余额", "存款类", "元", MeasureKind.DEPOSIT_BALANCE, Decimal(30)),
    ("LOAN_BALANCE", "贷款余额", "贷款类", "元", MeasureKind.LOAN_BALANCE, Decimal(20)),
    ("CUSTOMERS_MANAGED", "管户客户数", "客户类", "户", MeasureKind.CUSTOMERS_MANAGED, Decimal(20)),
    ("CONTACTS", "客户接触次数", "客户类", "次", MeasureKind.CONTACTS, Decimal(15)),
    ("WORK_ORDERS_DONE", "营销工单完成数", "营销类", "笔", MeasureKind.WORK_ORDERS_DONE, Decimal(10)),
    (
        "OPPORTUNITIES_CONVERTED",
        "商机转化数",
        "营销类",
        "笔",
        MeasureKind.OPPORTUNITIES_CONVERTED,
        Decimal(5),
    ),
)
STRETCH = (Decimal("1.05"), Decimal("1.3"), Decimal("1.6"))  # each manager's target over their figure


@dataclass(frozen=True)
class Demo:
    """What subgraphs/seed.py hands over."""

    head_office: Principal  # HQ_ADMIN of the first bank
    reviewer: Principal  # its HQ_REVIEWER
    head: Principal  # the demo branch's head
    branch_id: UUID
    managers: list[UUID]  # the demo branch's first managers
    second_branch_id: UUID | None


def _up(value: Decimal, unit: str) -> Decimal:
    """Rounded up: to whole units for counts, to ten thousand for money (元)."""
    step = Decimal(10_000) if unit == "元" else Decimal(1)
    return ((value / step).to_integral_value(ROUND_CEILING) * step).quantize(Decimal("0.01"))


async def seed_performance(demo: Demo) -> dict[str, int]:
    period = parse_period(now().astimezone(CST).strftime("%Y-%m"))
    tenant_id = demo.head_office.tenant_id
    assert tenant_id is not None
    counts = {"performance_indicator": 0, "performance_target": 0}
    for code, name, category, unit, kind, weight in INDICATORS:
        indicator = await save_indicator(
            demo.head_office, IndicatorDraft(code, name, category, unit, kind, weight)
        )
        counts["performance_indicator"] += 1
        rows = await measure(kind, tenant_id, period)
        shares = []
        for manager, stretch in zip(demo.managers, STRETCH, strict=False):
            actual = sum((r.value for r in rows if r.person_id == manager), Decimal(0))
            shares.append(StaffShare(manager, _up(max(actual, Decimal(1)) * stretch, unit)))
        total = _up(sum((s.target for s in shares), Decimal(0)) * Decimal("1.1"), unit)
        target = await set_branch_target(
            demo.head_office, indicator.id, demo.branch_id, period.code, total, "年度经营计划分解"
        )
        await review(demo.reviewer, target.id, True, "同意")
        await split_branch_target(demo.head, target.id, shares, "按管户规模分解")
        if kind == MeasureKind.DEPOSIT_BALANCE and demo.second_branch_id is not None:
            await set_branch_target(
                demo.head_office, indicator.id, demo.second_branch_id, period.code, total, "待审批示例"
            )
    counts["performance_target"] = await PerformanceTarget.filter(tenant_id=tenant_id).count()
    return counts
