"""客户分层管理: tier schemes that take effect only after review, tier-change requests that take
effect only after approval, the history of every tier move, and the approval trail of both."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.approvals import ApprovalRequestBase, ApprovalStepBase
from models.common import Entity


class SchemeStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    PENDING_REVIEW = "PENDING_REVIEW"  # 待审核
    ACTIVE = "ACTIVE"  # 已生效
    REJECTED = "REJECTED"  # 已驳回
    RETIRED = "RETIRED"  # 已停用 (replaced by a later scheme)


class TierScheme(Entity):
    """分层方案 of a member bank: AUM bands per tier (``bands``: [{"tier": …, "minAum": …}])."""

    tenant_id = fields.UUIDField(db_index=True)
    name = fields.CharField(max_length=100)
    bands: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    status = fields.CharEnumField(SchemeStatus, max_length=16, default=SchemeStatus.DRAFT)
    created_by = fields.UUIDField()  # operations User (HQ_ADMIN)
    reviewed_by = fields.UUIDField(null=True)  # HQ_REVIEWER
    reviewed_at = fields.DatetimeField(null=True)
    review_comment = fields.CharField(max_length=500, default="")
    activated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "tier_scheme"


class RequestStatus(StrEnum):
    PENDING = "PENDING"  # 待审批
    APPROVED = "APPROVED"  # 已通过 (the tier moved)
    REJECTED = "REJECTED"  # 已驳回
    WITHDRAWN = "WITHDRAWN"  # 已撤回


class TierChangeRequest(Entity):
    """调级申请 by a manager or branch head, applied only when approved."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="tier_requests", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    tenant_id = fields.UUIDField(db_index=True)
    from_tier = fields.CharField(max_length=10)
    to_tier = fields.CharField(max_length=10)
    reason = fields.CharField(max_length=500)
    status = fields.CharEnumField(RequestStatus, max_length=10, default=RequestStatus.PENDING)
    requested_by = fields.UUIDField(db_index=True)
    decided_by = fields.UUIDField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decision_comment = fields.CharField(max_length=500, default="")

    class Meta:
        table = "tier_change_request"


class TierChange(Entity):
    """等级变动历史: one row per tier move, from an approved request or an activated scheme."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="tier_changes", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    from_tier = fields.CharField(max_length=10)
    to_tier = fields.CharField(max_length=10)
    request_id = fields.UUIDField(null=True)
    scheme_id = fields.UUIDField(null=True)
    actor_id = fields.UUIDField()  # who approved it

    class Meta:
        table = "tier_change"


class ApprovalRequest(ApprovalRequestBase):
    """A tier scheme's review or a tier change's approval under way (resolvers/common/approvals.py)."""

    class Meta:
        table = "approval_request"


class ApprovalStep(ApprovalStepBase):
    """审批记录 of tier schemes and tier changes."""

    class Meta:
        table = "approval_step"
