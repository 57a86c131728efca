"""网格 (grids): the grid tree, its org mappings and the grid profile (网格画像), whose figures
load in one statement per figure for a whole list of grids (resolvers/customers/grids.py); and
the tier distribution it shares with 客群."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import strawberry

import models.customers as rows
from resolvers.common.values import parse_id
from resolvers.customers.grids import tier_counts
from schema.common.federation import entity
from schema.customers.context import Info
from schema.customers.enums import CustomerKind, CustomerTier
from schema.customers.federation import Org


@strawberry.type(description="分层分布: customers of one tier")
class TierCount:
    tier: CustomerTier
    count: int


@strawberry.federation.type(keys=["id"], description="网格")
class Grid:
    id: strawberry.ID
    name: str

    @strawberry.field
    @staticmethod
    def org(parent: strawberry.Parent[rows.Grid]) -> Org:
        return Org(id=strawberry.ID(str(parent.org_id)))

    @strawberry.field(description="上级网格")
    @staticmethod
    async def parent(parent: strawberry.Parent[rows.Grid], info: Info) -> Grid | None:
        if parent.parent_id is None:
            return None
        return cast(Grid | None, await info.context.loaders.grid.load(parent.parent_id))

    @strawberry.field(description="下级网格")
    @staticmethod
    async def children(parent: strawberry.Parent[rows.Grid], info: Info) -> list[Grid]:
        return cast(list[Grid], await info.context.loaders.grid_children.load(parent.id))

    @strawberry.field(description="映射的机构 (operations Org ids)")
    @staticmethod
    async def org_ids(parent: strawberry.Parent[rows.Grid], info: Info) -> list[strawberry.ID]:
        links = await info.context.loaders.grid_orgs.load(parent.id)
        return [strawberry.ID(str(link.org_id)) for link in links]

    @strawberry.field(description="网格画像")
    @staticmethod
    def profile(parent: strawberry.Parent[rows.Grid]) -> GridProfile:
        return GridProfile(grid_id=parent.id)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Grid | None:
        return entity(cls, await info.context.loaders.grid.load(parse_id(id)))


@strawberry.type(description="网格画像: the grid's own customers (not its sub-grids') the caller may see")
class GridProfile:
    grid_id: strawberry.Private[UUID]

    @strawberry.field(description="客户数")
    async def customer_count(self, info: Info) -> int:
        return sum(row["count"] for row in await self._rows(info))

    @strawberry.field(description="零售客户数")
    async def retail_count(self, info: Info) -> int:
        return sum(row["count"] for row in await self._rows(info) if row["kind"] == CustomerKind.RETAIL)

    @strawberry.field(description="对公客户数")
    async def corporate_count(self, info: Info) -> int:
        return sum(row["count"] for row in await self._rows(info) if row["kind"] == CustomerKind.CORPORATE)

    @strawberry.field(description="金融资产合计 (AUM)")
    async def total_aum(self, info: Info) -> Decimal:
        return sum((row["aum"] for row in await self._rows(info)), Decimal("0.00"))

    @strawberry.field(description="分层分布")
    async def tier_distribution(self, info: Info) -> list[TierCount]:
        return cast(list[TierCount], tier_counts(await self._rows(info)))

    @strawberry.field(description="客户经理数: distinct primary managers (主办) of these customers")
    async def manager_count(self, info: Info) -> int:
        return await info.context.loaders.grid_managers.load(self.grid_id)

    async def _rows(self, info: Info) -> list[dict[str, Any]]:
        return await info.context.loaders.grid_breakdown.load(self.grid_id)
