"""A constant number of SQL statements per request, whatever the page size."""

from __future__ import annotations

import pytest

from testkit.factories import make_staff, make_tenant
from testkit.sqlcount import statements_of

pytestmark = pytest.mark.integration


def _reps(typename: str, ids: list) -> list[dict[str, str]]:
    return [{"__typename": typename, "id": str(i)} for i in ids]


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


@pytest.mark.parametrize(
    ("subgraph", "typename", "selection"),
    [
        ("marketing", "Customer", "opportunities(first: 3) { nodes { title } }"),
        ("finance", "Customer", "financingNeeds(first: 3) { nodes { purpose applicant { id } } }"),
        ("customers", "Customer", "name grid { name } reminders(first: 2) { nodes { title } }"),
    ],
)
async def test_entities_batch(database, subgraph: str, typename: str, selection: str) -> None:
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=3)
    query = (
        f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on {typename} {{ {selection} }} }} }}"
    )
    # Strawberry pops __typename from each representation: build them afresh per request.
    counts = [
        await statements_of(
            subgraph,
            query,
            {"r": _reps(typename, [c.id for c in tenant.customers[:n]])},
            tenant.manager_token,
            database,
        )
        for n in (1, 20)
    ]
    assert 1 <= counts[0] == counts[1] <= 3, counts


async def test_org_users_and_devices_batch(database) -> None:
    tenants = [await make_tenant(database, customers=1, grabbers=1, needs=0) for _ in range(3)]
    # The province sees every tenant: each entity resolves, so the count covers the whole batch
    # (an out-of-scope reference is answered NOT_FOUND before any relation is loaded).
    _admin, token = await make_staff(tenants[0].hall, ("PROVINCE_ADMIN",), database)
    users = ("User", [t.grabbers[0][0].id for t in tenants])
    halls = ("Org", [t.hall.id for t in tenants])
    user_query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { displayName org { name parent { name } } } } }"
    hall_query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Org { devices(first: 5) { nodes { name } } } } }"
    for subgraph, query, (typename, ids) in (
        ("operations", user_query, users),
        ("devices", hall_query, halls),
    ):
        counts = [
            await statements_of(subgraph, query, {"r": _reps(typename, ids[:n])}, token, database)
            for n in (1, 3)
        ]
        assert 1 <= counts[0] == counts[1] <= 3, (subgraph, counts)
