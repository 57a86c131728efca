"""The audit trail: one record per mutation (failed ones too), the hash chain and
`dcms audit verify`, the append-only triggers, concurrency, and unmasked PII reads (the search:
tests/operations/test_audit.py; separation of duties: tests/security/test_duties.py)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from models.finance import Handling
from realtime.broker import Broker
from realtime.hub import Realtime
from resolvers.common import audit
from schema.common.context import Context
from security.audit_chain import ChainChecker, genesis, record_hash
from subgraphs.audit_storage import install_triggers, verify_open
from subgraphs.settings import SUBGRAPHS, Settings
from testkit.factories import Tenant, make_tenant, token_keys
from testkit.inprocess import codes, records_of, sessions
from tests.support.audit import fake_chain, mutations, run
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


@pytest.fixture
async def tenant(database) -> Tenant:
    return await make_tenant(database, customers=2, grabbers=2, needs=2)


def model(subgraph: str) -> Any:
    return Tortoise.apps[subgraph]["AuditRecord"]


# What makes each mutation fail, and the code its record must carry.
FAILURES: dict[str, tuple[dict[str, Any], str]] = {
    "raiseAlert": ({"i": {"orgId": str(uuid.uuid4()), "level": "WARNING", "title": "x"}}, "NOT_FOUND"),
    "addReminder": (
        {"i": {"customerId": str(uuid.uuid4()), "kind": "SCHEDULE", "title": "回访"}},
        "NOT_FOUND",
    ),
    "createOpportunity": ({"i": {"customerId": str(uuid.uuid4()), "title": "  "}}, "BAD_USER_INPUT"),
    "publishNeed": (
        {"i": {"applicantId": str(uuid.uuid4()), "amount": "-1", "termMonths": 12, "purpose": "x"}},
        "BAD_USER_INPUT",
    ),
    "grabNeed": ({"id": str(uuid.uuid4())}, "NOT_FOUND"),
    "reportHeartbeat": ({"i": {"deviceId": str(uuid.uuid4()), "cpu": 12}}, "NOT_FOUND"),
}


def principal_of(tenant: Tenant, name: str) -> tuple[uuid.UUID, str, str]:
    if name == "grabNeed":
        user = tenant.grabbers[0][0]
        return user.id, user.username, "FI_ACCOUNT_MANAGER"
    if name in ("raiseAlert", "reportHeartbeat"):
        return tenant.hall_manager.id, tenant.hall_manager.username, "HALL_MANAGER"
    return tenant.manager.id, tenant.manager.username, "CUSTOMER_MANAGER"


@pytest.mark.parametrize("name", list(FAILURES))
async def test_every_mutation_leaves_exactly_one_record(database, tenant: Tenant, name: str) -> None:
    subgraph, document, variables, token, target_type = mutations(tenant)[name]
    request_id = f"req-{uuid.uuid4()}"
    before = datetime.now(UTC)
    result = await run(subgraph, document, variables, token, database, request_id)
    assert result.errors is None, result.errors
    (record,) = await records_of(subgraph, request_id)
    actor_id, username, role = principal_of(tenant, name)
    assert (record.actor_id, record.actor_username, record.actor_role) == (actor_id, username, role)
    assert (record.action, record.result) == (name, "ok")
    returned = result.data[name]
    target_id = returned["need"]["id"] if name == "grabNeed" else returned["id"]
    assert (record.target_type, record.target_id) == (target_type, target_id)
    assert before <= record.occurred_at <= datetime.now(UTC)
    assert record.hash == record_hash(record)
    previous = await model(subgraph).get_or_none(chain=record.chain, seq=record.seq - 1)
    assert record.prev_hash == (previous.hash if previous else genesis(subgraph, record.chain))


@pytest.mark.parametrize("name", list(FAILURES))
async def test_a_failed_mutation_leaves_one_record_with_its_code(database, tenant: Tenant, name: str) -> None:
    subgraph, document, _variables, token, target_type = mutations(tenant)[name]
    variables, code = FAILURES[name]
    request_id = f"req-{uuid.uuid4()}"
    result = await run(subgraph, document, variables, token, database, request_id)
    assert codes(result) == [code]
    (record,) = await records_of(subgraph, request_id)
    assert (record.action, record.result, record.target_type) == (name, code, target_type)
    assert record.actor_username == principal_of(tenant, name)[1]
    if name == "grabNeed":  # these two name their target before they can fail
        assert record.target_id == variables["id"]
    if name == "reportHeartbeat":
        assert record.target_id == variables["i"]["deviceId"]
    # The failed change left nothing behind: only the record of its failure.
    assert record.hash == record_hash(record)


async def test_a_lost_grab_is_recorded_as_conflict_and_a_repeat_once(database, tenant: Tenant) -> None:
    need_id = str(tenant.needs[1].id)
    document = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    ids = [f"req-{uuid.uuid4()}" for _ in range(3)]
    (winner, winner_token), (loser, loser_token) = tenant.grabbers
    secret = database
    assert (await run("finance", document, {"id": need_id}, winner_token, secret, ids[0])).errors is None
    lost = await run("finance", document, {"id": need_id}, loser_token, secret, ids[1])
    assert codes(lost) == ["CONFLICT"]
    assert (await run("finance", document, {"id": need_id}, winner_token, secret, ids[2])).errors is None
    records = [(await records_of("finance", request_id))[0] for request_id in ids]
    assert [(r.actor_id, r.result, r.target_id) for r in records] == [
        (winner.id, "ok", need_id),
        (loser.id, "CONFLICT", need_id),
        (winner.id, "ok", need_id),
    ]
    assert records[2].detail == {"repeated": True}


async def test_anonymous_attempts_are_recorded_validation_failures_are_not(database, tenant: Tenant) -> None:
    subgraph, document, variables, _token, _type = mutations(tenant)["addReminder"]
    request_id = f"req-{uuid.uuid4()}"
    result = await run(subgraph, document, variables, None, database, request_id)
    assert codes(result) == ["UNAUTHENTICATED"]
    (record,) = await records_of(subgraph, request_id)
    assert (record.actor_id, record.actor_username, record.result) == (None, None, "UNAUTHENTICATED")
    invalid = f"req-{uuid.uuid4()}"
    result = await run(subgraph, "mutation { noSuchField }", None, tenant.manager_token, database, invalid)
    assert result.errors
    assert await records_of(subgraph, invalid) == []


async def test_each_field_of_a_multi_field_mutation_is_recorded_once(database, tenant: Tenant) -> None:
    document = """mutation($ok: AddReminderInput!, $bad: AddReminderInput!) {
      first: addReminder(input: $ok) { id }
      second: addReminder(input: $ok) { id }
      third: addReminder(input: $bad) { id }
    }"""
    ok = {"customerId": str(tenant.customers[1].id), "kind": "SCHEDULE", "title": "回访"}
    request_id = f"req-{uuid.uuid4()}"
    variables = {"ok": ok, "bad": {**ok, "title": " "}}
    result = await run("customers", document, variables, tenant.manager_token, database, request_id)
    assert [(e.path, e.extensions["code"]) for e in result.errors] == [(["third"], "BAD_USER_INPUT")]
    records = await records_of("customers", request_id)
    assert [(r.action, r.result) for r in records] == [
        ("addReminder", "ok"),
        ("addReminder", "ok"),
        ("addReminder", "BAD_USER_INPUT"),
    ]
    assert records[0].target_id != records[1].target_id and records[2].target_id is None
    # Sequential appends of one process, none running beside them: one chain, consecutive.
    assert {r.chain for r in records} == {records[0].chain}
    assert [r.seq for r in records] == [records[0].seq, records[0].seq + 1, records[0].seq + 2]
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash


async def test_request_id_is_generated_when_the_client_sends_none(database, tenant: Tenant) -> None:
    subgraph, document, variables, token, _type = mutations(tenant)["raiseAlert"]
    result = await run(subgraph, document, variables, token, database)
    record = await model(subgraph).get(target_id=result.data["raiseAlert"]["id"])
    assert len(record.request_id) == 32 and int(record.request_id, 16) >= 0


# --- PII reads ---------------------------------------------------------------------------


async def test_unmasked_pii_reads_are_appended_one_record_per_target(database, tenant: Tenant) -> None:
    secret = database
    request_id = f"req-{uuid.uuid4()}"
    headers = [
        (b"authorization", f"Bearer {tenant.manager_token}".encode()),
        (b"x-request-id", request_id.encode()),
    ]
    context = Context[Any](
        request=Request({"type": "http", "method": "POST", "headers": headers}),
        realtime=Realtime(Broker(), sessions(secret)),
        token_keys=token_keys(secret),
        sessions=sessions(secret),
        loaders_class=object,
    )
    first, second = (audit.Target("Customer", c.id) for c in tenant.customers)
    async with audit.operation("customers", context):
        audit.record_pii_read(first, ["phone"])
        audit.record_pii_read(first, ["idNumber", "phone"])
        audit.record_pii_read(second, ["idNumber"])
        assert await records_of("customers", request_id) == []  # appended when the operation ends
    records = await records_of("customers", request_id)
    assert {(r.action, r.target_type, r.target_id, tuple(r.detail["fields"])) for r in records} == {
        ("pii.read", "Customer", str(first.id), ("idNumber", "phone")),
        ("pii.read", "Customer", str(second.id), ("idNumber",)),
    }
    assert {(r.actor_id, r.actor_role, r.result) for r in records} == {
        (tenant.manager.id, "CUSTOMER_MANAGER", "ok")
    }
    with pytest.raises(RuntimeError, match="no audit scope"):
        audit.record_pii_read(first, ["phone"])


# --- the chain, verify, tampering -------------------------------------------------------


def kinds(rows: list[Any], subgraph: str = "customers") -> list[tuple[str, int]]:
    checker = ChainChecker(subgraph)
    checker.feed(rows)
    return [(p.kind, p.seq) for p in checker.problems]


@pytest.mark.unit
def test_chain_checker_names_each_kind_of_break() -> None:
    assert kinds(fake_chain("customers", 5)) == []
    assert kinds(fake_chain("marketing", 3)) == [("broken", 1)]  # another subgraph's chain
    altered = fake_chain("customers", 5)
    altered[2].result = "FORBIDDEN"
    assert kinds(altered) == [("altered", 3)]
    rehashed = fake_chain("customers", 5)
    rehashed[2].result = "FORBIDDEN"
    rehashed[2].hash = record_hash(rehashed[2])
    assert kinds(rehashed) == [("broken", 4)]
    deleted = fake_chain("customers", 5)
    del deleted[1:3]
    assert kinds(deleted) == [("deleted", 4)]
    inserted = fake_chain("customers", 5)
    forged = SimpleNamespace(**{**vars(inserted[2]), "action": "forged", "request_id": "x"})
    forged.hash = record_hash(forged)  # chained to #2 like the real #3, its own hash right
    for row in inserted[2:]:
        row.seq += 1
    inserted.insert(2, forged)
    assert kinds(inserted) == [("inserted", 3)]


async def sql(subgraph: str, statement: str) -> None:
    await connections.get(subgraph).execute_script(statement)


def postgres() -> bool:
    return connections.get("marketing").capabilities.dialect == "postgres"


@pytest.fixture
async def tampering(database) -> AsyncIterator[None]:
    """The marketing chain's triggers off while a test tampers, back on (and the chain
    repaired by the test) afterwards."""
    if postgres():
        await sql("marketing", "DROP TRIGGER audit_record_append_only ON audit_record")
    else:
        await sql("marketing", "DROP TRIGGER audit_record_no_update; DROP TRIGGER audit_record_no_delete")
    try:
        yield
    finally:
        await install_triggers(("marketing",))


async def fresh_records(tenant: Tenant, secret: Settings, n: int) -> list[Any]:
    document = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }"
    variables = {"i": {"customerId": str(tenant.customers[0].id), "title": "商机"}}
    request_id = f"req-{uuid.uuid4()}"
    for _ in range(n):
        assert (
            await run("marketing", document, variables, tenant.manager_token, secret, request_id)
        ).errors is None
    return await records_of("marketing", request_id)


async def problems() -> list[tuple[str, str, int]]:
    found, _ = await verify_open()
    return [(p.subgraph, p.kind, p.seq) for p in found]


async def test_the_chain_verifies(database, tenant: Tenant) -> None:
    await fresh_records(tenant, database, 3)
    found, chains = await verify_open()
    assert found == []
    assert {chain.subgraph for chain in chains} == set(SUBGRAPHS)
    assert next(c for c in chains if c.subgraph == "marketing").records >= 3


async def test_verify_reports_an_altered_record(database, tenant: Tenant, tampering: None) -> None:
    records = await fresh_records(tenant, database, 3)
    victim = records[1]
    await model("marketing").filter(id=victim.id).update(result="FORBIDDEN")
    try:
        assert await problems() == [("marketing", "altered", victim.seq)]
    finally:
        await model("marketing").filter(id=victim.id).update(result="ok")
    assert await problems() == []


async def test_verify_reports_a_deleted_record(database, tenant: Tenant, tampering: None) -> None:
    records = await fresh_records(tenant, database, 3)
    victim = records[1]
    await model("marketing").filter(id=victim.id).delete()
    try:
        assert await problems() == [("marketing", "deleted", victim.seq + 1)]
    finally:
        await victim.save(force_create=True)
    assert await problems() == []


async def test_verify_reports_an_inserted_record(database, tenant: Tenant, tampering: None) -> None:
    records = await fresh_records(tenant, database, 3)
    AuditRecord = model("marketing")
    after = records[1]
    # Make room after `after` (highest first: seq is unique), then forge a record chained
    # to it whose own hash is right: only the next record's link gives it away.
    later = await AuditRecord.filter(chain=after.chain, seq__gt=after.seq).order_by("-seq")
    for row in later:
        await AuditRecord.filter(id=row.id).update(seq=row.seq + 1)
    forged = AuditRecord(
        chain=after.chain,
        seq=after.seq + 1,
        occurred_at=after.occurred_at,
        actor_id=None,
        actor_username="intruder",
        actor_role="AUDIT_ADMIN",
        action="createOpportunity",
        target_type="Opportunity",
        target_id=None,
        result="ok",
        request_id="forged",
        detail={},
        prev_hash=after.hash,
    )
    forged.hash = record_hash(forged)
    await forged.save()
    try:
        assert await problems() == [("marketing", "inserted", after.seq + 1)]
    finally:
        await AuditRecord.filter(id=forged.id).delete()
        for row in reversed(later):
            await AuditRecord.filter(id=row.id).update(seq=row.seq)
    assert await problems() == []


async def test_the_trigger_refuses_update_and_delete(database, tenant: Tenant) -> None:
    (record,) = await fresh_records(tenant, database, 1)
    AuditRecord = model("marketing")
    with pytest.raises(Exception, match="append-only"):
        await AuditRecord.filter(id=record.id).update(result="FORBIDDEN")
    with pytest.raises(Exception, match="append-only"):
        await AuditRecord.filter(id=record.id).delete()
    with pytest.raises(Exception, match="append-only"):
        await sql("marketing", "DELETE FROM audit_record")
    if postgres():
        with pytest.raises(Exception, match="append-only"):
            await sql("marketing", "TRUNCATE audit_record")
        # Not even a session that turns ordinary triggers off (replication role) gets past it.
        with pytest.raises(Exception, match="append-only"):
            async with in_transaction("marketing") as conn:
                await conn.execute_script("SET LOCAL session_replication_role = replica")
                await conn.execute_query(
                    "UPDATE audit_record SET result = 'x' WHERE id = $1", [str(record.id)]
                )
    assert (await AuditRecord.get(id=record.id)).result == "ok"
    await install_triggers()  # idempotent: run again, nothing changes
    assert await problems() == []


# --- concurrency through the real gateway ------------------------------------------------


@pytest.mark.e2e
async def test_concurrent_mutations_keep_one_unbroken_chain(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=30, needs=1)
    request_id = f"req-{uuid.uuid4()}"
    reminder = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
    grab = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    variables = {"i": {"customerId": str(tenant.customers[0].id), "kind": "SCHEDULE", "title": "并发回访"}}

    async with httpx.AsyncClient(timeout=60) as client:

        async def post(document: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
            headers = {"authorization": f"Bearer {token}", "x-request-id": request_id}
            response = await client.post(
                stack.gateway_url, json={"query": document, "variables": variables}, headers=headers
            )
            return response.json()

        started = time.perf_counter()
        results = await asyncio.gather(
            *(post(reminder, variables, tenant.manager_token) for _ in range(30)),
            *(post(grab, {"id": str(tenant.needs[0].id)}, token) for _user, token in tenant.grabbers),
        )
        elapsed = time.perf_counter() - started
    assert sum(1 for r in results[:30] if not r.get("errors")) == 30
    assert sorted(
        str(r["errors"][0]["extensions"]["code"]) if r.get("errors") else "ok" for r in results[30:]
    ) == [
        *["CONFLICT"] * 29,
        "ok",
    ]
    reminders = await records_of("customers", request_id)
    grabs = await records_of("finance", request_id)
    assert len(reminders) == 30 and {r.result for r in reminders} == {"ok"}
    assert sorted(r.result for r in grabs) == [*["CONFLICT"] * 29, "ok"]
    winner = await Handling.get(need_id=tenant.needs[0].id)
    assert next(r for r in grabs if r.result == "ok").actor_id == winner.handler_id
    assert await problems() == []
    print(f"\n60 concurrent audited mutations through the gateway: {elapsed:.2f} s")


# --- search and its permissions ----------------------------------------------------------
