"""What reminders (提醒) are generated from besides holdings and prospects: account movements
(动账流水, for 大额动账), each member bank's reminder parameters, and managers' schedules (日程)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import Entity


class Direction(StrEnum):
    IN = "IN"  # 转入
    OUT = "OUT"  # 转出


class AccountMovement(Entity):
    """动账: one movement on an account of a customer, as the core banking feed reports it.
    ``reference`` is the serial number of the core system of the bank, so a repeated feed adds
    nothing (unique per bank: another bank's numbers neither clash nor show)."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="movements", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    tenant_id = fields.UUIDField(db_index=True)
    reference = fields.CharField(max_length=64)  # 流水号
    direction = fields.CharEnumField(Direction, max_length=3)
    amount = fields.DecimalField(max_digits=18, decimal_places=2)
    counterparty = fields.CharField(max_length=100, default="")
    occurred_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "account_movement"
        unique_together = (("tenant_id", "reference"),)


class ReminderPolicy(Entity):
    """The reminder parameters (提醒参数) of a member bank."""

    tenant_id = fields.UUIDField(unique=True)
    # 大额动账 threshold: a single movement of at least this much, either way.
    large_transaction_threshold = fields.DecimalField(
        max_digits=18, decimal_places=2, default=Decimal("500000")
    )

    class Meta:
        table = "reminder_policy"


class ScheduleItem(Entity):
    """日程: an appointment of a manager, optionally about a customer, reminded at ``remind_at``."""

    manager_id = fields.UUIDField(db_index=True)
    tenant_id = fields.UUIDField(db_index=True)
    customer_id = fields.UUIDField(null=True)
    title = fields.CharField(max_length=200)
    starts_at = fields.DatetimeField()
    remind_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "schedule_item"
