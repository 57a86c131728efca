"""商机规则 (system rules over customer data): a deposit maturing within 30 days → a renewal
opportunity (存款到期续存); a large single incoming transaction → a wealth-allocation opportunity
(大额资金转入). Run by a job once across replicas (``exclusive``), in chunks of ``CHUNK`` source rows
with four statements per chunk whatever its size (read the facts; the keys already raised; one
multi-row INSERT that ignores a key raised meanwhile; one multi-row outbox INSERT), idempotent per
(rule, customer, period): the unique ``dedupe_key``.

A customer with a primary manager (主办) gets the opportunity straight in that manager's 我的商机;
an unmanaged customer's goes to the bank's pool (商机池), announced on the pool's stream.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from models.marketing import Opportunity, OpportunityStatus
from realtime.broker import OPPORTUNITY_POOL
from resolvers.common.clock import CST
from resolvers.common.customer_directory import Signal, large_inflows, maturing_deposits
from resolvers.common.events import publish_all
from resolvers.common.jobs import exclusive
from resolvers.common.rules import Rules

RULES_LOCK = 0x5D_C0_0C  # pg advisory lock key: one rule run at a time across replicas
CHUNK = 500


@dataclass(frozen=True)
class Rule:
    name: str
    source: Callable[[UUID | None, int], Awaitable[list[Signal]]]
    title: Callable[[Signal], str]
    product: Callable[[Signal], str]


def rules_of(parameters: Rules, today: date) -> list[Rule]:
    horizon = today + timedelta(days=parameters.opportunity_maturity_days)
    since = datetime(today.year, today.month, today.day, tzinfo=CST) - timedelta(days=1)
    threshold = Decimal(parameters.opportunity_large_inflow)
    return [
        Rule(
            "DEPOSIT_RENEWAL",
            lambda after, limit: maturing_deposits(after, limit, today, horizon),
            lambda s: f"存款到期续存：{s.product_name or '定期存款'}",
            lambda s: s.product_name or "定期存款",
        ),
        Rule(
            "LARGE_INFLOW",
            lambda after, limit: large_inflows(after, limit, since, threshold),
            lambda s: "大额资金转入：理财配置",
            lambda s: "理财产品",
        ),
    ]


def _opportunity(rule: Rule, signal: Signal, key: str, moment: datetime) -> Opportunity:
    claimed = signal.manager_id is not None
    return Opportunity(
        tenant_id=signal.tenant_id,
        customer_id=signal.customer_id,
        title=rule.title(signal),  # never the customer's name
        product_name=rule.product(signal),
        source="RULE",
        rule=rule.name,
        org_path=signal.org_path,
        dedupe_key=key,
        status=OpportunityStatus.CLAIMED if claimed else OpportunityStatus.OPEN,
        claimed_by_id=signal.manager_id,
        claimed_at=moment if claimed else None,
        claimed_org_path=signal.org_path if claimed else "",
    )


async def _raise_chunk(rule: Rule, signals: list[Signal], moment: datetime) -> int:
    """The chunk's new opportunities: three statements."""
    keyed = {f"rule:{rule.name}:{s.customer_id}:{s.period}": s for s in signals}
    known = set(await Opportunity.filter(dedupe_key__in=list(keyed)).values_list("dedupe_key", flat=True))
    fresh = [_opportunity(rule, s, key, moment) for key, s in keyed.items() if key not in known]
    if not fresh:
        return 0
    await Opportunity.bulk_create(fresh, ignore_conflicts=True)
    pooled = [o for o in fresh if o.status is OpportunityStatus.OPEN]
    await publish_all(OPPORTUNITY_POOL, [("opportunity.available", o, o.tenant_id, {}) for o in pooled])
    return len(fresh)


async def run_rules(parameters: Rules | None = None, today: date | None = None, chunk: int = CHUNK) -> int:
    """One run of every rule over all the facts, chunk by chunk, each chunk one exclusive
    transaction; a replica that finds another running stops. Returns the opportunities raised."""
    parameters = parameters or Rules()
    moment = datetime.now(UTC)
    today = today or moment.astimezone(CST).date()
    raised = 0
    for rule in rules_of(parameters, today):
        after: UUID | None = None
        while True:
            async with exclusive("marketing", RULES_LOCK) as mine:
                if not mine:
                    return raised
                signals = await rule.source(after, chunk)
                if signals:
                    raised += await _raise_chunk(rule, signals, moment)
            if len(signals) < chunk:
                break
            after = signals[-1].cursor
    return raised
