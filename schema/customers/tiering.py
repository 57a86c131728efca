"""客户分层管理 (tiering) types: tier schemes (分层方案) and tier-change requests (调级申请), each
with its approval trail (审批记录), and a customer's tier history (等级变动历史,
``Customer.tierHistory`` in schema/customers/types.py). Resolvers: resolvers/customers/tiering.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models.customers import ApprovalAction, CustomerTier, RequestStatus, SchemeStatus
from resolvers.common.pagination import page_in
from schema.common.connection import Connection
from schema.customers.ownership import user_ref

if TYPE_CHECKING:
    from schema.customers.types import Customer, CustomerTierEnum, User

# Beside Customer in schema/customers/types.py, which imports this module.
_Customer = Annotated["Customer", strawberry.lazy("schema.customers.types")]
_Tier = Annotated["CustomerTierEnum", strawberry.lazy("schema.customers.types")]
_User = Annotated["User", strawberry.lazy("schema.customers.types")]

SchemeStatusEnum = strawberry.enum(SchemeStatus, name="TierSchemeStatus", description="分层方案状态")
RequestStatusEnum = strawberry.enum(RequestStatus, name="TierChangeStatus", description="调级申请状态")
ApprovalActionEnum = strawberry.enum(ApprovalAction, name="ApprovalAction", description="审批动作")


@strawberry.input(
    description="分层档位: customers with AUM of at least minAum (and below the next band) get the tier"
)
class TierBandInput:
    tier: _Tier
    min_aum: Decimal = strawberry.field(description="起点金融资产 (AUM)")


@strawberry.type(description="分层档位")
class TierBand:
    tier: _Tier
    min_aum: Decimal = strawberry.field(description="起点金融资产 (AUM)")


@strawberry.type(description="审批记录: one step of a review or approval")
class ApprovalStep:
    action: ApprovalActionEnum
    comment: str = strawberry.field(description="审批意见 / 申请理由")
    created_at: datetime

    @strawberry.field(description="操作人")
    def actor(self) -> _User:
        return user_ref(self.actor_id)  # type: ignore[attr-defined]


async def _steps(root: Any, info: strawberry.Info) -> list[ApprovalStep]:
    """审批记录 of a scheme or request (``root``), in order."""
    return await info.context.loaders.approval_steps.load(root.id)


@strawberry.type(description="分层方案: AUM bands per tier; takes effect only once a reviewer approves it")
class TierScheme:
    id: strawberry.ID
    name: str
    status: SchemeStatusEnum
    review_comment: str = strawberry.field(description="审核意见")
    reviewed_at: datetime | None
    activated_at: datetime | None = strawberry.field(description="生效时间")
    created_at: datetime

    @strawberry.field(description="分层档位, lowest first")
    def bands(self) -> list[TierBand]:
        rows = self.bands  # type: ignore[attr-defined]  # JSON: [{"tier": …, "minAum": "…"}]
        return [TierBand(tier=CustomerTier(b["tier"]), min_aum=Decimal(b["minAum"])) for b in rows]

    @strawberry.field(name="createdBy", description="创建人 (总行业务管理)")
    def creator(self) -> _User:
        return user_ref(self.created_by)  # type: ignore[attr-defined]

    @strawberry.field(name="reviewedBy", description="审核人 (总行业务审核)")
    def reviewer(self) -> _User | None:
        return user_ref(self.reviewed_by)  # type: ignore[attr-defined]

    approval_steps: list[ApprovalStep] = strawberry.field(resolver=_steps, description="审批记录, in order")


@strawberry.type(description="调级申请: moves the customer's tier only once approved")
class TierChangeRequest:
    id: strawberry.ID
    from_tier: _Tier = strawberry.field(description="申请时的等级")
    to_tier: _Tier = strawberry.field(description="申请调整到的等级")
    reason: str = strawberry.field(description="申请理由")
    status: RequestStatusEnum
    decision_comment: str = strawberry.field(description="审批意见")
    decided_at: datetime | None
    created_at: datetime

    @strawberry.field(description="客户 (null when no longer in the caller's scope)")
    async def customer(self, info: strawberry.Info) -> _Customer | None:
        return await info.context.loaders.customer.load(self.customer_id)  # type: ignore[attr-defined]

    @strawberry.field(name="requestedBy", description="申请人")
    def requester(self) -> _User:
        return user_ref(self.requested_by)  # type: ignore[attr-defined]

    @strawberry.field(name="decidedBy", description="审批人")
    def decider(self) -> _User | None:
        return user_ref(self.decided_by)  # type: ignore[attr-defined]

    approval_steps: list[ApprovalStep] = strawberry.field(resolver=_steps, description="审批记录, in order")


@strawberry.type(description="等级变动: one tier move, by an approved request or an activated scheme")
class TierChange:
    id: strawberry.ID
    from_tier: _Tier
    to_tier: _Tier
    request_id: strawberry.ID | None = strawberry.field(description="the approved 调级申请, if by one")
    scheme_id: strawberry.ID | None = strawberry.field(description="the activated 分层方案, if by one")
    created_at: datetime = strawberry.field(description="变动时间")

    @strawberry.field(description="批准人")
    def actor(self) -> _User:
        return user_ref(self.actor_id)  # type: ignore[attr-defined]


async def tier_history_page(
    info: strawberry.Info, customer_id: Any, first: int, after: str | None
) -> Connection[TierChange]:
    """等级变动历史, newest first: the page after the move ``after`` points at. Each customer's
    whole history loads in one statement for a page of customers (the ``tier_history`` block of
    resolvers/customers/dataloaders.py): a tier moves only a few times in a customer's life."""
    rows = await info.context.loaders.profile("tier_history").load(customer_id)
    return page_in(rows, first, after)  # type: ignore[return-value]
