"""A small async GraphQL client for DCMS Graph: HTTP, WebSocket (graphql-transport-ws) and SSE.

Used by the tests and handy in scripts:

    result = await gql("http://127.0.0.1:4000/graphql", "{ me { displayName } }", token=token)
    alerts = "subscription { alerts { eventId alert { title } } }"
    async for payload in subscribe_ws("ws://127.0.0.1:4000/graphql", alerts, token=token):
        ...
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol


def _headers(token: str | None) -> dict[str, str]:
    headers = {"x-request-id": uuid.uuid4().hex}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return headers


async def gql(
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    retries: int = 5,
) -> dict[str, Any]:
    """POST one operation. Refused as OVERLOADED (HTTP 503, nothing ran), it is sent again after
    the ``Retry-After`` seconds, with jitter so refused clients do not all come back at once, up
    to ``retries`` times; then the refusal is the answer."""
    async with httpx.AsyncClient(timeout=30) as client:
        for attempt in range(retries + 1):
            response = await client.post(
                url, json={"query": query, "variables": variables or {}}, headers=_headers(token)
            )
            retry_after = response.headers.get("retry-after")
            if response.status_code != 503 or retry_after is None or attempt == retries:
                break
            await asyncio.sleep(float(retry_after) * (0.5 + random.random()))
    assert response.status_code == 200 or _overloaded(response), response.text
    return response.json()


def _overloaded(response: httpx.Response) -> bool:
    return response.status_code == 503 and "OVERLOADED" in error_codes(response.json())


def data(result: dict[str, Any]) -> dict[str, Any]:
    """The data of a result that must have no errors."""
    assert not result.get("errors"), result.get("errors")
    return result["data"]


def error_codes(result: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in result.get("errors") or []]


async def subscribe_ws(
    ws_url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> AsyncGenerator[dict[str, Any], None]:
    """Yield each ``next`` payload of one subscription over graphql-transport-ws."""
    async with websockets.connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        params = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": params}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
            )
        )
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next":
                yield message["payload"]
            elif message["type"] in ("error", "complete"):
                yield {"errors": message.get("payload") or [{"message": message["type"]}]}
                return


async def subscribe_sse(
    url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> AsyncGenerator[dict[str, Any], None]:
    """Yield each ``next`` payload of one subscription over Server-Sent Events."""
    headers = {**_headers(token), "accept": "text/event-stream"}
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=None)) as client:
        body = {"query": query, "variables": variables or {}}
        async with client.stream("POST", url, json=body, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            event = None
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "next":
                    yield json.loads(line.split(":", 1)[1])
                elif line.startswith("data:") and event == "complete":
                    return
