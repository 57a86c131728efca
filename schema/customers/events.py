"""Customers stream payloads."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.customers.types.reminders import Reminder


@strawberry.type(description="提醒事件")
class ReminderEvent(StreamEvent):
    reminder: Reminder
