"""提醒 generated from what happens to customers (seed 000), pushed live on ``reminders``:

- 大额动账: a single movement in or out of at least the member bank's threshold
  (``ReminderPolicy``), as soon as the core banking feed records it (resolvers/customers/reminders.py)
  and again by the job for movements loaded some other way;
- 存款到期 / 贷款到期: maturities within ``DCMS_MATURITY_NOTICE_DAYS`` (7);
- 潜客下次联系: a prospect's next-contact date, on the day, to the manager keeping it;
- 日程: a manager's schedule item at its reminder time.

A customer's reminder reaches every manager responsible for the customer — primary (主办),
assisting (协办) and custodian (托管) while custody lasts — once each. "Never sent twice" is the
unique ``(source_key, manager_id)``: whatever runs again (the job, a repeated feed, two replicas)
skips what exists. The job reads what is due, then delivers it in one transaction, once across
replicas (resolvers/common/jobs.py), every ``DCMS_REMINDER_JOB_SECONDS`` (60).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from models.customers import (
    AccountMovement,
    Customer,
    CustomerAssignment,
    Direction,
    Holding,
    HoldingCategory,
    Prospect,
    ProspectStatus,
    Reminder,
    ReminderKind,
    ReminderPolicy,
    ScheduleItem,
)
from realtime.broker import REMINDERS
from realtime.hub import Realtime
from resolvers.common.clock import CST
from resolvers.common.events import publish
from resolvers.common.jobs import every, exclusive
from resolvers.common.rules import Rules

REMINDER_LOCK = 0x5D_C0_60  # pg advisory lock key: one reminder run at a time across replicas
MATURITIES = {
    HoldingCategory.DEPOSIT: ReminderKind.DEPOSIT_MATURITY,
    HoldingCategory.LOAN: ReminderKind.LOAN_MATURITY,
}
DEFAULT_LARGE_TRANSACTION = ReminderPolicy._meta.fields_map["large_transaction_threshold"].default
# The job looks this far back for movements, schedule items and prospects it may have missed
# (a server down over the moment); older ones are history, not news.
CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class Draft:
    """A reminder to make for each of ``managers`` unless already sent (``key``; None: one made by
    hand, which nothing repeats)."""

    key: str | None
    kind: ReminderKind
    title: str
    due_at: datetime | None
    tenant_id: UUID
    managers: frozenset[UUID]
    customer_id: UUID | None = None


def _chunks(values: list[Any], size: int = 1000) -> Iterator[list[Any]]:
    """Bound each ``IN (…)`` list (a province's week of maturities would pass the driver's limit)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class Addressee:
    """A customer as its reminders need it: its name for the title, and who gets them."""

    name: str
    tenant_id: UUID
    managers: frozenset[UUID]  # primary, assisting and (while custody lasts) custodian


async def addressees(customer_ids: Iterable[UUID]) -> dict[UUID, Addressee]:
    """Each customer's ``Addressee``: two statements per thousand customers, no decrypted field."""
    ids = list(set(customer_ids))
    if not ids:
        return {}
    rows = []
    managers: dict[UUID, set[UUID]] = defaultdict(set)
    for chunk in _chunks(ids):
        rows += await Customer.filter(id__in=chunk).values_list(
            "id", "name", "tenant_id", "primary_manager_id"
        )
        active = CustomerAssignment.in_force().filter(customer_id__in=chunk)
        for customer_id, manager_id in await active.values_list("customer_id", "manager_id"):
            managers[customer_id].add(manager_id)
    for customer_id, _, _, primary in rows:
        if primary is not None:
            managers[customer_id].add(primary)
    return {
        customer_id: Addressee(name, tenant_id, frozenset(managers[customer_id]))
        for customer_id, name, tenant_id, _ in rows
    }


async def deliver(drafts: list[Draft]) -> list[Reminder]:
    """Make and publish the reminders of ``drafts`` not sent before, in the caller's transaction
    (within a mutation they go out when it commits; a job's are woken by ``every``)."""
    sent: dict[str | None, set[UUID]] = defaultdict(set)
    keys = [d.key for d in drafts if d.key is not None]
    for chunk in _chunks(keys):
        for key, manager_id in await Reminder.filter(source_key__in=chunk).values_list(
            "source_key", "manager_id"
        ):
            sent[key].add(manager_id)
    created: list[Reminder] = []
    for draft in drafts:
        for manager_id in sorted(draft.managers - sent[draft.key], key=str):
            reminder = await Reminder.create(
                customer_id=draft.customer_id,
                manager_id=manager_id,
                tenant_id=draft.tenant_id,
                kind=draft.kind,
                title=draft.title,
                due_at=draft.due_at,
                source_key=draft.key,
            )
            await publish(
                REMINDERS,
                "reminder.created",
                reminder,
                tenant_id=draft.tenant_id,
                manager_id=manager_id,
            )
            created.append(reminder)
    return created


# -- sources ----------------------------------------------------------------------------------------


