"""The audit search (resolvers/operations/audit.py): the audit admin searches every subgraph's trail
by actor, action, target, subgraph and time, paged; nobody else may, and a refused search is itself
recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise

from resolvers.operations.audit import SUBGRAPHS as SEARCHED_SUBGRAPHS
from security.audit_chain import CHAINS, record_hash
from subgraphs.settings import SUBGRAPHS, Settings
from testkit.factories import Tenant, make_tenant, make_user, token_for
from testkit.inprocess import codes, records_of
from tests.support.audit import fake_chain, mutations, run

pytestmark = pytest.mark.integration


@pytest.fixture
async def tenant(database) -> Tenant:
    return await make_tenant(database, customers=2, grabbers=2, needs=2)


SEARCH = """query($f: AuditRecordFilter, $first: Int!, $after: String) {
  auditRecords(filter: $f, first: $first, after: $after) {
    edges { cursor node { subgraph seq action actorUsername actorRole targetType targetId result requestId detail } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def officer(tenant: Tenant, secret: Settings, *roles: str) -> tuple[Any, str]:
    user = await make_user(tenant.bank, roles, "安全审计员")
    return user, token_for(user, tenant.bank, secret)


async def test_the_audit_admin_searches_across_subgraphs(database, tenant: Tenant) -> None:
    secret = database
    _admin, token = await officer(tenant, secret, "AUDIT_ADMIN")
    request_id = f"req-{uuid.uuid4()}"
    for name in ("raiseAlert", "addReminder", "createOpportunity", "reportHeartbeat"):
        subgraph, document, variables, mutation_token, _type = mutations(tenant)[name]
        assert (await run(subgraph, document, variables, mutation_token, secret, request_id)).errors is None
    actor, hall_actor = tenant.manager.username, tenant.hall_manager.username

    async def search(filter: dict[str, Any], first: int = 10, after: str | None = None) -> dict[str, Any]:
        result = await run("operations", SEARCH, {"f": filter, "first": first, "after": after}, token, secret)
        assert result.errors is None, result.errors
        return result.data["auditRecords"]

    everything = await search({"actor": actor})
    assert [e["node"]["action"] for e in everything["edges"]] == [
        "createOpportunity",
        "addReminder",
    ]  # newest first, across subgraphs
    hall = await search({"actor": hall_actor})
    assert [e["node"]["action"] for e in hall["edges"]] == ["reportHeartbeat", "raiseAlert"]
    assert {e["node"]["requestId"] for e in everything["edges"] + hall["edges"]} == {request_id}
    by_id = await search({"actor": str(tenant.manager.id), "subgraph": "customers"})
    assert [e["node"]["action"] for e in by_id["edges"]] == ["addReminder"]
    device = await search({"targetType": "Device", "targetId": str(tenant.device.id)})
    assert [(e["node"]["subgraph"], e["node"]["actorUsername"]) for e in device["edges"]] == [
        ("devices", hall_actor)
    ]
    assert (await search({"actor": hall_actor, "action": "raiseAlert"}))["edges"][0]["node"][
        "subgraph"
    ] == "operations"
    assert (await search({"actor": actor, "from": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}))[
        "edges"
    ] == []
    assert (
        len(
            (await search({"actor": actor, "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}))[
                "edges"
            ]
        )
        == 2
    )
    # Paging: two pages of one, no overlap, same order.
    page1 = await search({"actor": actor}, first=1)
    page2 = await search({"actor": actor}, first=1, after=page1["pageInfo"]["endCursor"])
    assert page1["pageInfo"]["hasNextPage"] and not page2["pageInfo"]["hasNextPage"]
    assert [e["node"]["action"] for e in page1["edges"] + page2["edges"]] == [
        e["node"]["action"] for e in everything["edges"]
    ]
    # The searches themselves are in the operations chain.
    own = await search({"action": "audit.search", "actor": _admin.username}, first=100)
    assert len(own["edges"]) >= 7 and {e["node"]["result"] for e in own["edges"]} == {"ok"}


async def test_paging_tells_apart_records_of_two_chains_at_the_same_time_and_seq(
    database, tenant: Tenant
) -> None:
    """A subgraph's trail is several chains, each numbered from 1: two records with the same time and
    the same seq in two chains are both found, one page each, each once."""
    secret = database
    _admin, token = await officer(tenant, secret, "AUDIT_ADMIN")
    model = Tortoise.apps["customers"]["AuditRecord"]
    if model._meta.db.capabilities.dialect != "postgres":
        pytest.skip("SQLite appends to one chain, where seq is unique")
    used = set(await model.all().distinct().values_list("chain", flat=True))
    chains = [chain for chain in range(CHAINS) if chain not in used][:2]  # empty: each starts at seq 1
    actor = f"auditee-{uuid.uuid4().hex[:8]}"
    rows = []
    for chain in chains:
        (row,) = fake_chain("customers", 1, chain)
        row.actor_username = actor
        row.hash = record_hash(row)  # still a well-linked chain of one
        rows.append(model(**vars(row)))
    await model.bulk_create(rows)
    assert {(row.occurred_at, row.seq) for row in rows} == {(rows[0].occurred_at, 1)}

    seen: list[tuple[int, int]] = []
    after = None
    for _ in range(3):
        result = await run(
            "operations", SEARCH_CHAINS, {"f": {"actor": actor}, "first": 1, "after": after}, token, secret
        )
        assert result.errors is None, result.errors
        page = result.data["auditRecords"]
        seen += [(edge["node"]["seq"], edge["node"]["hash"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted((1, row.hash) for row in rows)


SEARCH_CHAINS = """query($f: AuditRecordFilter, $first: Int!, $after: String) {
  auditRecords(filter: $f, first: $first, after: $after) {
    edges { node { seq hash } } pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize(
    "roles", [("SECURITY_ADMIN",), ("CUSTOMER_MANAGER",), ("AUDIT_ADMIN", "SECURITY_ADMIN"), None]
)
async def test_only_the_audit_admin_may_search(
    database, tenant: Tenant, roles: tuple[str, ...] | None
) -> None:
    secret = database
    token = (await officer(tenant, secret, *roles))[1] if roles else None
    result = await run("operations", SEARCH, {"f": None, "first": 5}, token, secret)
    assert result.data is None
    assert codes(result) == ["FORBIDDEN" if roles else "UNAUTHENTICATED"]


async def test_a_refused_search_is_itself_recorded(database, tenant: Tenant) -> None:
    secret = database
    user, token = await officer(tenant, secret, "SECURITY_ADMIN")
    request_id = f"req-{uuid.uuid4()}"
    await run("operations", SEARCH, {"f": None, "first": 5}, token, secret, request_id)
    (record,) = await records_of("operations", request_id)
    assert (record.action, record.actor_id, record.actor_role, record.result) == (
        "audit.search",
        user.id,
        "SECURITY_ADMIN",
        "FORBIDDEN",
    )


@pytest.mark.unit
def test_search_covers_every_subgraph() -> None:
    assert SEARCHED_SUBGRAPHS == SUBGRAPHS
