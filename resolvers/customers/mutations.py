"""Customers mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from tortoise.transactions import in_transaction

from models.customers import Reminder as ReminderModel
from models.customers import ReminderKind
from realtime.broker import REMINDERS
from resolvers.common import audit
from resolvers.common.events import publish
from schema.common.errors import bad_input, not_found
from schema.common.scalars import parse_id
from schema.customers.types import Reminder, ReminderKindEnum


@strawberry.input
class AddReminderInput:
    customer_id: strawberry.ID
    kind: ReminderKindEnum
    title: str
    due_at: datetime | None = None


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        description="新增提醒: goes to the customer's primary manager (主办)", authenticated=True
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
        async with in_transaction("customers"):
            reminder = await ReminderModel.create(
                customer=customer,
                manager_id=customer.primary_manager_id,
                tenant_id=customer.tenant_id,
                kind=ReminderKind(input.kind),
                title=input.title.strip(),
                due_at=input.due_at,
            )
            await audit.record(info, target=audit.Target("Reminder", reminder.id))
            await publish(
                info,
                REMINDERS,
                "reminder.created",
                reminder,
                tenant_id=customer.tenant_id,
                manager_id=reminder.manager_id,
            )
        return reminder
