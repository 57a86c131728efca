"""Dataloaders of the operations subgraph: a constant number of SQL statements per batch."""

from __future__ import annotations

import pytest

from tests.support.entities import batch_statements, province_batch

pytestmark = pytest.mark.integration


async def test_user_entities_batch(database) -> None:
    tenants, token = await province_batch(database)
    ids = [t.grabbers[0][0].id for t in tenants]
    selection = "displayName org { name parent { name } }"
    counts = await batch_statements("operations", "User", selection, ids, (1, 3), token, database)
    assert 1 <= counts[0] == counts[1] <= 3, ("operations", counts)
