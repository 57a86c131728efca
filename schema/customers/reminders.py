"""Types of what reminders come from: account movements (动账), the member bank's reminder
parameters (提醒参数) and managers' schedules (日程). The ``Reminder`` itself is in types.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from models.customers import Direction

DirectionEnum = strawberry.enum(Direction, name="MovementDirection", description="动账方向")


@strawberry.input(description="一笔动账 (from the core banking feed)")
class AccountMovementInput:
    reference: str = strawberry.field(description="流水号: unique, a repeat is skipped")
    customer_id: strawberry.ID
    direction: DirectionEnum
    amount: Decimal
    occurred_at: datetime
    counterparty: str = ""


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


@strawberry.input(description="新增日程")
class ScheduleItemInput:
    title: str
    starts_at: datetime
    remind_minutes_before: int = strawberry.field(default=30, description="提前提醒分钟数 (0–10080)")
    customer_id: strawberry.ID | None = None
