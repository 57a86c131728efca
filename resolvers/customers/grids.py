"""网格 (grids): the grid tree, grid ↔ org mappings (GridOrg), customers assigned to a grid, and
the grid profile (网格画像). Managers are mapped to grids in operations (``User.grid_ids``).

Who: everyone with a customers-side scope reads their tenant's grids, the province every
tenant's (``grid_scope``); head office (HQ_ADMIN) maps its grids to orgs (operations owns
orgs: the org id is taken as given, like every cross-subgraph link); head office and branch
heads move customers in their scope between grids of the customer's bank."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from models.customers import Customer as CustomerModel
from models.customers import Grid as GridModel
from models.customers import GridOrg
from resolvers.common import audit
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.customers.directory import tenant_orgs
from resolvers.customers.scopes import grid_scope
from schema.common.connection import Connection
from schema.customers.types import Customer, Grid
from security.conditions import Cond
from security.roles import Role

GRID_MAPPERS = (Role.HQ_ADMIN,)
GRID_ASSIGNERS = (Role.HQ_ADMIN, Role.BRANCH_HEAD)


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


@strawberry.type
class GridQuery:
    @strawberry.field(description="网格: one")
    async def grid(self, info: strawberry.Info, id: strawberry.ID) -> Grid | None:
        return await info.context.loaders.grid.load(parse_id(id))

    @strawberry.field(
        description="网格树: the top grids (no parent), or the children of parentId; "
        "the province sees every tenant's"
    )
    async def grids(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        parent_id: strawberry.ID | None = None,
    ) -> Connection[Grid]:
        queryset = scoped(info.context.require_principal(), GridModel, grid_scope)
        parent = parse_id(parent_id, "parentId") if parent_id is not None else None
        return await paginate(queryset.filter(parent_id=parent), first, after)  # type: ignore[return-value]


async def _set_mapping(
    info: strawberry.Info, grid_id: strawberry.ID, org_id: strawberry.ID, mapped: bool
) -> Any:
    """Map the grid to the org or unmap it (HQ_ADMIN, a grid of their bank); again changes nothing."""
    principal = info.context.require_principal()
    if not principal.has_role(*GRID_MAPPERS):
        raise forbidden("只有总行管理员可以维护网格与机构的映射 (head office only)")
    grid = await info.context.loaders.grid.load(parse_id(grid_id, "gridId"))
    if grid is None or grid.tenant_id != principal.tenant_id:
        raise not_found("grid")
    link = {"grid_id": grid.id, "org_id": parse_id(org_id, "orgId")}
    if mapped and not await tenant_orgs([link["org_id"]], principal.tenant_id):
        raise bad_input("orgId is not an org of your bank")  # the staff directory (directory.py)
    async with in_transaction("customers"):
        changed = (
            (await GridOrg.get_or_create(**link))[1] if mapped else await GridOrg.filter(**link).delete()
        )
        if changed:
            await audit.record(target=audit.Target("Grid", grid.id))
    return grid


@strawberry.type
class GridMutation:
    @strawberry.mutation(description="网格映射机构 (HQ_ADMIN); mapping again changes nothing")
    async def map_grid_to_org(
        self, info: strawberry.Info, grid_id: strawberry.ID, org_id: strawberry.ID
    ) -> Grid:
        return await _set_mapping(info, grid_id, org_id, mapped=True)  # type: ignore[no-any-return]

    @strawberry.mutation(description="取消网格与机构的映射 (HQ_ADMIN); unmapping again changes nothing")
    async def unmap_grid_from_org(
        self, info: strawberry.Info, grid_id: strawberry.ID, org_id: strawberry.ID
    ) -> Grid:
        return await _set_mapping(info, grid_id, org_id, mapped=False)  # type: ignore[no-any-return]

    @strawberry.mutation(
        description="客户划入网格 (HQ_ADMIN, BRANCH_HEAD): a grid of the customer's bank; gridId null: none"
    )
    async def set_customer_grid(
        self, info: strawberry.Info, customer_id: strawberry.ID, grid_id: strawberry.ID | None = None
    ) -> Customer:
        principal = info.context.require_principal()
        if not principal.has_role(*GRID_ASSIGNERS):
            raise forbidden("只有总行管理员或支行行长可以划分网格 (head office or branch head)")
        customer = await info.context.loaders.customer.load(parse_id(customer_id, "customerId"))
        if customer is None:
            raise not_found("customer")
        grid = None
        if grid_id is not None:
            grid = await info.context.loaders.grid.load(parse_id(grid_id, "gridId"))
            if grid is None or grid.tenant_id != customer.tenant_id:
                raise not_found("grid")
        async with in_transaction("customers"):
            await CustomerModel.filter(id=customer.id).update(grid_id=grid.id if grid else None)
            await audit.record(target=audit.Target("Customer", customer.id))
        customer.grid_id = grid.id if grid else None
        return customer  # type: ignore[no-any-return]
