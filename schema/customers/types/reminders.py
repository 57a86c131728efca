"""提醒 (reminders) and what they come from: account movements (动账), the member bank's reminder
parameters (提醒参数) and managers' schedules (日程). Rules: resolvers/customers/reminders.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

import models.customers as rows
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.customers.context import Info
from schema.customers.enums import ReminderKind
from schema.customers.federation import User, user_of

if TYPE_CHECKING:
    from schema.customers.types.customers import Customer

LazyCustomer = Annotated["Customer", strawberry.lazy("schema.customers.types.customers")]


@strawberry.federation.type(keys=["id"], description="提醒")
class Reminder:
    id: strawberry.ID
    kind: ReminderKind
    title: str
    due_at: datetime | None
    read: bool
    created_at: datetime

    @strawberry.field(description="提醒所关于的客户 (null: 潜客或日程, or a customer no longer in scope)")
    @staticmethod
    async def customer(parent: strawberry.Parent[rows.Reminder], info: Info) -> LazyCustomer | None:
        if parent.customer_id is None:
            return None
        return cast("Customer | None", await info.context.loaders.customer.load(parent.customer_id))

    @strawberry.field(description="接收提醒的客户经理")
    @staticmethod
    def manager(parent: strawberry.Parent[rows.Reminder]) -> User:
        return user_of(parent.manager_id)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Reminder | None:
        return entity(cls, await info.context.loaders.reminder.load(parse_id(id)))


@strawberry.type(description="动账导入结果")
class RecordedMovements:
    recorded: int = strawberry.field(description="新记录的笔数 (repeats not counted)")
    reminders: int = strawberry.field(description="发出的大额动账提醒数")


@strawberry.type(description="提醒参数")
class ReminderPolicy:
    large_transaction_threshold: Decimal = strawberry.field(description="大额动账阈值 (元)")


@strawberry.type(description="日程")
class ScheduleItem:
    id: strawberry.ID
    title: str
    starts_at: datetime
    remind_at: datetime
    customer_id: strawberry.ID | None
