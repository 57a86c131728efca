"""Dataloaders of the marketing subgraph: a constant number of SQL statements per batch."""

from __future__ import annotations

import pytest

from testkit.factories import make_tenant
from tests.support.entities import batch_statements

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
