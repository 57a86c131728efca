"""Dataloaders of the devices subgraph: a constant number of SQL statements per batch."""

from __future__ import annotations

import pytest

from tests.support.entities import batch_statements, province_batch

pytestmark = pytest.mark.integration


async def test_hall_devices_entities_batch(database) -> None:
    tenants, token = await province_batch(database)
    ids = [t.hall.id for t in tenants]
    selection = "devices(first: 5) { nodes { name } }"
    counts = await batch_statements("devices", "Org", selection, ids, (1, 3), token, database)
    assert 1 <= counts[0] == counts[1] <= 3, ("devices", counts)
