"""提醒: reminders by hand (新增提醒), marking them read, the member bank's reminder parameters,
the core banking feed of account movements (动账, whose large ones remind at once) and managers'
schedules (日程, reminded by the job at their time); and how every reminder is made: a ``Draft``
per source, delivered to each manager responsible for the customer once (``deliver``). The job
generating reminders from what happens: jobs.py.

A customer's reminder reaches every manager responsible for the customer — primary (主办),
assisting (协办) and custodian (托管) while custody lasts — once each. "Never sent twice" is the
unique ``(source_key, manager_id)``: whatever runs again (the job, a repeated feed, two replicas)
skips what exists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from models.customers import (
    AccountMovement,
    Customer,
    CustomerAssignment,
    Direction,
    Reminder,
    ReminderKind,
    ReminderPolicy,
    ScheduleItem,
)
from realtime.broker import REMINDERS
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.events import publish
from resolvers.common.loading import records, scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.customers import customer_in_scope
from resolvers.customers.permissions import MOVEMENT_FEEDERS, POLICY_SETTERS, SCHEDULERS
from resolvers.customers.scopes import customer_scope
from security.principal import Principal
from security.roles import Role

CENT = Decimal("0.01")
MAX_MOVEMENTS = 500  # per call of the feed
DEFAULT_LARGE_TRANSACTION = ReminderPolicy._meta.fields_map["large_transaction_threshold"].default


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


# -- 大额动账 ------------------------------------------------------------------------------------------


async def large_movement_drafts(movements: list[AccountMovement]) -> list[Draft]:
    """大额动账 among ``movements``, by each tenant's threshold."""
    tenants = list({m.tenant_id for m in movements})
    policies = ReminderPolicy.filter(tenant_id__in=tenants)
    return await large_drafts(
        movements, dict(await policies.values_list("tenant_id", "large_transaction_threshold"))
    )


async def large_drafts(movements: list[AccountMovement], thresholds: dict[UUID, Decimal]) -> list[Draft]:
    """大额动账 among ``movements``, by the given thresholds (a tenant without one: the default)."""

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


# -- by hand and by feed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """提醒参数 of a member bank."""

    large_transaction_threshold: Decimal


@dataclass(frozen=True)
class Movement:
    """一笔动账 as the core banking feed sends it."""

    reference: str
    customer_id: UUID
    direction: Direction
    amount: Decimal
    occurred_at: datetime
    counterparty: str = ""


@dataclass(frozen=True)
class RecordedMovements:
    recorded: int  # new movements (repeats not counted)
    reminders: int  # 大额动账 reminders sent


def _tenant_of(principal: Principal, roles: tuple[Role, ...]) -> UUID:
    if not principal.has_role(*roles) or principal.tenant_id is None:
        raise forbidden()
    return principal.tenant_id


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise bad_input(f"{name} needs a time zone")
    return value


def _policy(threshold: Decimal | str) -> Policy:
    return Policy(large_transaction_threshold=Decimal(threshold).quantize(CENT))


def _movements(rows: list[Movement], tenant_id: UUID) -> list[AccountMovement]:
    """The feed's rows checked and normalised, as unsaved movements (customer by id only)."""
    if not 1 <= len(rows) <= MAX_MOVEMENTS:
        raise bad_input(f"send 1–{MAX_MOVEMENTS} movements at a time")
    now = datetime.now(UTC)
    movements = []
    for row in rows:
        reference = row.reference.strip()
        if not 1 <= len(reference) <= 64:
            raise bad_input("reference must be 1–64 characters")
        if row.amount <= 0 or row.amount != row.amount.quantize(CENT):
            raise bad_input("amount must be positive, in yuan with at most 2 decimals")
        if _aware(row.occurred_at, "occurredAt") > now + timedelta(minutes=5):
            raise bad_input("occurredAt cannot be in the future")
        movements.append(
            AccountMovement(
                customer_id=row.customer_id,
                tenant_id=tenant_id,
                reference=reference,
                direction=Direction(row.direction),
                amount=row.amount,
                counterparty=row.counterparty.strip()[:100],
                occurred_at=row.occurred_at,
            )
        )
    if len({m.reference for m in movements}) != len(movements):
        raise bad_input("a reference appears twice in one call")
    return movements


async def my_reminders(principal: Principal, first: int, after: str | None, unread_only: bool) -> Page[Any]:
    """我的提醒, a page at a time, as plain records (resolvers/common/loading.py): a list of the H5
    morning page."""
    queryset = Reminder.filter(manager_id=principal.user_id)
    if unread_only:
        queryset = queryset.filter(read=False)
    return await paginate(queryset, first, after, records)


async def reminder_policy(principal: Principal) -> Policy:
    policy = ReminderPolicy.filter(tenant_id=principal.tenant_id).first()
    threshold = await policy.values_list("large_transaction_threshold", flat=True)
    return _policy(Decimal(threshold) if threshold else DEFAULT_LARGE_TRANSACTION)


async def my_schedule(principal: Principal, start: datetime, end: datetime) -> list[ScheduleItem]:
    if _aware(end, "end") <= _aware(start, "start") or end - start > timedelta(days=92):
        raise bad_input("end must be after start, at most 92 days later")
    items = ScheduleItem.filter(manager_id=principal.user_id, starts_at__gte=start, starts_at__lt=end)
    return await items.order_by("starts_at")


