"""客户关系管理: the history of every change of who manages a customer (管户变更)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import Entity


class OwnershipChangeKind(StrEnum):
    ALLOCATE = "ALLOCATE"  # 分配 (to a manager, or to an org unmanaged)
    RETURN_TO_ORG = "RETURN_TO_ORG"  # 收回到机构
    HAND_OVER = "HAND_OVER"  # 移交 (to another manager)
    TRANSFER = "TRANSFER"  # 跨机构移交
    CUSTODY_START = "CUSTODY_START"  # 托管 (temporary, same org, with an end time)
    CUSTODY_END = "CUSTODY_END"  # 托管结束 (ended early; expiry needs no row)
    ASSIST_ADD = "ASSIST_ADD"  # 增加协办
    ASSIST_REMOVE = "ASSIST_REMOVE"  # 取消协办


class OwnershipChange(Entity):
    """Who, when, what: one row per change, ``created_at`` is when."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="ownership_changes", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    tenant_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(OwnershipChangeKind, max_length=14)
    from_manager_id = fields.UUIDField(null=True)
    to_manager_id = fields.UUIDField(null=True)
    from_org_id = fields.UUIDField(null=True)
    to_org_id = fields.UUIDField(null=True)
    ends_at = fields.DatetimeField(null=True)  # custody's end
    reason = fields.CharField(max_length=500, default="")
    actor_id = fields.UUIDField()

    class Meta:
        table = "ownership_change"
