"""变更记录 (change records, seed 004 "备份策略调整更新记录", 配置/存储空间变更): a planned change to
a unit's configuration, storage, backup policy or an optimisation, approved by someone other
than its requester (四眼原则) before it runs inside its planned window."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org


class ChangeKind(StrEnum):
    CONFIGURATION = "CONFIGURATION"  # 配置变更
    STORAGE = "STORAGE"  # 存储空间
    BACKUP_POLICY = "BACKUP_POLICY"  # 备份策略调整
    OPTIMISATION = "OPTIMISATION"  # 优化


class ChangeRisk(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class ChangeStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    ROLLED_BACK = "ROLLED_BACK"


class ChangeRequest(Entity):
    """变更申请 of one unit (org), with its history in ``ChangeStep``."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="change_requests", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # copied for scope filtering
    kind = fields.CharEnumField(ChangeKind, max_length=16)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    system = fields.CharField(max_length=100, default="")  # the system it touches, by name
    device_id = fields.UUIDField(null=True, db_index=True)  # a devices-subgraph Device
    planned_start = fields.DatetimeField()
    planned_end = fields.DatetimeField()
    risk = fields.CharEnumField(ChangeRisk, max_length=8)
    rollback_plan = fields.TextField()  # 回退方案: required
    status = fields.CharEnumField(ChangeStatus, max_length=12, default=ChangeStatus.DRAFT)
    result_note = fields.TextField(default="")
    requested_by = fields.UUIDField()
    approved_by = fields.UUIDField(null=True)  # who approved or rejected it
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "change_request"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)
        unique_together = (("requested_by", "idempotency_key"),)


class ChangeStep(Entity):
    """One step of a change's history: who moved it from which status to which, and why."""

    change: fields.ForeignKeyRelation[ChangeRequest] = fields.ForeignKeyField(
        "operations.ChangeRequest", related_name="steps", on_delete=fields.CASCADE
    )
    change_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400)  # the change's, for the loader's scope
    from_status = fields.CharEnumField(ChangeStatus, max_length=12, null=True)  # null: created
    to_status = fields.CharEnumField(ChangeStatus, max_length=12)
    actor_id = fields.UUIDField()
    actor_name = fields.CharField(max_length=64)
    note = fields.TextField(default="")

    class Meta:
        table = "change_step"
        indexes = (("change_id", "created_at"),)