async def add_reminder(
    principal: Principal, customer_id: UUID, kind: ReminderKind, title: str, due_at: datetime | None = None
) -> Reminder:
    """新增提醒: to the customer's primary manager (主办)."""
    if not title.strip():
        raise bad_input("title must not be empty")
    customer = await customer_in_scope(principal, customer_id)
    if customer.primary_manager_id is None:
        raise bad_input("customer has no primary manager to remind")
    draft = Draft(
        key=None,
        kind=ReminderKind(kind),
        title=title.strip(),
        due_at=due_at,
        tenant_id=customer.tenant_id,
        managers=frozenset({customer.primary_manager_id}),
        customer_id=customer.id,
    )
    async with change("customers", "Reminder") as audited:
        (reminder,) = await deliver([draft])
        audited.id = reminder.id
    return reminder


async def mark_reminders_read(principal: Principal, ids: list[UUID]) -> list[Reminder]:
    """标记已读: the caller's own reminders; returns them."""
    if not 1 <= len(ids) <= 100:
        raise bad_input("mark 1–100 reminders at a time")
    wanted = set(ids)
    async with change("customers", "Reminder") as audited:
        mine = Reminder.filter(id__in=list(wanted), manager_id=principal.user_id)
        await mine.filter(read=False).update(read=True)
        reminders = await mine
        if len(reminders) != len(wanted):
            raise not_found("reminder")  # someone else's or none: the same answer
        audited.detail = {"count": len(reminders)}
    return reminders


async def set_reminder_policy(principal: Principal, large_transaction_threshold: Decimal) -> Policy:
    """设置提醒参数 (总行业务管理)."""
    tenant_id = _tenant_of(principal, POLICY_SETTERS)
    if large_transaction_threshold <= 0:
        raise bad_input("largeTransactionThreshold must be positive")
    async with change("customers", "ReminderPolicy") as audited:
        policy, _ = await ReminderPolicy.update_or_create(
            {"large_transaction_threshold": large_transaction_threshold}, tenant_id=tenant_id
        )
        audited.id = policy.id
        audited.detail = {"largeTransactionThreshold": str(large_transaction_threshold)}
    return _policy(large_transaction_threshold)


async def record_account_movements(principal: Principal, movements: list[Movement]) -> RecordedMovements:
    """导入动账 (core banking feed): repeated references are skipped, large ones remind at once."""
    tenant_id = _tenant_of(principal, MOVEMENT_FEEDERS)
    rows = _movements(movements, tenant_id)
    wanted = {m.customer_id for m in rows}
    visible = scoped(principal, Customer, customer_scope)  # the feeders' scope: their bank
    if await visible.filter(id__in=list(wanted)).count() != len(wanted):
        raise not_found("customer")
    async with change("customers", "AccountMovement") as audited:
        # The bank's feeds run one after another, so two identical ones at once record once.
        await ReminderPolicy.get_or_create(tenant_id=tenant_id)
        await ReminderPolicy.filter(tenant_id=tenant_id).select_for_update().get()
        references = [m.reference for m in rows]
        known = {
            m.reference: m
            for m in await AccountMovement.filter(tenant_id=tenant_id, reference__in=references)
        }
        new: list[AccountMovement] = []
        for movement in rows:
            seen = known.get(movement.reference)
            if seen is None:
                new.append(movement)
            elif seen.customer_id != movement.customer_id or Decimal(seen.amount) != movement.amount:
                raise conflict(f"reference {movement.reference} was recorded with other values")
        if new:
            await AccountMovement.bulk_create(new)
        reminders = await deliver(await large_movement_drafts(new)) if new else []
        audited.detail = {"recorded": len(new), "reminders": len(reminders)}
    return RecordedMovements(recorded=len(new), reminders=len(reminders))


async def add_schedule_item(
    principal: Principal,
    title: str,
    starts_at: datetime,
    remind_minutes_before: int = 30,
    customer_id: UUID | None = None,
) -> ScheduleItem:
    """新增日程: reminded at startsAt minus remindMinutesBefore."""
    tenant_id = _tenant_of(principal, SCHEDULERS)
    title = title.strip()
    if not 1 <= len(title) <= 200:
        raise bad_input("title must be 1–200 characters")
    if not 0 <= remind_minutes_before <= 7 * 24 * 60:
        raise bad_input("remindMinutesBefore must be 0–10080")
    if _aware(starts_at, "startsAt") < datetime.now(UTC):
        raise bad_input("startsAt cannot be in the past")
    if customer_id is not None:
        customer_id = (await customer_in_scope(principal, customer_id)).id
    async with change("customers", "ScheduleItem") as audited:
        item = await ScheduleItem.create(
            manager_id=principal.user_id,
            tenant_id=tenant_id,
            customer_id=customer_id,
            title=title,
            starts_at=starts_at,
            remind_at=starts_at - timedelta(minutes=remind_minutes_before),
        )
        audited.id = item.id
    return item


async def remove_schedule_item(principal: Principal, item_id: UUID) -> None:
    """删除日程 (one's own)."""
    async with change("customers", "ScheduleItem", item_id):
        if not await ScheduleItem.filter(id=item_id, manager_id=principal.user_id).delete():
            raise not_found("schedule item")
