"""Every root subscription of the customers subgraph."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, cast

import strawberry

from models.customers import Reminder
from realtime.broker import REMINDERS
from resolvers.common.events import stream
from schema.common.events import AFTER, StreamEvent
from schema.customers.context import Info
from schema.customers.events import ReminderEvent
from schema.customers.types.reminders import Reminder as ReminderType


@strawberry.type
class Subscription:
    @strawberry.subscription(description="提醒推送: the caller's own reminders as they are created")
    async def reminders(
        self,
        info: Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[ReminderEvent, None]:
        principal = info.context.require_principal()
        async for event, reminder in stream(principal, info.context.realtime, REMINDERS, Reminder, after):
            if reminder.manager_id == principal.user_id:  # one's own, even for roles that may list all
                stamp = StreamEvent.stamp(event.id, event.occurred_at)
                yield ReminderEvent(**stamp, reminder=cast(ReminderType, reminder))
