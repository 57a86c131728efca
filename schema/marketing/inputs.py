"""Input types of the marketing schema."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from resolvers.marketing.audiences import CriteriaInput
from schema.marketing.enums import CustomerTier


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"


@strawberry.input(description="目标客群的条件: every one given must hold")
class AudienceCriteriaInput:
    tags: list[str] | None = strawberry.field(default=None, description="标签: has all of them")
    tiers: list[CustomerTier] | None = strawberry.field(default=None, description="客户分层: any of them")
    aum_min: Decimal | None = strawberry.field(default=None, description="金融资产下限 (inclusive)")
    aum_max: Decimal | None = strawberry.field(default=None, description="金融资产上限 (inclusive)")
    grid_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="网格 of the bank: any of them"
    )
    products_held: list[str] | None = strawberry.field(
        default=None, description="持有产品 (names): any of them"
    )
    org_path: str | None = strawberry.field(
        default=None,
        description="机构范围 (辖内): an org path within the caller's bank (a branch head: own subtree)",
    )

    def plain(self) -> CriteriaInput:
        return CriteriaInput(
            tags=self.tags,
            tiers=[t.value for t in self.tiers] if self.tiers is not None else None,
            aum_min=self.aum_min,
            aum_max=self.aum_max,
            grid_ids=[str(g) for g in self.grid_ids] if self.grid_ids is not None else None,
            products_held=self.products_held,
            org_path=self.org_path,
        )


@strawberry.input
class CreateAudienceInput:
    name: str
    criteria: AudienceCriteriaInput
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry returns the first"
    )
