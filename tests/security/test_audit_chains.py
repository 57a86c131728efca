"""The audit trail's parallel chains (security/audit_chain.py): concurrent appends do not wait
for each other on PostgreSQL (SQLite has one writer: they run in turn, in chain 0), every chain
verifies, and tampering across chains is caught."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from resolvers.common.audit import audit_model
from security.audit_chain import CHAINS, ChainChecker, Entry, append, genesis, lock_key, record_hash
from subgraphs.audit_storage import install_triggers, verify_open
from subgraphs.settings import Settings
from tests.support.audit import fake_chain

pytestmark = pytest.mark.integration

SUBGRAPH = "marketing"


def postgres() -> bool:
    return connections.get(SUBGRAPH).capabilities.dialect == "postgres"


def entry(label: str) -> Entry:
    return Entry(action="test.append", target_type="Test", target_id=label, request_id=f"chains-{label}")


async def problems() -> list[tuple[str, str, int, int]]:
    found, _ = await verify_open()
    return [(p.subgraph, p.kind, p.chain, p.seq) for p in found]


async def held_append(label: str, appended: asyncio.Event, release: asyncio.Event) -> list[Any]:
    """An append in a transaction that stays open (holding whatever the append took) until released."""
    async with in_transaction(SUBGRAPH):
        rows = await append(audit_model(SUBGRAPH), SUBGRAPH, [entry(label)])
        appended.set()
        await release.wait()
    return rows


async def test_an_append_does_not_wait_for_an_open_transaction_that_appended(database: Settings) -> None:
    appended, release = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(held_append("first", appended, release))
    await asyncio.wait_for(appended.wait(), 10)
    second = asyncio.create_task(append(audit_model(SUBGRAPH), SUBGRAPH, [entry("second")]))
    try:
        if postgres():
            # The first transaction is still open, holding its chain: the second takes another.
            (row_2,) = await asyncio.wait_for(second, 5)
            assert not first.done()
            release.set()
            (row_1,) = await first
            assert row_1.chain != row_2.chain
        else:
            # SQLite: one writer, so the second append runs once the first has committed.
            await asyncio.sleep(0.3)
            assert not second.done()
            release.set()
            (row_1,) = await first
            (row_2,) = await asyncio.wait_for(second, 10)
            assert (row_1.chain, row_2.chain) == (0, 0) and row_2.seq == row_1.seq + 1
            assert row_2.prev_hash == row_1.hash
    finally:
        release.set()
        await asyncio.gather(first, second, return_exceptions=True)
    assert await problems() == []


async def test_many_open_appends_each_take_a_chain_and_every_chain_verifies(database: Settings) -> None:
    if not postgres():  # SQLite serialises them: the test above checks that
        assert await problems() == []
        return
    n = database.db_pool_max - 1  # one connection each, all open at once
    assert n >= 2
    events = [asyncio.Event() for _ in range(n)]
    release = asyncio.Event()
    tasks = [asyncio.create_task(held_append(f"many-{i}", events[i], release)) for i in range(n)]
    try:
        # All n transactions are open at once, each holding the chain its append took.
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 20)
    finally:
        release.set()
    rows = [row for result in await asyncio.gather(*tasks) for row in result]
    assert len({row.chain for row in rows}) == n
    assert all(0 <= row.chain < CHAINS for row in rows)
    for row in rows:
        assert row.hash == record_hash(row)
    assert await problems() == []


async def test_an_append_skips_the_chains_other_processes_hold(database: Settings) -> None:
    """Another process (a connection of its own) holds most chains, the home chain among them,
    in an open transaction: an append takes one of the rest at once."""
    if not postgres():
        return
    assert database.database_url
    other = await asyncpg.connect(database.database_url)
    held = set(range(CHAINS - 3))
    try:
        async with other.transaction():
            for chain in held:
                await other.execute("SELECT pg_advisory_xact_lock($1, $2)", lock_key(SUBGRAPH), chain)
            (row,) = await asyncio.wait_for(append(audit_model(SUBGRAPH), SUBGRAPH, [entry("skip")]), 5)
            assert row.chain not in held
    finally:
        await other.close()
    assert await problems() == []


async def test_an_append_holds_one_chain_lock(database: Settings) -> None:
    """The claim statement stops at the first free chain: it does not lock the chains after it."""
    if not postgres():
        return
    async with in_transaction(SUBGRAPH) as conn:
        await append(audit_model(SUBGRAPH), SUBGRAPH, [entry("one-lock")])
        rows = await conn.execute_query_dict(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
    assert rows[0]["n"] == 1


# --- tampering across chains ---------------------------------------------------------------------


def kinds(rows: list[Any], chain: int) -> list[tuple[str, int]]:
    checker = ChainChecker("customers", chain)
    checker.feed(rows)
    return [(p.kind, p.seq) for p in checker.problems]


@pytest.mark.unit
def test_each_chain_has_its_own_genesis() -> None:
    assert genesis("customers", 0) == genesis("customers")  # chain 0: the single chain's value
    assert len({genesis("customers", c) for c in range(CHAINS)}) == CHAINS
    assert kinds(fake_chain("customers", 3, 5), 5) == []
    # Another chain's records passed off as this chain's: the first link is wrong.
    assert kinds(fake_chain("customers", 3, 4), 5) == [("broken", 1)]
    assert kinds(fake_chain("customers", 3, 0), 5) == [("broken", 1)]


@pytest.fixture
async def tampering(database: Settings) -> AsyncIterator[None]:
    """The marketing chains' triggers off while a test tampers, back on afterwards."""
    conn = connections.get(SUBGRAPH)
    if postgres():
        await conn.execute_script("DROP TRIGGER audit_record_append_only ON audit_record")
    else:
        await conn.execute_script("DROP TRIGGER audit_record_no_update; DROP TRIGGER audit_record_no_delete")
    try:
        yield
    finally:
        await install_triggers((SUBGRAPH,))


async def test_verify_reports_a_record_moved_to_another_chain(database: Settings, tampering: None) -> None:
    rows = await append(audit_model(SUBGRAPH), SUBGRAPH, [entry("m1"), entry("m2"), entry("m3")])
    victim = rows[1]
    model = audit_model(SUBGRAPH)
    # A chain number no append uses, so the moved record's position there is free.
    await model.filter(id=victim.id).update(chain=CHAINS + 1)
    try:
        found = await problems()
        # Its own chain has a gap where it was; the other chain has a stray with no record before it.
        assert (SUBGRAPH, "deleted", victim.chain, victim.seq + 1) in found
        assert (SUBGRAPH, "deleted", CHAINS + 1, victim.seq) in found
        assert len(found) == 2
    finally:
        await model.filter(id=victim.id).update(chain=victim.chain)
    assert await problems() == []
