"""Customers streams."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from models.customers import Reminder as ReminderModel
from realtime.broker import REMINDERS
from resolvers.common.events import stream
from schema.customers.types import Reminder


@strawberry.type
class Subscription:
    @strawberry.subscription(description="提醒推送: the caller's own reminders as they are created")
    async def reminders(self, info: strawberry.Info) -> AsyncGenerator[Reminder, None]:
        me = info.context.require_principal().user_id
        async for _event, reminder in stream(info, REMINDERS, ReminderModel):
            if reminder.manager_id == me:  # one's own, even for roles that may list all of them
                yield reminder
