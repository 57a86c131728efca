"""A scope condition written as SQL by hand (``Cond.sql``, the loaders' statements on PostgreSQL)
selects exactly the rows Tortoise's ``Cond.q()`` selects, for every kind of condition."""

from __future__ import annotations

import pytest

from models.customers import Customer, CustomerAssignment
from resolvers.common.loading import _select, _where
from security.conditions import (
    After,
    AllOf,
    AnyOf,
    Cond,
    Eq,
    Everything,
    In,
    InQuery,
    Nothing,
    Prefix,
    all_of,
)
from testkit.factories import make_tenant

pytestmark = pytest.mark.integration


async def test_each_condition_selects_what_tortoise_selects(database) -> None:
    tenant = await make_tenant(database, customers=4, grabbers=0, needs=0)
    first, second, third, _ = tenant.customers
    # Paths with LIKE's wildcards in them: `_` and `%` must match only themselves.
    await Customer.filter(id=second.id).update(org_path=first.org_path + "_x%/y", grid_id=None)
    await Customer.filter(id=third.id).update(org_path=first.org_path + "/c")
    ours = In("tenant_id", (tenant.bank.id,))
    conds: list[Cond] = [
        Everything(),
        Nothing(),
        Eq("id", first.id),
        Eq("grid_id", None),
        In("id", (first.id, second.id)),
        In("id", ()),
        Prefix("org_path", first.org_path),
        Prefix("org_path", first.org_path + "_x%"),
        Prefix("org_path", first.org_path[:-1] + "_"),  # `_` as a wildcard would match the last char
        After("id", min(c.id for c in tenant.customers)),
        AnyOf((Eq("id", first.id), Nothing(), Eq("id", second.id))),
        AnyOf((Nothing(),)),
        AllOf((Eq("primary_manager_id", tenant.manager.id), Prefix("org_path", first.org_path))),
        AnyOf((Eq("primary_manager_id", tenant.manager.id), Eq("tenant_id", tenant.bank.id))),
        AnyOf((Eq("id", first.id), Everything())),
        AnyOf((Eq("id", first.id), AllOf((Everything(), Everything())))),
    ]
    for cond in conds:
        scoped = all_of(ours, cond)
        expected = {c.id for c in await Customer.filter(scoped.q())}
        assert {c.id for c in await _select(Customer, scoped)} == expected, cond
    # "one row or everything" is everything (Tortoise drops an empty Q() from an OR: it was one row)
    everything = all_of(ours, AnyOf((Eq("id", first.id), Everything())))
    assert {c.id for c in await Customer.filter(everything.q())} == {c.id for c in tenant.customers}


async def test_a_subquery_falls_back_to_tortoise(database) -> None:
    """InQuery has no hand-written SQL: the whole statement is Tortoise's, parameters and all."""
    tenant = await make_tenant(database, customers=2, grabbers=0, needs=0)
    assigned = CustomerAssignment.filter(manager_id=tenant.manager.id).values_list("customer_id")
    cond = AllOf(
        (
            Eq("tenant_id", tenant.bank.id),
            AnyOf((Eq("primary_manager_id", tenant.manager.id), InQuery("id", assigned))),
        )
    )
    assert _where(Customer, cond) is None
    assert {c.id for c in await _select(Customer, cond)} == {c.id for c in tenant.customers}


async def test_a_field_that_is_no_column_falls_back(database) -> None:
    await make_tenant(database, customers=1, grabbers=0, needs=0)
    assert _where(Customer, Eq("org__path", "/x")) is None
