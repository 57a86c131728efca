"""客户接触 / 走访: a manager records a contact (phone, visit, WeChat, SMS). A contact entered a
day or more after it happened is a backfill (补录); a contact-again date (再次联系) becomes a
reminder for the manager that day, in the same transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import strawberry
from tortoise.transactions import in_transaction

from models.customers import ContactChannel, ContactRecord, ReminderKind
from resolvers.common import audit
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.values import parse_id
from resolvers.customers.reminder_jobs import Draft, deliver
from schema.customers.profile import ContactChannelEnum
from schema.customers.profile import ContactRecord as ContactRecordType
from security.roles import Role

BACKFILL_AFTER = timedelta(hours=24)  # recorded later than this after the contact: 补录
RECORDERS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)


@strawberry.input(description="接触记录")
class ContactInput:
    customer_id: strawberry.ID
    channel: ContactChannelEnum
    summary: str
    contacted_at: datetime | None = strawberry.field(default=None, description="接触时间 (default now)")
    contact_again_on: date | None = strawberry.field(
        default=None, description="再次联系日期: a reminder that day"
    )


@strawberry.type
class ContactMutation:
    @strawberry.mutation(description="记录接触 / 走访 (补录 when a day or more late)")
    async def record_contact(self, info: strawberry.Info, input: ContactInput) -> ContactRecordType:
        principal = info.context.require_principal()
        if not principal.has_role(*RECORDERS):
            raise forbidden("只有客户经理或支行行长可以记录接触 (managers only)")
        summary = input.summary.strip()
        if not 2 <= len(summary) <= 500:
            raise bad_input("summary must be 2–500 characters")
        now = datetime.now(UTC)
        contacted_at = input.contacted_at or now
        if contacted_at.tzinfo is None:
            raise bad_input("contactedAt needs a time zone")
        if contacted_at > now + timedelta(minutes=5):
            raise bad_input("contactedAt cannot be in the future")
        if input.contact_again_on is not None and input.contact_again_on < datetime.now(CST).date():
            raise bad_input("contactAgainOn cannot be in the past")
        customer = await info.context.loaders.customer.load(parse_id(input.customer_id, "customerId"))
        if customer is None:
            raise not_found("customer")  # or out of scope: the same answer
        async with in_transaction("customers"):
            record = await ContactRecord.create(
                customer=customer,
                manager_id=principal.user_id,
                channel=ContactChannel(input.channel),
                summary=summary,
                contacted_at=contacted_at,
                backfilled=now - contacted_at >= BACKFILL_AFTER,
                contact_again_on=input.contact_again_on,
            )
            await audit.record(target=audit.Target("ContactRecord", record.id))
            if input.contact_again_on is not None:
                draft = Draft(
                    key=f"contact:{record.id}",
                    kind=ReminderKind.APPOINTMENT,
                    title=f"再次联系 {customer.name}: {summary[:60]}",
                    due_at=datetime.combine(input.contact_again_on, time(9, 0), tzinfo=CST),  # 9 am
                    tenant_id=customer.tenant_id,
                    managers=frozenset({principal.user_id}),
                    customer_id=customer.id,
                )
                await deliver([draft])
        return record  # type: ignore[return-value]
