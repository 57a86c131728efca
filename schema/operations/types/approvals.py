"""审核流程: the approvals engine's flows and the approvals waiting for the caller (reads
resolvers/common/approvals.py ``Flow`` and the subgraphs' ``ApprovalRequest`` rows)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from models.approvals import ApprovalRequestBase
from resolvers.common.approvals import Flow, FlowStep, steps_from
from schema.operations.context import Info
from schema.operations.enums import ApprovalFunction
from schema.operations.types.orgs import User


@strawberry.type(
    description="审批步骤: any one holder of its roles (acting in that role, in reach) decides it"
)
class ApprovalFlowStep:
    name: str

    @strawberry.field(description="roles that decide this step")
    @staticmethod
    def roles(parent: strawberry.Parent[FlowStep]) -> list[str]:
        return [str(r) for r in parent.roles]


@strawberry.type(description="审核流程: a function's approval switch and steps for a tenant")
class ApprovalFlow:
    function: ApprovalFunction
    enabled: bool = strawberry.field(description="审核开关: off, a submission takes effect at once")
    steps: list[ApprovalFlowStep]
    tenant_id: strawberry.ID | None = strawberry.field(description="null: the platform's default")
    built_in: bool = strawberry.field(description="no flow stored: the built-in default")


def flow_of(flow: Flow) -> ApprovalFlow:
    return cast(ApprovalFlow, flow)


@strawberry.type(description="待我审批: a submission waiting for the caller's decision")
class PendingApproval:
    id: strawberry.ID
    function: ApprovalFunction
    subject_id: strawberry.ID = strawberry.field(
        description="the scheme, request, product or change to decide"
    )
    title: str
    step: int = strawberry.field(description="the waiting step, from 0")
    created_at: datetime = strawberry.field(name="submittedAt")

    @strawberry.field(description="the waiting step's name")
    @staticmethod
    def step_name(parent: strawberry.Parent[ApprovalRequestBase]) -> str:
        return steps_from(parent.steps)[parent.step].name

    @strawberry.field
    @staticmethod
    def step_count(parent: strawberry.Parent[ApprovalRequestBase]) -> int:
        return len(parent.steps)

    @strawberry.field(description="提交人")
    @staticmethod
    async def submitted_by(parent: strawberry.Parent[ApprovalRequestBase], info: Info) -> User | None:
        return cast("User | None", await info.context.loaders.user.load(parent.submitted_by))
