"""Every input type of the customers schema. A root field hands an input's values to its domain
function as plain keywords or a plain request (``CustomerCriteria``, ``Movement``, ``TierBand``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from resolvers.customers.filters import CustomerCriteria
from schema.customers.enums import (
    ConsentPurpose,
    ContactChannel,
    CustomerKind,
    CustomerTier,
    Direction,
    GroupSource,
    HoldingCategory,
    ProspectStatus,
    ReminderKind,
)


@strawberry.input(
    description="客户查询条件: every criterion given must hold; a list matches any of its items (tags: all)"
)
class CustomerFilter:
    text: str | None = strawberry.field(
        default=None, description="简单查询: name contains it, or the customer number starts with it"
    )
    tags: list[str] | None = strawberry.field(default=None, description="标签: has all of them")
    tiers: list[CustomerTier] | None = strawberry.field(default=None, description="客户分层: any of them")
    aum_min: Decimal | None = strawberry.field(default=None, description="金融资产下限 (inclusive)")
    aum_max: Decimal | None = strawberry.field(default=None, description="金融资产上限 (inclusive)")
    grid_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="网格: any of them")
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="主办客户经理")
    product_name: str | None = strawberry.field(
        default=None, description="持有产品: holds a product of exactly this name now (产品持有, not closed)"
    )
    product_category: HoldingCategory | None = strawberry.field(
        default=None, description="持有产品类别: holds a product of this category now"
    )
    kind: CustomerKind | None = strawberry.field(default=None, description="零售 / 对公")

    def criteria(self) -> CustomerCriteria:
        return CustomerCriteria(
            text=self.text,
            tags=self.tags,
            tiers=self.tiers,
            aum_min=self.aum_min,
            aum_max=self.aum_max,
            grid_ids=[str(g) for g in self.grid_ids] if self.grid_ids is not None else None,
            manager_id=str(self.manager_id) if self.manager_id is not None else None,
            product_name=self.product_name,
            product_category=self.product_category,
            kind=self.kind,
        )


@strawberry.input
class AddReminderInput:
    customer_id: strawberry.ID
    kind: ReminderKind
    title: str
    due_at: datetime | None = None


@strawberry.input(description="一笔动账 (from the core banking feed)")
class AccountMovementInput:
    reference: str = strawberry.field(description="流水号: unique, a repeat is skipped")
    customer_id: strawberry.ID
    direction: Direction
    amount: Decimal
    occurred_at: datetime
    counterparty: str = ""


@strawberry.input(description="新增日程")
class ScheduleItemInput:
    title: str
    starts_at: datetime
    remind_minutes_before: int = strawberry.field(default=30, description="提前提醒分钟数 (0–10080)")
    customer_id: strawberry.ID | None = None


@strawberry.input(description="接触记录")
class ContactInput:
    customer_id: strawberry.ID
    channel: ContactChannel
    summary: str
    contacted_at: datetime | None = strawberry.field(default=None, description="接触时间 (default now)")
    contact_again_on: date | None = strawberry.field(
        default=None, description="再次联系日期: a reminder that day"
    )


@strawberry.input(description="新建潜在客户")
class ProspectInput:
    name: str
    phone: str
    corporate: bool = False
    source: str = ""
    note: str = ""
    next_contact_on: date | None = None


@strawberry.input(description="跟进潜在客户: fields left null stay as they are")
class ProspectUpdate:
    note: str | None = None
    next_contact_on: date | None = None
    status: ProspectStatus | None = strawberry.field(
        default=None, description="CONVERTED (with customerId) or DROPPED; final"
    )
    customer_id: strawberry.ID | None = None


@strawberry.input(
    description="分层档位: customers with AUM of at least minAum (and below the next band) get the tier"
)
class TierBandInput:
    tier: CustomerTier
    min_aum: Decimal = strawberry.field(description="起点金融资产 (AUM)")


@strawberry.input(description="新建客群")
class CustomerGroupInput:
    name: str
    kind: CustomerKind
    source: GroupSource
    rule: CustomerFilter | None = strawberry.field(default=None, description="系统客群的规则 (SYSTEM only)")


@strawberry.input(description="记录授权")
class ConsentInput:
    customer_id: strawberry.ID
    purpose: ConsentPurpose
    expires_at: datetime = strawberry.field(description="到期时间 (at most 5 years ahead)")
    evidence: str = strawberry.field(description="授权书编号 / channel")
