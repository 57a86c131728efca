"""Dataloaders of the marketing subgraph: a constant number of SQL statements per batch."""

from __future__ import annotations

from typing import Any

import pytest

from testkit.factories import make_tenant
from testkit.sqlcount import cost_of
from tests.customers.test_dataloaders import models_built, names_derived
from tests.support.entities import batch_statements, entities_query, representations

pytestmark = pytest.mark.integration


async def test_customer_entities_batch(database) -> None:
    """`_entities` of 1 and of 20 customers (marketing's fields) take the same statements."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=3)
    ids = [c.id for c in tenant.customers]
    selection = "opportunities(first: 3) { nodes { title } }"
    counts = await batch_statements(
        "marketing", "Customer", selection, ids, (1, 20), tenant.manager_token, database
    )
    assert 1 <= counts[0] == counts[1] <= 3, counts


async def test_customer_entities_resolve_without_a_task_each(database) -> None:
    """The gateway's batch of 1 or 20 customers asking for their open opportunities creates the
    same asyncio tasks: `_entities` loads them once for the batch (Customer.prefetch)."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    query = entities_query("Customer", "opportunities(first: 5, status: [OPEN, CLAIMED]) { nodes { title } }")
    costs = [
        await cost_of(
            "marketing",
            query,
            {"r": representations("Customer", [c.id for c in tenant.customers[:n]])},
            tenant.manager_token,
            database,
        )
        for n in (1, 20)
    ]
    assert costs[0].tasks == costs[1].tasks, [c.tasks for c in costs]
    assert costs[0].statements == costs[1].statements
    assert all(e["opportunities"]["nodes"] for e in costs[1].data["_entities"])


async def test_customer_entities_hydrate_plain_records(database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch's opportunities come as plain records (resolvers/common/loading.py), not models."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    query = entities_query("Customer", "opportunities(first: 5, status: [OPEN, CLAIMED]) { nodes { title } }")
    ids = [c.id for c in tenant.customers]
    with models_built(monkeypatch) as built:
        cost = await cost_of(
            "marketing", query, {"r": representations("Customer", ids)}, tenant.manager_token, database
        )
    assert "Opportunity" not in built, built
    assert all(e["opportunities"]["nodes"] for e in cost.data["_entities"])


async def test_customer_entities_derive_no_name_per_entity(database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turning each representation into a ``Customer`` and reading each one's ``opportunities``
    arguments derives no GraphQL name per entity (they are given: schema/marketing/federation.py)."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    query = entities_query("Customer", "opportunities(first: 5, status: [OPEN, CLAIMED]) { nodes { title } }")
    derived = names_derived(monkeypatch)
    counts: list[dict[str, Any]] = []
    for n in (1, 20):
        derived.clear()
        ids = [c.id for c in tenant.customers[:n]]
        await cost_of(
            "marketing", query, {"r": representations("Customer", ids)}, tenant.manager_token, database
        )
        counts.append(dict(derived))
    assert counts[0] == counts[1], counts
