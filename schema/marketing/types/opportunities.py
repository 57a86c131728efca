"""Marketing types: opportunities (商机), their follow-ups (跟进), QR codes (二维码) and the
conversion statistics (商机统计分析).

``Opportunity`` reads its row (models/marketing) as its parent; relations resolve through
``info.context.loaders`` (resolvers/marketing/dataloaders.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

import strawberry

from models.marketing import Opportunity as OpportunityRow
from models.marketing import OpportunityFollowUp as FollowUpRow
from models.marketing import QrCode as QrCodeRow
from resolvers.common.loading import MaybeAwaitable, ready, then
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.marketing.context import Info
from schema.marketing.enums import FollowUpChannel, OpportunityStatus
from schema.marketing.federation import Customer


@strawberry.federation.type(keys=["id"], description="商机")
class Opportunity:
    id: strawberry.ID
    title: str = strawberry.field(description="标题 (never the customer's name)")
    product_name: str
    source: str = strawberry.field(description="来源: manual, QR_SCAN 扫码, RULE 规则")
    rule: str = strawberry.field(description="规则: DEPOSIT_RENEWAL, LARGE_INFLOW (source RULE)")
    status: OpportunityStatus
    created_at: datetime
    claimed_at: datetime | None
    converted_amount: Decimal | None = strawberry.field(description="转化金额")
    converted_product: str
    close_reason: str
    finished_at: datetime | None
    masked_phone: str = strawberry.field(description="扫码留下的手机号 (masked, e.g. 138****1234)")

    @strawberry.field(
        description="客户; null when the caller may not see that customer (or a lead with no customer)",
        graphql_type=Customer | None,
    )
    @staticmethod
    def customer(parent: strawberry.Parent[OpportunityRow], info: Info) -> MaybeAwaitable[Customer | None]:
        # Shown only to who may see the customer by the customers subgraph's rule: the pool never
        # shows a colleague's customer (resolvers/common/customer_directory.py).
        customer_id = parent.customer_id
        if customer_id is None:
            return None
        return then(
            ready(info.context.loaders.customer_visible, customer_id),
            lambda seen: Customer(id=strawberry.ID(str(customer_id))) if seen else None,
        )

    @strawberry.field(description="线索 (a scan whose phone matched no customer)")
    @staticmethod
    def is_lead(parent: strawberry.Parent[OpportunityRow]) -> bool:
        return parent.customer_id is None

    @strawberry.field(description="认领人 (operations User id); null in the pool")
    @staticmethod
    def claimed_by_id(parent: strawberry.Parent[OpportunityRow]) -> strawberry.ID | None:
        return strawberry.ID(str(parent.claimed_by_id)) if parent.claimed_by_id else None

    @strawberry.field(description="由我认领")
    @staticmethod
    def claimed_by_me(parent: strawberry.Parent[OpportunityRow], info: Info) -> bool:
        return _claimer(parent, info)

    @strawberry.field(description="扫码留下的姓名: its claimer only")
    @staticmethod
    def lead_name(parent: strawberry.Parent[OpportunityRow], info: Info) -> str | None:
        return parent.lead_name if _claimer(parent, info) else None

    @strawberry.field(description="扫码留下的手机号: its claimer only")
    @staticmethod
    def lead_phone(parent: strawberry.Parent[OpportunityRow], info: Info) -> str | None:
        return parent.lead_phone if _claimer(parent, info) else None

    @strawberry.field(description="扫码留言: its claimer only")
    @staticmethod
    def lead_remark(parent: strawberry.Parent[OpportunityRow], info: Info) -> str | None:
        return parent.lead_remark if _claimer(parent, info) else None

    @strawberry.field(description="跟进记录, oldest first", graphql_type=list["FollowUp"])
    @staticmethod
    def follow_ups(parent: strawberry.Parent[OpportunityRow], info: Info) -> MaybeAwaitable[list[FollowUp]]:
        return cast(MaybeAwaitable[list[FollowUp]], ready(info.context.loaders.follow_ups, parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Opportunity:
        return entity(cls, await info.context.loaders.opportunity.load(parse_id(id)))


def _claimer(parent: OpportunityRow, info: Info) -> bool:
    return (
        parent.claimed_by_id is not None and parent.claimed_by_id == info.context.require_principal().user_id
    )


@strawberry.type(description="跟进记录")
class FollowUp:
    id: strawberry.ID
    channel: FollowUpChannel
    note: str
    next_on: date | None = strawberry.field(description="下次跟进日期")
    created_at: datetime

    @strawberry.field(description="跟进人 (operations User id)")
    @staticmethod
    def manager_id(parent: strawberry.Parent[FollowUpRow]) -> strawberry.ID:
        return strawberry.ID(str(parent.manager_id))


@strawberry.type(description="营销二维码 (大众营销)")
class QrCode:
    id: strawberry.ID
    product_name: str
    label: str
    token: str = strawberry.field(description="the opaque part of the public link /marketing/scan/<token>")
    active: bool
    created_at: datetime

    @strawberry.field(description="所属机构 (operations Org id)")
    @staticmethod
    def org_id(parent: strawberry.Parent[QrCodeRow]) -> strawberry.ID:
        return strawberry.ID(str(parent.org_id))

    @strawberry.field(description="归属客户经理 (operations User id); null: its opportunities go to the pool")
    @staticmethod
    def manager_id(parent: strawberry.Parent[QrCodeRow]) -> strawberry.ID | None:
        return strawberry.ID(str(parent.manager_id)) if parent.manager_id else None


@strawberry.type(description="商机转化统计 (one org or manager)")
class ConversionRow:
    id: strawberry.ID
    name: str
    total: int
    open: int
    claimed: int
    converted: int
    closed: int
    rate: float = strawberry.field(description="转化率: converted / (claimed + converted + closed)")


@strawberry.type(description="商机统计分析")
class ConversionStats:
    by_org: list[ConversionRow]
    by_manager: list[ConversionRow]