async def maturity_drafts(today: date, notice_days: int) -> list[Draft]:
    holdings = await Holding.filter(
        closed_on__isnull=True,
        category__in=list(MATURITIES),
        matures_on__gte=today,
        matures_on__lte=today + timedelta(days=notice_days),
    )
    to = await addressees(h.customer_id for h in holdings)
    drafts = []
    for holding in holdings:
        kind = MATURITIES[HoldingCategory(holding.category)]
        what = "存款" if kind is ReminderKind.DEPOSIT_MATURITY else "贷款"
        customer = to[holding.customer_id]
        drafts.append(
            Draft(
                key=f"holding:{holding.id}:{holding.matures_on.isoformat()}",
                kind=kind,
                title=f"{customer.name}的{what}「{holding.product_name}」{holding.matures_on:%m月%d日}到期",
                due_at=datetime.combine(holding.matures_on, time(9, 0), tzinfo=CST),
                tenant_id=customer.tenant_id,
                managers=customer.managers,
                customer_id=holding.customer_id,
            )
        )
    return drafts


async def large_movement_drafts(movements: list[AccountMovement]) -> list[Draft]:
    """大额动账 among ``movements``, by each tenant's threshold."""
    tenants = list({m.tenant_id for m in movements})
    policies = ReminderPolicy.filter(tenant_id__in=tenants)
    return await _large(
        movements, dict(await policies.values_list("tenant_id", "large_transaction_threshold"))
    )


async def _large(movements: list[AccountMovement], thresholds: dict[UUID, Decimal]) -> list[Draft]:
    def threshold(tenant_id: UUID) -> Decimal:
        return Decimal(thresholds.get(tenant_id, DEFAULT_LARGE_TRANSACTION))

    large = [m for m in movements if Decimal(m.amount) >= threshold(m.tenant_id)]
    to = await addressees(m.customer_id for m in large)
    return [
        Draft(
            key=f"movement:{m.id}",
            kind=ReminderKind.LARGE_TRANSACTION,
            title=(
                f"{to[m.customer_id].name}大额{'转入' if m.direction == Direction.IN else '转出'}"
                f" {Decimal(m.amount):,.2f} 元"
            ),
            due_at=m.occurred_at,
            tenant_id=m.tenant_id,
            managers=to[m.customer_id].managers,
            customer_id=m.customer_id,
        )
        for m in large
    ]


async def recent_movement_drafts(now: datetime) -> list[Draft]:
    thresholds = dict(await ReminderPolicy.all().values_list("tenant_id", "large_transaction_threshold"))
    smallest = min([DEFAULT_LARGE_TRANSACTION, *thresholds.values()])
    movements = await AccountMovement.filter(occurred_at__gte=now - CATCH_UP, amount__gte=smallest)
    return await _large(movements, thresholds)


async def prospect_drafts(today: date) -> list[Draft]:
    prospects = await Prospect.filter(
        status=ProspectStatus.OPEN, next_contact_on__gte=today - CATCH_UP, next_contact_on__lte=today
    )
    return [
        Draft(
            key=f"prospect:{p.id}:{p.next_contact_on.isoformat()}",
            kind=ReminderKind.PROSPECT_CONTACT,
            title=f"今天联系潜在客户{p.name}",
            due_at=datetime.combine(p.next_contact_on, time(9, 0), tzinfo=CST),
            tenant_id=p.tenant_id,
            managers=frozenset({p.manager_id}),
        )
        for p in prospects
    ]


async def schedule_drafts(now: datetime) -> list[Draft]:
    items = await ScheduleItem.filter(remind_at__lte=now, remind_at__gte=now - CATCH_UP)
    return [
        Draft(
            key=f"schedule:{item.id}:{item.remind_at.isoformat()}",
            kind=ReminderKind.SCHEDULE,
            title=f"日程: {item.title} ({item.starts_at.astimezone(CST):%m月%d日 %H:%M})",
            due_at=item.starts_at,
            tenant_id=item.tenant_id,
            managers=frozenset({item.manager_id}),
            customer_id=item.customer_id,
        )
        for item in items
    ]


async def generate_reminders(now: datetime | None = None, rules: Rules = Rules()) -> list[Reminder]:
    """Every reminder due by ``now`` that no run has sent yet."""
    now = now or datetime.now(UTC)
    today = now.astimezone(CST).date()
    drafts = [  # read outside the lock; deliver re-checks what was sent, under it
        *await maturity_drafts(today, rules.maturity_notice_days),
        *await recent_movement_drafts(now),
        *await prospect_drafts(today),
        *await schedule_drafts(now),
    ]
    if not drafts:
        return []
    async with exclusive("customers", REMINDER_LOCK) as mine:
        return await deliver(drafts) if mine else []


async def watch_reminders(realtime: Realtime, rules: Rules) -> None:
    """Every ``rules.reminder_job_seconds`` (60), generate what is due."""
    await every(realtime, "customers", rules.reminder_job_seconds, lambda: generate_reminders(rules=rules))
