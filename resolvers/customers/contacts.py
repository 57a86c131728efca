"""客户接触 / 走访: a manager records a contact (phone, visit, WeChat, SMS). A contact entered a
day or more after it happened is a backfill (补录); a contact-again date (再次联系) becomes a
reminder for the manager that day, in the same transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from models.customers import ContactChannel, ContactRecord, ReminderKind
from resolvers.common.changes import change
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input
from resolvers.customers.customers import customer_in_scope
from resolvers.customers.permissions import CONTACT_RECORDERS, require_role
from resolvers.customers.reminders import Draft, deliver
from security.principal import Principal

BACKFILL_AFTER = timedelta(hours=24)  # recorded later than this after the contact: 补录


async def record_contact(
    principal: Principal,
    customer_id: UUID,
    channel: ContactChannel,
    summary: str,
    contacted_at: datetime | None = None,
    contact_again_on: date | None = None,
) -> ContactRecord:
    require_role(principal, CONTACT_RECORDERS, "只有客户经理或支行行长可以记录接触 (managers only)")
    summary = summary.strip()
    if not 2 <= len(summary) <= 500:
        raise bad_input("summary must be 2–500 characters")
    now = datetime.now(UTC)
    contacted_at = contacted_at or now
    if contacted_at.tzinfo is None:
        raise bad_input("contactedAt needs a time zone")
    if contacted_at > now + timedelta(minutes=5):
        raise bad_input("contactedAt cannot be in the future")
    if contact_again_on is not None and contact_again_on < datetime.now(CST).date():
        raise bad_input("contactAgainOn cannot be in the past")
    customer = await customer_in_scope(principal, customer_id)
    async with change("customers", "ContactRecord") as audited:
        record = await ContactRecord.create(
            customer=customer,
            manager_id=principal.user_id,
            channel=ContactChannel(channel),
            summary=summary,
            contacted_at=contacted_at,
            backfilled=now - contacted_at >= BACKFILL_AFTER,
            contact_again_on=contact_again_on,
        )
        audited.id = record.id
        if contact_again_on is not None:
            draft = Draft(
                key=f"contact:{record.id}",
                kind=ReminderKind.APPOINTMENT,
                title=f"再次联系 {customer.name}: {summary[:60]}",
                due_at=datetime.combine(contact_again_on, time(9, 0), tzinfo=CST),  # 9 am
                tenant_id=customer.tenant_id,
                managers=frozenset({principal.user_id}),
                customer_id=customer.id,
            )
            await deliver([draft])
    return record
