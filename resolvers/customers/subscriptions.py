"""Customers streams."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from models.customers import Reminder as ReminderModel
from realtime.broker import REMINDERS
from resolvers.common.events import stream
from schema.common.events import AFTER, StreamEvent
from schema.customers.types import ReminderEvent


@strawberry.type
class Subscription:
    @strawberry.subscription(description="提醒推送: the caller's own reminders as they are created")
    async def reminders(
        self,
        info: strawberry.Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[ReminderEvent, None]:
        me = info.context.require_principal().user_id
        async for event, reminder in stream(
            info.context.require_principal(), info.context.realtime, REMINDERS, ReminderModel, after
        ):
            if reminder.manager_id == me:  # one's own, even for roles that may list all of them
                yield ReminderEvent(**StreamEvent.stamp(event.id, event.occurred_at), reminder=reminder)
