"""Liveness, readiness and graceful shutdown of a ``dcms serve`` process (subgraphs/health.py).

Each test starts a process of its own (one subgraph, production mode, the session's storage) and
reaches it over HTTP and WebSockets as the gateway or a load balancer does. The outages are real:
PostgreSQL and Redis are reached through a TCP proxy in this test process, which the test cuts
(the shared servers are never stopped); the relay's lag is an old outbox row the relay cannot take
because this test holds its row lock."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise import Tortoise
from tortoise.transactions import in_transaction
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from subgraphs.gateway import wait_until_up
from subgraphs.health import Health
from subgraphs.settings import Probes, Settings
from testkit.factories import make_tenant
from tests.support import services
from tests.support.signing import body_bytes, signed_headers, ws_params
from tests.support.stack import free_port, subprocess_env
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REMINDERS = "subscription($after: ID) { reminders(after: $after) { eventId } }"
SERVICE_RESTART = 1012  # the close code of every WebSocket on shutdown: resume with `after`


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.get(f"{self.url}{path}")

    async def readyz(self) -> tuple[int, dict[str, Any]]:
        answer = await self.get("/readyz")
        return answer.status_code, answer.json()


@contextlib.asynccontextmanager
async def serving(settings: Settings, tmp_path: Path, **env: str) -> AsyncIterator[Served]:
    """``dcms serve customers`` on a free port with ``env`` added, up (``/livez``) and stopped after."""
    port = free_port()
    environment = {**subprocess_env(settings), "DCMS_READY_TIMEOUT_SECONDS": "1", **env}
    log = tmp_path / f"serve-{port}.log"
    command = [sys.executable, "-m", "subgraphs.cli", "serve", "customers", "--port", str(port)]
    process = start(command, environment, log)
    try:
        await asyncio.to_thread(wait_until_up, f"http://127.0.0.1:{port}/livez", process)
        yield Served(process, f"http://127.0.0.1:{port}", log)
    finally:
        services.stop(process)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)


class CuttableProxy:
    """A TCP proxy to ``target`` that the test can cut (every connection dropped, new ones
    refused) and restore on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def url(self, url: str) -> str:
        parsed = urlparse(url)
        auth = f"{parsed.username}@" if parsed.username else ""
        return urlunparse(parsed._replace(netloc=f"{auth}127.0.0.1:{self.port}"))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        task = asyncio.create_task(self._both(reader, writer, up_reader, up_writer))
        self._tasks.add(task)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._tasks.discard(task)
        self._writers -= {writer, up_writer}

    async def _both(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()


def target_of(url: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


async def test_livez_and_readyz_answer_with_each_check(database: Settings, tmp_path: Path) -> None:
    async with serving(database, tmp_path) as served:
        live = await served.get("/livez")
        assert live.status_code == 200 and live.json() == {"status": "ok"}
        status, body = await served.readyz()
        assert status == 200, body
        assert body["status"] == "ready"
        checks = body["checks"]
        expected = {"database", "relay"} | ({"redis"} if database.redis_url else set())
        assert set(checks) == expected
        assert all(check["ok"] for check in checks.values()), checks
        assert checks["relay"]["maxSeconds"] == 30.0
        health = await served.get("/healthz")  # as before: the sockets and subscriptions
        assert health.status_code == 200 and health.json()["subscriptions"] == 0
        assert "x-dcms-in-flight" in health.headers


@pytest.mark.faults  # PostgreSQL + Redis pass only: the embedded default has no server to lose
async def test_readyz_is_503_while_postgresql_or_redis_is_unreachable(
    database: Settings, tmp_path: Path
) -> None:
    assert database.database_url and database.redis_url, "the PostgreSQL + Redis pass only"
    postgres = CuttableProxy(target_of(database.database_url, 5432))
    redis = CuttableProxy(target_of(database.redis_url, 6379))
    await postgres.start()
    await redis.start()
    env = {"DATABASE_URL": postgres.url(database.database_url), "REDIS_URL": redis.url(database.redis_url)}
    try:
        async with serving(database, tmp_path, **env) as served:
            assert (await served.readyz())[0] == 200

            async def failing(check: str) -> bool:
                status, body = await served.readyz()
                return status == 503 and not body["checks"][check]["ok"]

            await postgres.cut()
            await eventually(lambda: failing("database"))
            body = (await served.readyz())[1]
            assert body["status"] == "unavailable" and body["checks"]["redis"]["ok"], body
            assert (await served.get("/livez")).status_code == 200  # alive: no restart for an outage
            await postgres.start()
            await eventually(lambda: ready(served))

            await redis.cut()
            await eventually(lambda: failing("redis"))
            body = (await served.readyz())[1]
            assert body["checks"]["database"]["ok"], body
            await redis.start()
            await eventually(lambda: ready(served))
    finally:
        await postgres.cut()
        await redis.cut()


async def ready(served: Served) -> bool:
    return (await served.readyz())[0] == 200


@pytest.mark.faults  # PostgreSQL pass only: SQLite has no row locks to hold the relay off with
async def test_readyz_is_503_while_the_relay_lags(database: Settings, tmp_path: Path) -> None:
    assert database.database_url, "the PostgreSQL pass only"
    outbox = Tortoise.apps["customers"]["OutboxEvent"]
    locked, release = asyncio.Event(), asyncio.Event()
    held: list[str] = []

    async def hold() -> None:
        """An event two minutes old, held under a row lock from before the process starts until
        ``release``: the relay numbers rows FOR UPDATE SKIP LOCKED, so it leaves this one. The
        session's stack polls the same outbox every second: should it publish the row between
        its insert and its lock, another row is tried."""
        while True:
            recorded = int(time.time() * 1000) - 120_000  # two minutes ago (the id's first 48 bits)
            event_id = f"{recorded:012x}{secrets.token_hex(10)}"
            held.append(event_id)
            # A channel nobody subscribes to: the relay publishes it once the lock is gone.
            await outbox.create(
                id=event_id,
                channel="customers.health_probe",
                type="probe",
                occurred_at="2026-01-01T00:00:00+00:00",
            )
            async with in_transaction("customers") as connection:
                row = await outbox.filter(id=event_id).using_db(connection).select_for_update().first()
                if row is not None and row.published_at is None:
                    locked.set()
                    await release.wait()
                    return

    holder = asyncio.create_task(hold())
    try:
        await locked.wait()
        async with serving(database, tmp_path, DCMS_READY_MAX_RELAY_LAG_SECONDS="60") as served:
            status, body = await served.readyz()
            assert status == 503, body
            relay = body["checks"]["relay"]
            assert not relay["ok"] and relay["lagSeconds"] >= 120 and relay["maxSeconds"] == 60.0, relay
            assert body["checks"]["database"]["ok"], body
            release.set()
            await holder
            await eventually(lambda: ready(served))  # the relay published it
        assert (await outbox.get(id=held[-1])).published_at is not None
    finally:
        release.set()
        await holder
        await outbox.filter(id__in=held).delete()


async def test_sigterm_drains_requests_and_closes_subscriptions_to_resume(
    database: Settings, tmp_path: Path
) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    authorization = f"Bearer {tenant.manager_token}"
    async with serving(database, tmp_path, DCMS_SHUTDOWN_DELAY_SECONDS="2") as served:
        ws_url = served.url.replace("http://", "ws://") + "/customers/graphql"
        protocol = Subprotocol("graphql-transport-ws")
        async with websockets.connect(ws_url, subprotocols=[protocol]) as ws:  # as the gateway connects
            params = ws_params(database.hmac_secret, authorization)
            await ws.send(json.dumps({"type": "connection_init", "payload": params}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
            subscribe = {"query": REMINDERS, "variables": {}}
            await ws.send(json.dumps({"id": "r", "type": "subscribe", "payload": subscribe}))

            async def subscribed() -> bool:
                return (await served.get("/healthz")).json()["subscriptions"] == 1

            await eventually(subscribed)

            # An operation in flight: signed as the gateway signs it, headers and half the body sent.
            body = body_bytes({"query": "{ __typename }"})
            headers = signed_headers(database.hmac_secret, body, authorization)
            reader, writer = await asyncio.open_connection("127.0.0.1", int(served.url.rsplit(":", 1)[1]))
            head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            writer.write(
                f"POST /customers/graphql HTTP/1.1\r\nhost: 127.0.0.1\r\n{head}"
                f"content-length: {len(body)}\r\n\r\n".encode()
                + body[:5]
            )
            await writer.drain()

            os.kill(served.process.pid, signal.SIGTERM)

            # First not ready (a load balancer stops sending), still serving for the delay.
            async def draining() -> bool:
                status, body = await served.readyz()
                return status == 503 and body.get("shutdown") is True

            await eventually(draining)

            # Then every WebSocket closes with 1012 Service Restart: resubscribe with `after`.
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), 30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == SERVICE_RESTART

            # No new connections now; the operation in flight still completes.
            with pytest.raises(httpx.HTTPError):
                await served.get("/livez")
            writer.write(body[5:])
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 30)  # the server closes after it
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            status_line, _, rest = answer.partition(b"\r\n")
            assert status_line == b"HTTP/1.1 200 OK", answer
            assert b'"__typename":"Query"' in rest, answer

        assert await asyncio.to_thread(served.process.wait, 30) == 0
    log = served.log.read_text()
    assert "SIGTERM: readiness 503" in log and "Traceback" not in log, log


async def test_ready_require_names_the_checks_that_decide(database: Settings) -> None:
    """In process: a Redis nobody listens on (port 1) fails its check; whether that makes the
    process unready is DCMS_READY_REQUIRE's to say."""
    for require, expected in (("database,redis,relay", 503), ("database,relay", 200)):
        health = Health(
            replace(Probes(), ready_require=require, ready_timeout_seconds=1.0),
            ("customers",),
            "redis://127.0.0.1:1/0",
        )
        app = Starlette(routes=[Route("/readyz", health.readyz)])
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://t"
            ) as client:
                answer = await client.get("/readyz")
        finally:
            await health.close()
        assert answer.status_code == expected, answer.text
        redis = answer.json()["checks"]["redis"]
        assert redis["ok"] is False and "127.0.0.1" not in json.dumps(redis)  # no address in the body
        assert redis.get("required", True) is (expected == 503)
