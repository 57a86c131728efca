"""网格画像 (grid profile) and the tier distribution it shares with 客群. ``Grid`` itself is in
schema/customers/types.py; its figures load in one statement per figure for a whole list of
grids (resolvers/customers/grids.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from models.customers import CustomerKind, CustomerTier
from schema.customers.types import CustomerTierEnum


@strawberry.type(description="分层分布: customers of one tier")
class TierCount:
    tier: CustomerTierEnum
    count: int


def tier_counts(rows: list[dict[str, Any]]) -> list[TierCount]:
    """Rows of ``tier`` and ``count`` summed per tier, in tier order (tiers with none left out)."""
    counts = dict.fromkeys(CustomerTier, 0)
    for row in rows:
        counts[CustomerTier(row["tier"])] += row["count"]
    return [TierCount(tier=tier, count=count) for tier, count in counts.items() if count]


@strawberry.type(description="网格画像: the grid's own customers (not its sub-grids') the caller may see")
class GridProfile:
    grid_id: strawberry.Private[Any]

    @strawberry.field(description="客户数")
    async def customer_count(self, info: strawberry.Info) -> int:
        return sum(row["count"] for row in await self._rows(info))

    @strawberry.field(description="零售客户数")
    async def retail_count(self, info: strawberry.Info) -> int:
        return sum(row["count"] for row in await self._rows(info) if row["kind"] == CustomerKind.RETAIL)

    @strawberry.field(description="对公客户数")
    async def corporate_count(self, info: strawberry.Info) -> int:
        return sum(row["count"] for row in await self._rows(info) if row["kind"] == CustomerKind.CORPORATE)

    @strawberry.field(description="金融资产合计 (AUM)")
    async def total_aum(self, info: strawberry.Info) -> Decimal:
        return sum((row["aum"] for row in await self._rows(info)), Decimal("0.00"))

    @strawberry.field(description="分层分布")
    async def tier_distribution(self, info: strawberry.Info) -> list[TierCount]:
        return tier_counts(await self._rows(info))

    @strawberry.field(description="客户经理数: distinct primary managers (主办) of these customers")
    async def manager_count(self, info: strawberry.Info) -> int:
        return await info.context.loaders.grid_managers.load(self.grid_id)

    async def _rows(self, info: strawberry.Info) -> list[dict[str, Any]]:
        return await info.context.loaders.grid_breakdown.load(self.grid_id)
