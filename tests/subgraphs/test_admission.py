"""Admission control (subgraphs/admission.py): a bounded number of operations in flight per
process, the excess refused at once with OVERLOADED and Retry-After; an operation whose client
disconnects is cancelled, its transaction rolled back, nothing logged as a failure.

The bound is read on a real ``dcms serve`` (``DCMS_MAX_IN_FLIGHT=2``): operations are held in
flight by clients that sent their headers and only part of their body (a slow client: the
operation is admitted and waits for the rest). Cancellation is read on a real uvicorn server in
this process, the middleware before an endpoint that works inside a real database transaction
(PostgreSQL: ``pg_sleep`` in the server; SQLite: a wait in Python) while the client goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.operations import Org, OrgKind
from subgraphs.admission import OVERLOADED, AdmissionControl
from subgraphs.gateway import wait_until_up
from subgraphs.settings import Admission, Settings
from tests.support import services
from tests.support.held import QUERY, HeldOperation
from tests.support.stack import free_port, subprocess_env
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

BOUND = 2


@pytest.fixture
def bounded(database: Settings) -> Iterator[str]:
    """``dcms serve`` admitting BOUND operations at a time: its base URL."""
    port = free_port()
    env = {**subprocess_env(database), "DCMS_MAX_IN_FLIGHT": str(BOUND), "DCMS_RETRY_AFTER_SECONDS": "2"}
    server = subprocess.Popen(
        [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        services.stop(server)


async def figure(client: httpx.AsyncClient, base: str, name: str) -> int:
    return int((await client.get(f"{base}/healthz")).headers[f"x-dcms-{name}"])


async def test_beyond_the_bound_operations_are_refused_at_once_with_retry_after(bounded: str) -> None:
    held = [HeldOperation(bounded) for _ in range(BOUND)]
    async with httpx.AsyncClient(timeout=10) as client:
        try:
            # Below the bound nothing is refused: with one held, another operation is answered.
            await held[0].start()
            await eventually(lambda: _equals(client, bounded, "in-flight", 1))
            below = await client.post(f"{bounded}/customers/graphql", content=QUERY, headers=_json())
            assert below.status_code != 503
            assert OVERLOADED not in below.text

            await held[1].start()
            await eventually(lambda: _equals(client, bounded, "in-flight", BOUND))
            refused_before = await figure(client, bounded, "refused")
            for path in ("/customers/graphql", "/operations/graphql"):  # one bound per process
                started = time.perf_counter()
                answer = await client.post(f"{bounded}{path}", content=QUERY, headers=_json())
                elapsed = time.perf_counter() - started
                assert answer.status_code == 503
                assert answer.headers["retry-after"] == "2"
                (error,) = answer.json()["errors"]
                assert error["extensions"] == {"code": OVERLOADED, "retryAfter": 2}
                assert answer.json()["data"] is None
                assert elapsed < 0.1, f"refused after {elapsed * 1000:.0f} ms"
            assert await figure(client, bounded, "refused") == refused_before + 2
            # /healthz is never refused (it answered above while the bound was full).

            # A held operation finishes: it was admitted, so it is answered, not refused …
            status_line = await held[0].finish()
            assert b" 503 " not in status_line.split(b"\r\n")[0]
            await eventually(lambda: _equals(client, bounded, "in-flight", BOUND - 1))
            # … and its place is free again.
            again = await client.post(f"{bounded}/customers/graphql", content=QUERY, headers=_json())
            assert again.status_code != 503
        finally:
            for operation in held:
                await operation.close()
        # A client that leaves before sending its body frees its place too.
        await eventually(lambda: _equals(client, bounded, "in-flight", 0))


async def _equals(client: httpx.AsyncClient, base: str, name: str, value: int) -> bool:
    return await figure(client, base, name) == value


def _json() -> dict[str, str]:
    return {"content-type": "application/json"}


# -- cancellation on disconnect -------------------------------------------------------------------


class SlowMutation:
    """An endpoint that writes an Org row in one transaction, then works for 30 s before
    committing (PostgreSQL: ``pg_sleep`` in the server; SQLite: a wait here). Records how it ended."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.ended: str | None = None
        self.name = f"cancel-{uuid.uuid4().hex[:8]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        while (await receive()).get("more_body"):
            pass
        try:
            async with in_transaction("operations") as connection:
                await Org.create(
                    code=self.name,
                    name=self.name,
                    kind=OrgKind.MEMBER_BANK,
                    path=self.name,
                    using_db=connection,
                )
                self.started.set()
                if connection.capabilities.dialect == "postgres":
                    await connection.execute_query("SELECT pg_sleep(30)")
                else:
                    await asyncio.sleep(30)
            self.ended = "committed"
        except asyncio.CancelledError:
            self.ended = "cancelled"
            raise


@contextlib.asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, seconds=10)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_a_client_that_leaves_cancels_its_operation_and_its_transaction_rolls_back(
    database: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = SlowMutation()
    admission = AdmissionControl(endpoint, Admission(max_in_flight=4))
    caplog.set_level(logging.INFO)
    async with served(admission) as base:
        async with httpx.AsyncClient(timeout=10) as client:
            request = asyncio.create_task(
                client.post(f"{base}/operations/graphql", content=QUERY, headers=_json())
            )
            await asyncio.wait_for(endpoint.started.wait(), 10)
            assert admission.in_flight == 1
            request.cancel()  # the client goes away: httpx closes the connection
            with contextlib.suppress(asyncio.CancelledError):
                await request
        started = time.perf_counter()
        await eventually(lambda: endpoint.ended is not None, seconds=5, every=0.02)
        assert endpoint.ended == "cancelled"
        assert time.perf_counter() - started < 1.0
        assert admission.cancelled == 1 and admission.in_flight == 0
        if database.database_url:  # the statement itself was cancelled in the server
            await eventually(lambda: _no_sleeping_statement(), seconds=5)
        # Rolled back: the row written before the wait is not there.
        assert not await Org.filter(name=endpoint.name).exists()
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, [r.getMessage() for r in failures]


async def _no_sleeping_statement() -> bool:
    connection = Tortoise.get_connection("operations")
    rows = await connection.execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'"
    )
    return int(rows[0]["n"]) == 0
