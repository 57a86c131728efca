"""订单监管: the working-day calendar, supervision warnings and actions (催单, 转单), risk prompts."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.common import Entity
from models.finance.orders import Handling


class CalendarDay(Model):
    """工作日历: a day that breaks the Monday–Friday rule — a holiday (节假日) on a weekday, or a
    make-up working day (调休) on a weekend."""

    day = fields.DateField(primary_key=True)
    workday = fields.BooleanField()
    name = fields.CharField(max_length=50, default="")  # 国庆节, 春节调休 …

    class Meta:
        table = "calendar_day"


class WarningKind(StrEnum):
    STAGE = "STAGE"  # a stage's response threshold passed (时限预警)
    COMPLETION = "COMPLETION"  # the working-day completion deadline passed (办结超期)


class SupervisionWarning(Entity):
    """督办预警: raised once per handling, kind and stage by the deadline check."""

    handling_id: UUID  # the column behind ``handling`` (for the type checker)
    handling: fields.ForeignKeyRelation[Handling] = fields.ForeignKeyField(
        "finance.Handling", related_name="warnings", on_delete=fields.CASCADE
    )
    institution_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(WarningKind, max_length=10)
    stage = fields.CharField(max_length=14)  # the handling's status when the deadline passed
    due_at = fields.DatetimeField()

    class Meta:
        table = "supervision_warning"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)
        unique_together = (("handling", "kind", "stage"),)


class ActionKind(StrEnum):
    URGE = "URGE"  # 催单
    TRANSFER = "TRANSFER"  # 转单
    OVERDUE_REASON = "OVERDUE_REASON"  # the institution's 超时原因


class SupervisionAction(Entity):
    """督办记录: the history of urging, transferring and explaining an order."""

    handling_id: UUID  # the column behind ``handling`` (for the type checker)
    handling: fields.ForeignKeyRelation[Handling] = fields.ForeignKeyField(
        "finance.Handling", related_name="actions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ActionKind, max_length=14)
    actor_id = fields.UUIDField()  # operations User
    note = fields.CharField(max_length=300, default="")
    to_institution_id = fields.UUIDField(null=True)  # TRANSFER

    class Meta:
        table = "supervision_action"


class RiskKind(StrEnum):
    DUPLICATE_FINANCING = "DUPLICATE_FINANCING"  # 重复融资: same applicant and project elsewhere
    POST_LOAN = "POST_LOAN"  # 贷后预警


class RiskPrompt(Entity):
    """风险提示, shown to the institution handling the order."""

    handling_id: UUID  # the column behind ``handling`` (for the type checker)
    handling: fields.ForeignKeyRelation[Handling] = fields.ForeignKeyField(
        "finance.Handling", related_name="risk_prompts", on_delete=fields.CASCADE
    )
    institution_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(RiskKind, max_length=20)
    detail = fields.CharField(max_length=300)
    raised_by_id = fields.UUIDField(null=True)  # None: raised by the platform's own check

    class Meta:
        table = "risk_prompt"
