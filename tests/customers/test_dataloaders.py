"""Dataloaders of the customers subgraph: a constant number of SQL statements per request,
whatever the page size or the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.customers import ContactChannel, ContactRecord
from testkit.factories import Tenant, make_tenant
from testkit.inprocess import codes, execute
from testkit.sqlcount import cost_of, statements_of
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


# The H5 morning page's customers part (loadtest/bench_morning.py).
MORNING = """query($first: Int!) { customers(first: $first) { nodes { id name tier
    tags { name source } latestContact { channel contactedAt summary } } }
    myReminders(first: 20, unreadOnly: true) { nodes { id kind title dueAt } } }"""


async def _contacts(tenant: Tenant, per_customer: int, start: datetime) -> None:
    await ContactRecord.bulk_create(
        [
            ContactRecord(
                customer_id=customer.id,
                manager_id=tenant.manager.id,
                channel=ContactChannel.PHONE,
                summary=f"回访{k}",
                contacted_at=start - timedelta(minutes=k),
            )
            for customer in tenant.customers
            for k in range(per_customer)
        ]
    )


async def test_rows_read_are_bounded_by_the_page_not_by_history(database) -> None:
    """`latestContact` reads one contact per customer: 200 more contacts each change neither the
    statements nor the rows a page reads (it read the whole history before)."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    now = datetime.now(UTC)
    await _contacts(tenant, 1, now)
    before = await cost_of("customers", MORNING, {"first": 20}, tenant.manager_token, database)
    await _contacts(tenant, 200, now - timedelta(days=1))
    after = await cost_of("customers", MORNING, {"first": 20}, tenant.manager_token, database)
    assert (after.statements, after.rows) == (before.statements, before.rows)
    assert before.rows <= 20 * (1 + 1 + 3) + 20 + 5, before.rows  # customers, contact, tags, reminders
    latest = {node["latestContact"]["summary"] for node in after.data["customers"]["nodes"]}
    assert latest == {"回访0"}  # the newest one, still


async def test_history_blocks_read_at_most_what_they_show(database) -> None:
    """`contacts(last:)`, `keyEvents(last:)` read at most `last` rows per customer."""
    tenant = await make_tenant(database, customers=5, grabbers=0, needs=0)
    await _contacts(tenant, 30, datetime.now(UTC))
    query = """query($first: Int!) { customers(first: $first) { nodes {
        contacts(last: 3) { summary } keyEvents(last: 2) { title } } } }"""
    cost = await cost_of("customers", query, {"first": 5}, tenant.manager_token, database)
    assert cost.rows <= 5 + 5 * 3, cost.rows
    assert [c["summary"] for c in cost.data["customers"]["nodes"][0]["contacts"]] == [
        "回访0",
        "回访1",
        "回访2",
    ]


async def test_page_fields_resolve_without_a_task_each(database) -> None:
    """A page of 2 and a page of 20 customers create the same asyncio tasks: the page's
    relations are loaded once (schema/common/prefetch.py) and its rows are values, not awaitables
    (subgraphs/execution.py)."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    await _contacts(tenant, 2, datetime.now(UTC))
    costs = [
        await cost_of("customers", MORNING, {"first": n}, tenant.manager_token, database) for n in (2, 20)
    ]
    assert costs[0].tasks == costs[1].tasks, [c.tasks for c in costs]
    assert costs[0].statements == costs[1].statements


async def test_a_bad_argument_fails_its_field_not_the_page(database) -> None:
    """The prefetch builds its loaders from the fields' arguments; a bad one is reported by the
    field itself (BAD_USER_INPUT at a customer's `contacts`), not by the whole `customers` list."""
    tenant = await make_tenant(database, customers=2, grabbers=0, needs=0)
    query = "{ customers(first: 2) { nodes { name contacts(last: 0) { summary } } } }"
    result = await execute("customers", query, None, tenant.manager_token, settings=database)
    assert codes(result)[:1] == ["BAD_USER_INPUT"]
    assert [(e.path[0], e.path[1], e.path[-1]) for e in result.errors] == [("customers", "nodes", "contacts")]
