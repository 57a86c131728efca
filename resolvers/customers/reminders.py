"""提醒: reminders by hand (新增提醒), marking them read, the member bank's reminder parameters,
the core banking feed of account movements (动账, whose large ones remind at once) and managers'
schedules (日程, reminded by the job at their time). Generated reminders: reminder_jobs.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import strawberry
from tortoise.transactions import in_transaction

from models.customers import AccountMovement, Direction, ReminderKind, ScheduleItem
from models.customers import Customer as CustomerModel
from models.customers import Reminder as ReminderModel
from models.customers import ReminderPolicy as PolicyModel
from resolvers.common import audit
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.values import parse_id
from resolvers.customers.reminder_jobs import (
    DEFAULT_LARGE_TRANSACTION,
    Draft,
    deliver,
    large_movement_drafts,
)
from resolvers.customers.scopes import customer_scope
from schema.customers.reminders import (
    AccountMovementInput,
    RecordedMovements,
    ReminderPolicy,
    ScheduleItemInput,
)
from schema.customers.reminders import ScheduleItem as ScheduleItemType
from schema.customers.types import Reminder, ReminderKindEnum
from security.principal import Principal
from security.roles import Role

CENT = Decimal("0.01")
MAX_MOVEMENTS = 500  # per call of the feed
FEEDERS = (Role.HQ_ADMIN, Role.PLATFORM_ADMIN)  # the member bank's integration account
SCHEDULERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD, Role.HQ_ADMIN)


@strawberry.input
class AddReminderInput:
    customer_id: strawberry.ID
    kind: ReminderKindEnum
    title: str
    due_at: datetime | None = None


def _tenant_of(principal: Principal, *roles: Role) -> UUID:
    if not principal.has_role(*roles) or principal.tenant_id is None:
        raise forbidden()
    return principal.tenant_id


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise bad_input(f"{name} needs a time zone")
    return value


def _policy(threshold: Decimal | str) -> ReminderPolicy:
    return ReminderPolicy(large_transaction_threshold=Decimal(threshold).quantize(CENT))


def _movements(rows: list[AccountMovementInput], tenant_id: UUID) -> list[AccountMovement]:
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
                customer_id=parse_id(row.customer_id, "customerId"),
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


@strawberry.type
class ReminderQuery:
    @strawberry.field(description="提醒参数 of the caller's member bank")
    async def reminder_policy(self, info: strawberry.Info) -> ReminderPolicy:
        tenant_id = info.context.require_principal().tenant_id
        threshold = (
            await PolicyModel.filter(tenant_id=tenant_id)
            .first()
            .values_list("large_transaction_threshold", flat=True)
        )
        return _policy(threshold or DEFAULT_LARGE_TRANSACTION)

    @strawberry.field(description="我的日程, starting between start and end")
    async def my_schedule(
        self, info: strawberry.Info, start: datetime, end: datetime
    ) -> list[ScheduleItemType]:
        me = info.context.require_principal().user_id
        if _aware(end, "end") <= _aware(start, "start") or end - start > timedelta(days=92):
            raise bad_input("end must be after start, at most 92 days later")
        items = ScheduleItem.filter(manager_id=me, starts_at__gte=start, starts_at__lt=end)
        return await items.order_by("starts_at")  # type: ignore[return-value]


@strawberry.type
class ReminderMutation:
    @strawberry.federation.mutation(
        description="新增提醒: to the customer's primary manager (主办)", authenticated=True
    )
    async def add_reminder(self, info: strawberry.Info, input: AddReminderInput) -> Reminder:
        info.context.require_principal()
        if not input.title.strip():
            raise bad_input("title must not be empty")
        customer = await info.context.loaders.customer.load(parse_id(input.customer_id, "customerId"))
        if customer is None:
            raise not_found("customer")  # or out of scope: the same answer, so nothing leaks
        if customer.primary_manager_id is None:
            raise bad_input("customer has no primary manager to remind")
        draft = Draft(
            key=None,
            kind=ReminderKind(input.kind),
            title=input.title.strip(),
            due_at=input.due_at,
            tenant_id=customer.tenant_id,
            managers=frozenset({customer.primary_manager_id}),
            customer_id=customer.id,
        )
        async with in_transaction("customers"):
            (reminder,) = await deliver([draft])
            await audit.record(target=audit.Target("Reminder", reminder.id))
        return reminder  # type: ignore[return-value]

    @strawberry.mutation(description="标记已读: the caller's own reminders; returns them")
    async def mark_reminders_read(self, info: strawberry.Info, ids: list[strawberry.ID]) -> list[Reminder]:
        me = info.context.require_principal().user_id
        if not 1 <= len(ids) <= 100:
            raise bad_input("mark 1–100 reminders at a time")
        wanted = {parse_id(i, "ids") for i in ids}
        async with in_transaction("customers"):
            mine = ReminderModel.filter(id__in=list(wanted), manager_id=me)
            await mine.filter(read=False).update(read=True)
            reminders = await mine
            if len(reminders) != len(wanted):
                raise not_found("reminder")  # someone else's or none: the same answer
            await audit.record(target=audit.Target("Reminder"), detail={"count": len(reminders)})
        return reminders  # type: ignore[return-value]

    @strawberry.mutation(description="设置提醒参数 (总行业务管理)")
    async def set_reminder_policy(
        self, info: strawberry.Info, large_transaction_threshold: Decimal
    ) -> ReminderPolicy:
        tenant_id = _tenant_of(info.context.require_principal(), Role.HQ_ADMIN)
        if large_transaction_threshold <= 0:
            raise bad_input("largeTransactionThreshold must be positive")
        async with in_transaction("customers"):
            policy, _ = await PolicyModel.update_or_create(
                {"large_transaction_threshold": large_transaction_threshold}, tenant_id=tenant_id
            )
            await audit.record(
                target=audit.Target("ReminderPolicy", policy.id),
                detail={"largeTransactionThreshold": str(large_transaction_threshold)},
            )
        return _policy(large_transaction_threshold)

    @strawberry.mutation(
        description="导入动账 (core banking feed): repeated references are skipped, large ones remind at once"
    )
    async def record_account_movements(
        self, info: strawberry.Info, movements: list[AccountMovementInput]
    ) -> RecordedMovements:
        tenant_id = _tenant_of(info.context.require_principal(), *FEEDERS)
        rows = _movements(movements, tenant_id)
        wanted = {m.customer_id for m in rows}
        visible = scoped(
            info.context.require_principal(), CustomerModel, customer_scope
        )  # the feeders' scope: their bank
        if await visible.filter(id__in=list(wanted)).count() != len(wanted):
            raise not_found("customer")
        async with in_transaction("customers"):
            # The bank's feeds run one after another, so two identical ones at once record once.
            await PolicyModel.get_or_create(tenant_id=tenant_id)
            await PolicyModel.filter(tenant_id=tenant_id).select_for_update().get()
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
            await audit.record(
                target=audit.Target("AccountMovement"),
                detail={"recorded": len(new), "reminders": len(reminders)},
            )
        return RecordedMovements(recorded=len(new), reminders=len(reminders))

    @strawberry.mutation(description="新增日程: reminded at startsAt minus remindMinutesBefore")
    async def add_schedule_item(self, info: strawberry.Info, input: ScheduleItemInput) -> ScheduleItemType:
        principal = info.context.require_principal()
        tenant_id = _tenant_of(principal, *SCHEDULERS)
        title = input.title.strip()
        if not 1 <= len(title) <= 200:
            raise bad_input("title must be 1–200 characters")
        if not 0 <= input.remind_minutes_before <= 7 * 24 * 60:
            raise bad_input("remindMinutesBefore must be 0–10080")
        if _aware(input.starts_at, "startsAt") < datetime.now(UTC):
            raise bad_input("startsAt cannot be in the past")
        customer_id = None
        if input.customer_id is not None:
            customer = await info.context.loaders.customer.load(parse_id(input.customer_id, "customerId"))
            if customer is None:
                raise not_found("customer")
            customer_id = customer.id
        async with in_transaction("customers"):
            item = await ScheduleItem.create(
                manager_id=principal.user_id,
                tenant_id=tenant_id,
                customer_id=customer_id,
                title=title,
                starts_at=input.starts_at,
                remind_at=input.starts_at - timedelta(minutes=input.remind_minutes_before),
            )
            await audit.record(target=audit.Target("ScheduleItem", item.id))
        return item  # type: ignore[return-value]

    @strawberry.mutation(description="删除日程 (one's own)")
    async def remove_schedule_item(self, info: strawberry.Info, id: strawberry.ID) -> strawberry.ID:
        me = info.context.require_principal().user_id
        async with in_transaction("customers"):
            deleted = await ScheduleItem.filter(id=parse_id(id), manager_id=me).delete()
            if not deleted:
                raise not_found("schedule item")
            await audit.record(target=audit.Target("ScheduleItem", id))
        return id
