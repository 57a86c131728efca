"""A subgraph process stopped with SIGTERM behind the real gateway (subgraphs/health.py): its
WebSockets close with 1012 Service Restart, and the gateway ends each client subscription they
carried, over WebSocket and over SSE, with ``STREAM_INTERRUPTED`` (gateway/upstream.ts), so the
client resubscribes with ``after``, on another replica, and misses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from subgraphs.settings import Settings
from testkit.factories import make_tenant
from tests.support import services
from tests.support.stack import free_port, subprocess_env
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

REMINDERS = "subscription($after: ID) { reminders(after: $after) { eventId } }"


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)


def codes(payload: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in payload.get("errors") or []]


async def read_sse(url: str, token: str, payloads: list[dict[str, Any]]) -> None:
    headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client,
        client.stream("POST", url, json={"query": REMINDERS, "variables": {}}, headers=headers) as response,
    ):
        assert response.status_code == 200
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "next":
                payloads.append(json.loads(line.split(":", 1)[1]))


async def test_sigterm_ends_gateway_subscriptions_with_stream_interrupted(
    database: Settings, tmp_path: Path
) -> None:
    services.require_node()
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    token = tenant.manager_token
    port, gateway_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "subgraphs.cli", "serve", "customers", "--port", str(port)]
    served = start(command, subprocess_env(database), tmp_path / "serve.log")
    gateway = None
    sse: asyncio.Task[None] | None = None
    try:
        supergraph = write_all(tmp_path / "sdl", url_base=base)
        gateway = start_gateway(gateway_port, supergraph, quiet=True, settings=database)
        await asyncio.to_thread(wait_until_up, f"{base}/livez", served)
        await asyncio.to_thread(wait_until_up, f"http://127.0.0.1:{gateway_port}/healthcheck", gateway)
        gateway_url = f"http://127.0.0.1:{gateway_port}/graphql"

        sse_payloads: list[dict[str, Any]] = []
        sse = asyncio.create_task(read_sse(gateway_url, token, sse_payloads))
        ws_url = gateway_url.replace("http://", "ws://")
        async with websockets.connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
            subscribe = {"query": REMINDERS, "variables": {}}
            await ws.send(json.dumps({"id": "r", "type": "subscribe", "payload": subscribe}))

            async def both_open() -> bool:
                async with httpx.AsyncClient(timeout=10) as client:
                    return (await client.get(f"{base}/healthz")).json()["subscriptions"] == 2

            await eventually(both_open, seconds=30)
            os.kill(served.pid, signal.SIGTERM)

            messages: list[dict[str, Any]] = []
            while not messages or messages[-1]["type"] not in ("complete", "error"):
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif message.get("id") == "r":
                    messages.append(message)
            errors = [m["payload"] for m in messages if m["type"] == "next"] + [
                {"errors": m["payload"]} for m in messages if m["type"] == "error"
            ]
            assert any("STREAM_INTERRUPTED" in codes(payload) for payload in errors), messages

        await asyncio.wait_for(sse, 30)  # the SSE stream ends too, after the same error
        assert any("STREAM_INTERRUPTED" in codes(payload) for payload in sse_payloads), sse_payloads
        assert await asyncio.to_thread(served.wait, 30) == 0
    finally:
        if sse is not None and not sse.done():
            sse.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sse
        services.stop(gateway, served)
