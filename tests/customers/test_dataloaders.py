"""Dataloaders of the customers subgraph: a constant number of SQL statements per request,
whatever the page size or the batch."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from strawberry.schema.name_converter import NameConverter
from tortoise.models import Model

from models.customers import ContactChannel, ContactRecord, Customer
from resolvers.common.loading import _first_per_key, _select
from resolvers.customers.customers import find_customers
from resolvers.operations.identity import principal_for
from security.conditions import In
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


@contextlib.contextmanager
def models_built(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """The Tortoise models hydrated from rows meanwhile, by model name."""
    built: Counter[str] = Counter()
    hydrate = Model._init_from_db.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Model], **row: Any) -> Any:
        built[cls.__name__] += 1
        return hydrate(cls, **row)

    with monkeypatch.context() as patch:
        patch.setattr(Model, "_init_from_db", classmethod(counting))
        yield built


def names_derived(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The GraphQL names Strawberry derives from Python names from now on, counted."""
    derived: Counter[str] = Counter()
    derive = NameConverter.apply_naming_config

    def counting(self: NameConverter, name: str) -> str:
        derived[name] += 1
        return derive(self, name)

    monkeypatch.setattr(NameConverter, "apply_naming_config", counting)
    return derived


async def test_the_morning_page_hydrates_plain_records(database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's customers, tags, latest contacts and reminders come as plain records
    (resolvers/common/loading.py), not Tortoise models: the statements and rows stay the same."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    await _contacts(tenant, 2, datetime.now(UTC))
    with models_built(monkeypatch) as built:
        cost = await cost_of("customers", MORNING, {"first": 20}, tenant.manager_token, database)
    assert not built.keys() & {"Customer", "CustomerTag", "ContactRecord", "Reminder"}, built
    assert len(cost.data["customers"]["nodes"]) == 20
    assert all(node["latestContact"]["summary"] == "回访0" for node in cost.data["customers"]["nodes"])


def _columns_of(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


async def test_plain_records_hold_what_models_hold(database) -> None:
    """A record has every column of its model, with the model's values (enums, times, decimals,
    decrypted PII) and its name, on both statement paths (written SQL and Tortoise's)."""
    tenant = await make_tenant(database, customers=3, grabbers=0, needs=0)
    await _contacts(tenant, 2, datetime.now(UTC))
    ids = tuple(c.id for c in tenant.customers)
    for model, column in ((Customer, "id"), (ContactRecord, "customer_id")):
        cond = In(column, ids)
        models = await _select(model, cond, ("id",))
        plain = await _select(model, cond, ("id",), plain=True)
        assert [type(r).__name__ for r in plain] == [model.__name__] * len(models) and models
        names = plain[0]._fields
        assert set(names) == set(model._meta.fields_db_projection)
        assert [_columns_of(r, names) for r in plain] == [_columns_of(m, names) for m in models]
        firsts = await _first_per_key(model, cond, column, ("id",), 1)
        plain_firsts = await _first_per_key(model, cond, column, ("id",), 1, plain=True)
        assert {k: [_columns_of(r, names) for r in v] for k, v in plain_firsts.items()} == {
            k: [_columns_of(m, names) for m in v] for k, v in firsts.items()
        }
    page = await find_customers(principal_for(tenant.manager, tenant.branch), 3, None)
    for edge in page.edges:
        customer = await Customer.get(id=edge.node.id)
        assert edge.node.phone and edge.node._asdict() == _columns_of(customer, edge.node._fields)


async def test_page_items_derive_no_name_each(database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page of 2 and of 20 customers derive the same GraphQL names from Python names: the
    items' fields give their arguments' names (``tags(source:)``), so none is derived per customer."""
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    derived = names_derived(monkeypatch)
    counts: list[dict[str, Any]] = []
    for n in (2, 20):
        derived.clear()
        await cost_of("customers", MORNING, {"first": n}, tenant.manager_token, database)
        counts.append(dict(derived))
    assert counts[0] == counts[1], counts
