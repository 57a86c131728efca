"""审核流程管理: the flows of the approvals engine, as data, and operations' own requests (change
requests, branch targets). The engine itself is resolvers/common/approvals.py."""

from __future__ import annotations

from tortoise import fields

from models.approvals import ApprovalFunction, ApprovalRequestBase, ApprovalStepBase
from models.common import Entity


class ApprovalFlow(Entity):
    """A function's flow for one tenant (``tenant_key``, its id) or the platform's default (""): whether
    approval is on (审核开关) and its steps in order, each ``{"name": "总行审核", "roles": [...]}``;
    any one holder of a step's roles in reach decides it. No row: the built-in default
    (resolvers/common/approvals.py ``DEFAULT_FLOWS``)."""

    tenant_key = fields.CharField(max_length=36, default="")  # not a nullable id: unique needs a value
    function = fields.CharEnumField(ApprovalFunction, max_length=20)
    enabled = fields.BooleanField(default=True)
    steps: fields.JSONField[list[dict[str, object]]] = fields.JSONField(default=list)
    updated_by = fields.UUIDField()

    class Meta:
        table = "approval_flow"
        unique_together = (("tenant_key", "function"),)


class ApprovalRequest(ApprovalRequestBase):
    """A change request's or a branch target's approval under way."""

    class Meta:
        table = "approval_request"


class ApprovalStep(ApprovalStepBase):
    """审批记录 of change requests and branch targets."""

    class Meta:
        table = "approval_step"
