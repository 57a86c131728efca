"""Dependencies going away degrade, they do not leak.

A stack of its own (tests/support/faults.py's, as the fault tests use: its own Redis server, the subgraphs process, the real
gateway) reaches PostgreSQL through a TCP proxy this test can cut. With Redis killed, reads still
work, while what needs the session store (login, logout) answers SERVICE_UNAVAILABLE, naming no
host or port. With the proxy cut, every operation answers SERVICE_UNAVAILABLE: no "audit trail"
blamed, no traceback per request. Each outage is one line in the log, and so is its end.

Run in the PostgreSQL + Redis pass only (``-m faults``; the embedded pass deselects them).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx
import pytest

from subgraphs.gateway import wait_until_up
from tests.support import services
from tests.support.faults import FaultStack, running
from tests.support.stack import free_port

pytestmark = pytest.mark.faults

READ = "{ alerts(first: 1) { edges { node { id title } } } }"
RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
LOGIN = 'mutation { login(username: "ops", password: "wrong-password-1") { accessToken } }'
LOGOUT = "mutation { logout }"

# A TCP proxy, one process: killing it cuts every connection through it at once.
PROXY = """
import asyncio, sys
async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()
async def serve(reader, writer):
    try:
        up_reader, up_writer = await asyncio.open_connection(sys.argv[2], int(sys.argv[3]))
    except OSError:
        writer.close()
        return
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]), reuse_address=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


class DegradedStack(FaultStack):
    def __init__(self, var_dir: Path, database_url: str) -> None:
        upstream = urlparse(database_url)
        self.upstream = (upstream.hostname or "127.0.0.1", upstream.port or 5432)
        self.proxy_port = free_port()
        proxied = upstream._replace(netloc=f"{upstream.username or 'postgres'}@127.0.0.1:{self.proxy_port}")
        super().__init__(var_dir, urlunparse(proxied))
        self.env["DCMS_FEED_SYNC_SECONDS"] = "60"
        self.proxy: subprocess.Popen[bytes] | None = None
        self.log = var_dir / "subgraphs.log"

    def start_proxy(self) -> None:
        host, port = self.upstream
        self.proxy = subprocess.Popen([sys.executable, "-c", PROXY, str(self.proxy_port), host, str(port)])
        deadline = time.monotonic() + 10
        while not services.reachable(f"postgresql://127.0.0.1:{self.proxy_port}/x"):
            if time.monotonic() > deadline:
                raise RuntimeError("the proxy did not start")
            time.sleep(0.05)

    def start_subgraphs(self) -> None:
        command = [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.subgraphs = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.subgraphs)

    def start(self, customers: int) -> None:
        self.start_proxy()
        super().start(customers)

    def stop(self) -> None:
        super().stop()
        self.kill(self.proxy)

    def lines(self, text: str) -> list[str]:
        return [line for line in self.log.read_text(errors="replace").splitlines() if text in line]


@pytest.fixture(scope="module")
def degraded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DegradedStack]:
    var_dir = tmp_path_factory.mktemp("degraded")
    with running(
        lambda database_url: DegradedStack(var_dir, database_url), "dcms_degraded", customers=5
    ) as stack:
        yield stack


async def _gql(stack: FaultStack, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            stack.gateway_url, json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code < 500, response.text
    return dict(response.json())


def _codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]


def _assert_unavailable(stack: DegradedStack, body: dict[str, Any], what: str) -> None:
    assert _codes(body) and set(_codes(body)) == {"SERVICE_UNAVAILABLE"}, body
    for error in body["errors"]:
        message = error["message"]
        assert what in message and "audit" not in message, message
        assert "127.0.0.1" not in message and str(stack.redis_port) not in message, message
        assert str(stack.proxy_port) not in message and "Error 111" not in message, message


async def _until(condition: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(0.1)


async def test_with_redis_down_reads_work_and_sessions_answer_service_unavailable(
    degraded: DegradedStack,
) -> None:
    token = degraded.token()
    assert not _codes(await _gql(degraded, READ, token))
    degraded.kill(degraded.redis)
    try:
        for _ in range(5):  # reads go on, each checked against this process's revocations
            body = await _gql(degraded, READ, token)
            assert not _codes(body), body
            assert "alerts" in body["data"]
        _assert_unavailable(degraded, await _gql(degraded, LOGIN), "Redis")
        _assert_unavailable(degraded, await _gql(degraded, LOGOUT, token), "Redis")
        await _until(lambda: degraded.lines("Redis unavailable"), 5, "Redis outage logged")
        assert len(degraded.lines("Redis unavailable")) == 1, degraded.lines("Redis unavailable")
        assert not degraded.lines("Error 111"), degraded.lines("Error 111")[:3]
    finally:
        degraded.start_redis()
    assert not _codes(await _gql(degraded, READ, token))  # the revocation check reaches Redis again
    await _until(lambda: degraded.lines("Redis recovered"), 10, "Redis recovery logged")
    assert len(degraded.lines("Redis recovered")) == 1


async def test_with_postgresql_down_everything_answers_service_unavailable_and_logs_once(
    degraded: DegradedStack,
) -> None:
    token = degraded.token()
    assert not _codes(await _gql(degraded, READ, token))
    tracebacks = len(degraded.lines("Traceback"))
    degraded.kill(degraded.proxy)
    try:
        for attempt in range(10):
            _assert_unavailable(degraded, await _gql(degraded, READ, token), "database")
            hall = "00000000-0000-0000-0000-000000000000"
            body = await _gql(
                degraded, RAISE, token, i={"orgId": hall, "level": "INFO", "title": f"t{attempt}"}
            )
            _assert_unavailable(degraded, body, "database")
        await asyncio.sleep(3)  # the relay and the feeds meet the outage too, every second
        assert len(degraded.lines("database unavailable")) == 1, degraded.lines("database unavailable")
        assert len(degraded.lines("Traceback")) == tracebacks, degraded.log.read_text()[-4000:]
    finally:
        degraded.start_proxy()
    await _until(lambda: degraded.lines("database recovered"), 10, "database recovery logged")
    await _until(lambda: not _codes(_sync_gql(degraded, READ, token)), 10, "reads work again")


def _sync_gql(stack: FaultStack, query: str, token: str) -> dict[str, Any]:
    response = httpx.post(
        stack.gateway_url, json={"query": query}, headers={"authorization": f"Bearer {token}"}
    )
    return dict(response.json())
