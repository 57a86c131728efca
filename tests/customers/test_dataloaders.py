"""Dataloaders of the customers subgraph: a constant number of SQL statements per request,
whatever the page size or the batch."""

from __future__ import annotations

import pytest

from testkit.factories import make_tenant
from testkit.sqlcount import statements_of
from tests.support.entities import batch_statements

pytestmark = pytest.mark.integration


async def test_customer_page_with_relations(database) -> None:
    tenant = await make_tenant(database, customers=25, grabbers=0, needs=0)
    query = """query($m: ID!, $first: Int!) { customers(managerId: $m, first: $first) { edges { node {
        name grid { name } primaryManager { id } org { id }
        reminders(first: 5) { nodes { title customer { name } } } } } } }"""
    counts = [
        await statements_of(
            "customers",
            query,
            {"m": str(tenant.manager.id), "first": n},
            tenant.manager_token,
            database,
        )
        for n in (2, 25)
    ]
    assert 1 <= counts[0] == counts[1] <= 4, counts


async def test_customer_entities_batch(database) -> None:
    """`_entities` of 1 and of 20 customers (customers's fields) take the same statements."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=3)
    ids = [c.id for c in tenant.customers]
    selection = "name grid { name } reminders(first: 2) { nodes { title } }"
    counts = await batch_statements(
        "customers", "Customer", selection, ids, (1, 20), tenant.manager_token, database
    )
    assert 1 <= counts[0] == counts[1] <= 3, counts
