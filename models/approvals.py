"""The approvals engine's tables (审核流程), one pair per subgraph that owns approvable things.

A request and its trail live in the database of the subject they decide — customers for tier
schemes and tier changes, finance for product listings, marketing for marketing schemes,
operations for change requests and branch targets — so a decision and its effect commit in one
transaction (as the audit trail does, models/audit.py). What a flow is (its steps, its on/off
switch) is data owned by operations (models/operations/approvals.py ``ApprovalFlow``); the rules
that read both are in resolvers/common/approvals.py. Tortoise does not inherit Meta: each
subgraph's concrete models name their tables.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import Entity


class ApprovalFunction(StrEnum):
    """What can be sent for approval; one switch per function (审核流程管理)."""

    TIER_SCHEME = "TIER_SCHEME"  # 客户分层方案
    TIER_CHANGE = "TIER_CHANGE"  # 客户调级申请
    PRODUCT_LISTING = "PRODUCT_LISTING"  # 金融产品上架
    CHANGE_REQUEST = "CHANGE_REQUEST"  # 运维变更
    MARKETING_SCHEME = "MARKETING_SCHEME"  # 营销方案
    BRANCH_TARGET = "BRANCH_TARGET"  # 支行业绩指标


class ApprovalStatus(StrEnum):
    PENDING = "PENDING"  # 审批中
    APPROVED = "APPROVED"  # 已通过
    REJECTED = "REJECTED"  # 已驳回
    WITHDRAWN = "WITHDRAWN"  # 已撤回


class ApprovalAction(StrEnum):
    SUBMIT = "SUBMIT"  # 提交
    APPROVE = "APPROVE"  # 通过
    REJECT = "REJECT"  # 驳回
    WITHDRAW = "WITHDRAW"  # 撤回


class ApprovalRequestBase(Entity):
    """One submission of a subject for approval. ``steps`` is the flow as it was when submitted (a
    flow edited later does not change a request under way); ``step`` is the one waiting, and
    ``roles`` that step's roles as ``,R1,R2,`` so a pending list filters by role in SQL."""

    tenant_id = fields.UUIDField(null=True, db_index=True)
    function = fields.CharEnumField(ApprovalFunction, max_length=20)
    subject_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400)  # where the subject sits: an approver's reach
    title = fields.CharField(max_length=200, default="")
    created_by = fields.UUIDField()  # the subject's author: never its approver (四眼原则)
    submitted_by = fields.UUIDField()
    status = fields.CharEnumField(ApprovalStatus, max_length=10, default=ApprovalStatus.PENDING)
    step = fields.SmallIntField(default=0)
    steps: fields.JSONField[list[dict[str, object]]] = fields.JSONField(default=list)
    roles = fields.CharField(max_length=200, default="")
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True


class ApprovalStepBase(Entity):
    """审批记录: a submission, each decision (with its comment) and a withdrawal, in order."""

    tenant_id = fields.UUIDField(null=True, db_index=True)
    function = fields.CharEnumField(ApprovalFunction, max_length=20)
    subject_id = fields.UUIDField(db_index=True)
    request_id = fields.UUIDField(null=True, db_index=True)  # null: a step from before the engine
    step = fields.SmallIntField(null=True)  # the flow step decided; null for a submission or withdrawal
    action = fields.CharEnumField(ApprovalAction, max_length=10)
    actor_id = fields.UUIDField()
    comment = fields.CharField(max_length=500, default="")

    class Meta:
        abstract = True
