"""Bounded queues through the real Hive Gateway (gateway/admission.ts, subgraphs/admission.py):

- the gateway answers operations beyond its bound at once with HTTP 503, ``Retry-After`` and
  ``OVERLOADED``;
- a subgraph's own OVERLOADED refusal reaches the client with its code (not
  INTERNAL_SERVER_ERROR), with ``Retry-After`` and 503;
- a client that leaves the gateway aborts the subgraph fetch, and the subgraph cancels the
  operation (PostgreSQL: a statement waiting on a table lock the test holds).

A stack of its own: ``dcms serve`` admitting one operation, the gateway admitting one.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from subgraphs.settings import Settings
from tests.support import services
from tests.support.held import HeldOperation
from tests.support.stack import free_port, subprocess_env
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

LOGIN = 'mutation { login(username: "nobody-admission", password: "Wrong@pass123") { accessToken } }'


@dataclass(frozen=True)
class Bounded:
    subgraphs: str  # http://127.0.0.1:<port>
    gateway: str  # http://127.0.0.1:<port>/graphql


@pytest.fixture
def bounded(database: Settings, tmp_path: Path) -> Iterator[Bounded]:
    services.require_node()
    port, gateway_port = free_port(), free_port()
    env = {
        **subprocess_env(database),
        "DCMS_MAX_IN_FLIGHT": "1",
        "DCMS_GATEWAY_MAX_IN_FLIGHT": "1",
        "DCMS_RETRY_AFTER_SECONDS": "3",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    gateway = None
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        supergraph = write_all(tmp_path / "sdl", url_base=f"http://127.0.0.1:{port}")
        gateway = start_gateway(gateway_port, supergraph, "127.0.0.1", quiet=True, settings=database, env=env)
        wait_until_up(f"http://127.0.0.1:{gateway_port}/healthcheck", gateway)
        yield Bounded(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{gateway_port}/graphql")
    finally:
        services.stop(gateway, server)


def overloaded(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "3"
    body = answer.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "OVERLOADED" and error["extensions"]["retryAfter"] == 3
    assert "服务繁忙" in error["message"]


def metric(exposition: str, sample: str) -> float:
    """The value of one sample line (name and labels as exposed) of a /metrics answer."""
    for line in exposition.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{sample} not in /metrics")


async def subgraph_figure(client: httpx.AsyncClient, stack: Bounded, name: str) -> int:
    return int((await client.get(f"{stack.subgraphs}/healthz")).headers[f"x-dcms-{name}"])


async def test_the_gateway_refuses_beyond_its_bound_at_once(bounded: Bounded) -> None:
    held = HeldOperation(bounded.gateway.removesuffix("/graphql"), "/graphql", LOGIN_BODY)
    async with httpx.AsyncClient(timeout=20) as client:
        below = await client.post(bounded.gateway, json={"query": LOGIN})
        assert below.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # admitted, answered
        try:
            await held.start()
            await asyncio.sleep(0.3)  # the gateway has the headers: the operation is in flight
            started = time.perf_counter()
            answer = await client.post(bounded.gateway, json={"query": LOGIN})
            elapsed = time.perf_counter() - started
            overloaded(answer)
            assert elapsed < 0.1, f"refused after {elapsed * 1000:.0f} ms"
            scraped = (await client.get(bounded.gateway.removesuffix("/graphql") + "/metrics")).text
            assert metric(scraped, 'dcms_gateway_rejected_total{code="OVERLOADED"}') >= 1
            assert metric(scraped, "dcms_gateway_operations_in_flight") == 1  # the held one
        finally:
            await held.close()

        async def admitted() -> bool:
            answer = await client.post(bounded.gateway, json={"query": LOGIN})
            return answer.status_code == 200

        await eventually(admitted, seconds=5)  # the place is free once the held client left


async def test_a_subgraphs_overloaded_reaches_the_client_with_its_code(bounded: Bounded) -> None:
    held = HeldOperation(bounded.subgraphs, "/operations/graphql")
    async with httpx.AsyncClient(timeout=20) as client:
        try:
            await held.start()
            await eventually(lambda: _figure_is(client, bounded, "in-flight", 1))
            answer = await client.post(bounded.gateway, json={"query": LOGIN})
            overloaded(answer)
            # /metrics answers with the bound full: it is not admitted load (subgraphs/metrics.py)
            scraped = (await client.get(f"{bounded.subgraphs}/metrics")).text
            assert metric(scraped, "dcms_operations_in_flight") == 1
            assert metric(scraped, 'dcms_rejected_total{code="OVERLOADED",subgraph="operations"}') >= 1
        finally:
            await held.close()
        await eventually(lambda: _figure_is(client, bounded, "in-flight", 0))
        after = await client.post(bounded.gateway, json={"query": LOGIN})
        assert after.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_client_leaving_the_gateway_cancels_the_subgraphs_work(
    bounded: Bounded, database: Settings
) -> None:
    if not database.database_url:
        pytest.skip("holds a PostgreSQL table lock; embedded cancellation: tests/subgraphs/test_admission.py")
    locker = await asyncpg.connect(database.database_url)
    try:
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("LOCK TABLE operations.app_user IN ACCESS EXCLUSIVE MODE")
        async with httpx.AsyncClient(timeout=20) as client:
            cancelled = await subgraph_figure(client, bounded, "cancelled")
            request = asyncio.create_task(_post(bounded.gateway, LOGIN))
            try:
                # login reads app_user: it waits on the lock, in flight in the subgraph.
                await eventually(lambda: _figure_is(client, bounded, "in-flight", 1))
                await eventually(lambda: _waiting_on_lock(locker), seconds=5)
            finally:
                request.cancel()  # the client leaves the gateway
                with contextlib.suppress(asyncio.CancelledError):
                    await request
            # The gateway aborts its fetch, the subgraph cancels the operation: the statement
            # stops waiting while the lock is still held.
            await eventually(lambda: _figure_is(client, bounded, "cancelled", cancelled + 1), seconds=5)
            await eventually(lambda: _not_waiting(locker), seconds=5)
            assert await subgraph_figure(client, bounded, "in-flight") == 0
        await transaction.rollback()
    finally:
        await locker.close()


LOGIN_BODY = ('{"query": "' + LOGIN.replace('"', '\\"') + '"}').encode()


async def _post(url: str, query: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, json={"query": query})


async def _figure_is(client: httpx.AsyncClient, stack: Bounded, name: str, value: int) -> bool:
    return await subgraph_figure(client, stack, name) == value


async def _waiting_on_lock(connection: asyncpg.Connection) -> bool:
    count = await connection.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return int(count) > 0


async def _not_waiting(connection: asyncpg.Connection) -> bool:
    return not await _waiting_on_lock(connection)
