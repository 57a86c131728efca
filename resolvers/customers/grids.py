"""网格 (grids): the grid tree, grid ↔ org mappings (GridOrg), customers assigned to a grid, and
the grid profile (网格画像). Managers are mapped to grids in operations (``User.grid_ids``).

Who: everyone with a customers-side scope reads their tenant's grids, the province every
tenant's (``grid_scope``); head office (HQ_ADMIN) maps its grids to orgs (operations owns
orgs: the org id is taken as given, like every cross-subgraph link); head office and branch
heads move customers in their scope between grids of the customer's bank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader
from tortoise.functions import Count, Sum

from models.customers import Customer as CustomerModel
from models.customers import CustomerTier, GridOrg
from models.customers import Grid as GridModel
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.customers.customers import customer_in_scope
from resolvers.customers.directory import tenant_orgs
from resolvers.customers.permissions import GRID_ASSIGNERS, GRID_MAPPERS
from resolvers.customers.scopes import grid_scope
from security.conditions import Cond
from security.principal import Principal


@dataclass(frozen=True)
class TierCount:
    """分层分布: customers of one tier."""

    tier: CustomerTier
    count: int


def tier_counts(rows: list[dict[str, Any]]) -> list[TierCount]:
    """Rows of ``tier`` and ``count`` summed per tier, in tier order (tiers with none left out)."""
    counts = dict.fromkeys(CustomerTier, 0)
    for row in rows:
        counts[CustomerTier(row["tier"])] += row["count"]
    return [TierCount(tier=tier, count=count) for tier, count in counts.items() if count]


def grid_breakdown(customers: Cond) -> DataLoader[UUID, list[dict[str, Any]]]:
    """网格画像: each grid's customers the caller sees, counted and summed per kind and tier —
    one statement for every grid asked."""

    async def load(ids: Sequence[UUID]) -> list[list[dict[str, Any]]]:
        rows = (
            await CustomerModel.filter(customers.q(), grid_id__in=list(ids))
            .annotate(count=Count("id"), aum=Sum("aum"))
            .group_by("grid_id", "kind", "tier")
            .values("grid_id", "kind", "tier", "count", "aum")
        )
        return [[row for row in rows if row["grid_id"] == i] for i in ids]

    return DataLoader(load_fn=load)


def grid_managers(customers: Cond) -> DataLoader[UUID, int]:
    """Distinct primary managers (主办) of each grid's customers the caller sees: one statement."""

    async def load(ids: Sequence[UUID]) -> list[int]:
        rows = (
            await CustomerModel.filter(customers.q(), grid_id__in=list(ids), primary_manager_id__isnull=False)
            .annotate(managers=Count("primary_manager_id", distinct=True))
            .group_by("grid_id")
            .values("grid_id", "managers")
        )
        found = {row["grid_id"]: row["managers"] for row in rows}
        return [found.get(i, 0) for i in ids]

    return DataLoader(load_fn=load)


async def grids(
    principal: Principal, first: int, after: str | None, parent_id: UUID | None = None
) -> Page[GridModel]:
    """网格树: the top grids (no parent), or the children of ``parent_id``."""
    queryset = scoped(principal, GridModel, grid_scope)
    return await paginate(queryset.filter(parent_id=parent_id), first, after)


async def _grid(principal: Principal, grid_id: UUID) -> GridModel | None:
    return await scoped(principal, GridModel, grid_scope).get_or_none(id=grid_id)


async def set_grid_mapping(principal: Principal, grid_id: UUID, org_id: UUID, mapped: bool) -> GridModel:
    """Map the grid to the org or unmap it (HQ_ADMIN, a grid of their bank); again changes nothing."""
    if not principal.has_role(*GRID_MAPPERS):
        raise forbidden("只有总行管理员可以维护网格与机构的映射 (head office only)")
    grid = await _grid(principal, grid_id)
    if grid is None or grid.tenant_id != principal.tenant_id:
        raise not_found("grid")
    if mapped and not await tenant_orgs([org_id], principal.tenant_id):
        raise bad_input("orgId is not an org of your bank")  # the staff directory (directory.py)
    async with change("customers", "Grid", grid.id):
        if mapped:
            await GridOrg.get_or_create(grid_id=grid.id, org_id=org_id)
        else:
            await GridOrg.filter(grid_id=grid.id, org_id=org_id).delete()
    return grid


async def set_customer_grid(
    principal: Principal, customer_id: UUID, grid_id: UUID | None = None
) -> tuple[CustomerModel, GridModel | None]:
    """客户划入网格 (HQ_ADMIN, BRANCH_HEAD): a grid of the customer's bank; None: none. Returns the
    customer and the grid it is now in."""
    if not principal.has_role(*GRID_ASSIGNERS):
        raise forbidden("只有总行管理员或支行行长可以划分网格 (head office or branch head)")
    customer = await customer_in_scope(principal, customer_id)
    grid = None
    if grid_id is not None:
        grid = await _grid(principal, grid_id)
        if grid is None or grid.tenant_id != customer.tenant_id:
            raise not_found("grid")
    async with change("customers", "Customer", customer.id):
        await CustomerModel.filter(id=customer.id).update(grid_id=grid.id if grid else None)
    customer.grid_id = grid.id if grid else None
    return customer, grid
