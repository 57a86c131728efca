"""客户查询 (customer search): the criteria of ``customers(filter:)``, also the rule a system
客群 keeps (resolvers/customers/search.py turns them into one SQL condition)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from schema.customers.profile import HoldingCategoryEnum
from schema.customers.types import CustomerKindEnum, CustomerTierEnum


@strawberry.input(
    description="客户查询条件: every criterion given must hold; a list matches any of its items (tags: all)"
)
class CustomerFilter:
    text: str | None = strawberry.field(
        default=None, description="简单查询: name contains it, or the customer number starts with it"
    )
    tags: list[str] | None = strawberry.field(default=None, description="标签: has all of them")
    tiers: list[CustomerTierEnum] | None = strawberry.field(default=None, description="客户分层: any of them")
    aum_min: Decimal | None = strawberry.field(default=None, description="金融资产下限 (inclusive)")
    aum_max: Decimal | None = strawberry.field(default=None, description="金融资产上限 (inclusive)")
    grid_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="网格: any of them")
    manager_id: strawberry.ID | None = strawberry.field(default=None, description="主办客户经理")
    product_name: str | None = strawberry.field(
        default=None, description="持有产品: holds a product of exactly this name now (产品持有, not closed)"
    )
    product_category: HoldingCategoryEnum | None = strawberry.field(
        default=None, description="持有产品类别: holds a product of this category now"
    )
    kind: CustomerKindEnum | None = strawberry.field(default=None, description="零售 / 对公")
