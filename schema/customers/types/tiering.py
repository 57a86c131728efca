"""客户分层管理 (tiering) types: tier schemes (分层方案) and tier-change requests (调级申请), each
with its approval trail (审批记录), and a customer's tier history (等级变动历史,
``Customer.tierHistory`` in types/customers.py). Rules: resolvers/customers/tiering.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

import models.customers as rows
from schema.customers.context import Info
from schema.customers.enums import ApprovalAction, CustomerTier, RequestStatus, SchemeStatus
from schema.customers.federation import User, user_of, user_ref

if TYPE_CHECKING:
    from schema.customers.types.customers import Customer

# Customer returns these types: it is imported lazily here.
LazyCustomer = Annotated["Customer", strawberry.lazy("schema.customers.types.customers")]


@strawberry.type(description="分层档位")
class TierBand:
    tier: CustomerTier
    min_aum: Decimal = strawberry.field(description="起点金融资产 (AUM)")


@strawberry.type(description="审批记录: one step of a review or approval")
class ApprovalStep:
    action: ApprovalAction
    comment: str = strawberry.field(description="审批意见 / 申请理由")
    created_at: datetime

    @strawberry.field(description="操作人")
    @staticmethod
    def actor(parent: strawberry.Parent[rows.ApprovalStep]) -> User:
        return user_of(parent.actor_id)


async def _steps(
    parent: strawberry.Parent[rows.TierScheme | rows.TierChangeRequest], info: Info
) -> list[ApprovalStep]:
    """审批记录 of a scheme or request, in order."""
    return cast(list[ApprovalStep], await info.context.loaders.approval_steps.load(parent.id))


@strawberry.type(description="分层方案: AUM bands per tier; takes effect only once a reviewer approves it")
class TierScheme:
    id: strawberry.ID
    name: str
    status: SchemeStatus
    review_comment: str = strawberry.field(description="审核意见")
    reviewed_at: datetime | None
    activated_at: datetime | None = strawberry.field(description="生效时间")
    created_at: datetime

    @strawberry.field(description="分层档位, lowest first")
    @staticmethod
    def bands(parent: strawberry.Parent[rows.TierScheme]) -> list[TierBand]:
        # JSON: [{"tier": …, "minAum": "…"}]
        return [TierBand(tier=CustomerTier(b["tier"]), min_aum=Decimal(b["minAum"])) for b in parent.bands]

    @strawberry.field(name="createdBy", description="创建人 (总行业务管理)")
    @staticmethod
    def creator(parent: strawberry.Parent[rows.TierScheme]) -> User:
        return user_of(parent.created_by)

    @strawberry.field(name="reviewedBy", description="审核人 (总行业务审核)")
    @staticmethod
    def reviewer(parent: strawberry.Parent[rows.TierScheme]) -> User | None:
        return user_ref(parent.reviewed_by)

    approval_steps: list[ApprovalStep] = strawberry.field(resolver=_steps, description="审批记录, in order")


@strawberry.type(description="调级申请: moves the customer's tier only once approved")
class TierChangeRequest:
    id: strawberry.ID
    from_tier: CustomerTier = strawberry.field(description="申请时的等级")
    to_tier: CustomerTier = strawberry.field(description="申请调整到的等级")
    reason: str = strawberry.field(description="申请理由")
    status: RequestStatus
    decision_comment: str = strawberry.field(description="审批意见")
    decided_at: datetime | None
    created_at: datetime

    @strawberry.field(description="客户 (null when no longer in the caller's scope)")
    @staticmethod
    async def customer(parent: strawberry.Parent[rows.TierChangeRequest], info: Info) -> LazyCustomer | None:
        return cast("Customer | None", await info.context.loaders.customer.load(parent.customer_id))

    @strawberry.field(name="requestedBy", description="申请人")
    @staticmethod
    def requester(parent: strawberry.Parent[rows.TierChangeRequest]) -> User:
        return user_of(parent.requested_by)

    @strawberry.field(name="decidedBy", description="审批人")
    @staticmethod
    def decider(parent: strawberry.Parent[rows.TierChangeRequest]) -> User | None:
        return user_ref(parent.decided_by)

    approval_steps: list[ApprovalStep] = strawberry.field(resolver=_steps, description="审批记录, in order")


@strawberry.type(description="等级变动: one tier move, by an approved request or an activated scheme")
class TierChange:
    id: strawberry.ID
    from_tier: CustomerTier
    to_tier: CustomerTier
    request_id: strawberry.ID | None = strawberry.field(description="the approved 调级申请, if by one")
    scheme_id: strawberry.ID | None = strawberry.field(description="the activated 分层方案, if by one")
    created_at: datetime = strawberry.field(description="变动时间")

    @strawberry.field(description="批准人")
    @staticmethod
    def actor(parent: strawberry.Parent[rows.TierChange]) -> User:
        return user_of(parent.actor_id)
