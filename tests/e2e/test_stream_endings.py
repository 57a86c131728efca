"""A subscription its client ends through the gateway ends at the subgraph at once, over each
transport: a graphql-transport-ws ``complete``, the client closing its WebSocket, and an SSE
client dropping its HTTP stream.

Before the fix the gateway's upstream wrapper (gateway/upstream.ts) queued the upstream
``complete`` behind the pending wait for the next event, so an ended subscription stayed open
at the subgraph, counted against the user's cap (tests/support/stack.py TEST_STREAMS: 5), until an
event the subscriber may see came by (the sixth subscribe in a row was refused RATE_LIMITED);
each test here then failed at its first cycle, the count at the subgraph never back to 0.
Each test runs 200 cycles with one user, as the issue asks, waiting for each subscription to be
open upstream (the subgraphs' /healthz ``subscriptions``) before ending it, then for 0 open
within a deadline; then a 201st subscription must receive a live alert. The test stack's request
rate limit (40 per 5 s per user) counts every subscribe, so the cycles wait out its retryAfter.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from clients.python.dcms_client import data, gql
from testkit.factories import Tenant, make_tenant
from tests.support.stack import Stack
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

CYCLES = 200
RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
ALERTS = "subscription { alerts { eventId alert { title } } }"


class Probe:
    """The subgraphs' open subscriptions, read from /healthz."""

    def __init__(self, stack: Stack) -> None:
        self._url = f"{stack.subgraphs_url}/healthz"
        self._client = httpx.AsyncClient(timeout=5)

    async def open(self) -> int:
        return int((await self._client.get(self._url)).json()["subscriptions"])

    async def until(self, wanted: int, refused: Callable[[], dict[str, Any] | None], what: str) -> None:
        """Until exactly ``wanted`` are open upstream; raises Refused at once on a refusal, fails
        after 10 s."""

        async def met() -> bool:
            refusal = refused()
            if refusal is not None:
                raise Refused(f"{what}: refused {refusal}", refusal)
            return await self.open() == wanted

        met.__name__ = f"{what}: {wanted} open at the subgraph"
        await eventually(met, seconds=10.0, every=0.01)

    async def close(self) -> None:
        await self._client.aclose()


class Refused(Exception):
    def __init__(self, message: str, payload: dict[str, Any]) -> None:
        super().__init__(message)
        self.payload = payload

    def retry_after(self) -> float | None:
        """Seconds to wait when the request rate limit refused it (TEST_LIMITS: 40 per 5 s per
        user; every subscribe counts), None for any other refusal (the cap among them)."""
        for error in self.payload.get("errors") or []:
            extensions = error.get("extensions") or {}
            if extensions.get("code") == "RATE_LIMITED" and "retryAfter" in extensions:
                return float(extensions["retryAfter"])
        return None


class Subscription(Protocol):
    def refusal(self) -> dict[str, Any] | None:
        """The first payload if it carries errors (a refused subscription), else None."""

    async def first_alert(self, raise_alert: Callable[[str], Awaitable[None]]) -> dict[str, Any]: ...

    async def end(self) -> None: ...


def _errors_of(payloads: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((p for p in payloads if p.get("errors")), None)


async def _first_alert(
    payloads: list[dict[str, Any]], raise_alert: Callable[[str], Awaitable[None]]
) -> dict[str, Any]:
    """Raise probe alerts until one arrives on the subscription (it is then live)."""
    for attempt in range(20):
        await raise_alert(f"第{attempt}条")
        with contextlib.suppress(AssertionError):
            await eventually(lambda: bool(payloads), seconds=0.5, every=0.02)
        if payloads:
            assert not payloads[0].get("errors"), payloads[0]
            return payloads[0]["data"]["alerts"]
    raise AssertionError("no alert arrived: the subscription never went live")


class WsSubscription:
    """One subscription on a graphql-transport-ws socket, read in the background."""

    def __init__(self, ws: Any, op_id: str, close_socket: bool) -> None:
        self.ws = ws
        self.op_id = op_id
        self._close_socket = close_socket
        self.payloads: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, stack: Stack, token: str) -> Any:
        ws = await websockets.connect(stack.gateway_ws, subprotocols=[Subprotocol("graphql-transport-ws")])
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        return ws

    async def start(self) -> None:
        payload = {"query": ALERTS, "variables": {}}
        await self.ws.send(json.dumps({"id": self.op_id, "type": "subscribe", "payload": payload}))

    def deliver(self, message: dict[str, Any]) -> None:
        if message["type"] == "next":
            self.payloads.append(message["payload"])
        elif message["type"] == "error":
            self.payloads.append({"errors": message["payload"]})

    def refusal(self) -> dict[str, Any] | None:
        return _errors_of(self.payloads)

    async def first_alert(self, raise_alert: Callable[[str], Awaitable[None]]) -> dict[str, Any]:
        return await _first_alert(self.payloads, raise_alert)

    async def end(self) -> None:
        if self._close_socket:
            await self.ws.close()
        else:
            await self.ws.send(json.dumps({"id": self.op_id, "type": "complete"}))


async def _read(ws: Any, subscriptions: dict[str, WsSubscription]) -> None:
    """Route a socket's messages to its subscriptions; pings are answered."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message.get("id") in subscriptions:
                subscriptions[message["id"]].deliver(message)


class OneSocket:
    """Every subscription on one socket, each ended with a ``complete`` message."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.stack, self.token = stack, token
        self.subscriptions: dict[str, WsSubscription] = {}
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None

    async def subscribe(self, key: str) -> Subscription:
        if self.ws is None:
            self.ws = await WsSubscription.connect(self.stack, self.token)
            self.reader = asyncio.create_task(_read(self.ws, self.subscriptions))
        subscription = self.subscriptions[key] = WsSubscription(self.ws, key, close_socket=False)
        await subscription.start()
        return subscription

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader


class SocketEach:
    """A socket per subscription, ended by closing the socket."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.stack, self.token = stack, token
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []

    async def subscribe(self, key: str) -> Subscription:
        ws = await WsSubscription.connect(self.stack, self.token)
        self.sockets.append(ws)
        subscription = WsSubscription(ws, "1", close_socket=True)
        self.readers.append(asyncio.create_task(_read(ws, {"1": subscription})))
        await subscription.start()
        return subscription

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets))  # a no-op on those already closed
        await asyncio.gather(*self.readers)


class SseSubscription:
    """One subscription over Server-Sent Events, ended by dropping the HTTP stream."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.payloads: list[dict[str, Any]] = []
        self._stack, self._token = stack, token
        self._status: int | None = None
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        headers = {"authorization": f"Bearer {self._token}", "accept": "text/event-stream"}
        async with httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client:
            body = {"query": ALERTS, "variables": {}}
            async with client.stream("POST", self._stack.gateway_url, json=body, headers=headers) as response:
                self._status = response.status_code
                if response.status_code != 200:
                    self.payloads.append({"errors": [{"status": response.status_code}]})
                    return
                event = None
                async for line in response.aiter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "next":
                        self.payloads.append(json.loads(line.split(":", 1)[1]))

    def refusal(self) -> dict[str, Any] | None:
        if self._task.done() and self._task.exception() is not None:
            return {"errors": [repr(self._task.exception())]}
        return _errors_of(self.payloads)

    async def first_alert(self, raise_alert: Callable[[str], Awaitable[None]]) -> dict[str, Any]:
        return await _first_alert(self.payloads, raise_alert)

    async def end(self) -> None:
        self._task.cancel()  # leaves the `async with`: the connection is closed, mid-stream
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class SseEach:
    def __init__(self, stack: Stack, token: str) -> None:
        self.stack, self.token = stack, token

    async def subscribe(self, key: str) -> Subscription:
        return SseSubscription(self.stack, self.token)

    async def close(self) -> None:
        pass


class Transport(Protocol):
    async def subscribe(self, key: str) -> Subscription: ...

    async def close(self) -> None: ...


def _raiser(stack: Stack, tenant: Tenant) -> Callable[[str], Awaitable[None]]:
    async def raise_alert(title: str) -> None:
        variables = {"i": {"orgId": str(tenant.hall.id), "level": "INFO", "title": title}}
        for _ in range(10):
            result = await gql(stack.gateway_url, RAISE, variables, tenant.hall_token)
            retry_after = Refused("", result).retry_after()
            if retry_after is None:
                data(result)
                return
            await asyncio.sleep(retry_after)  # the same user's subscribes spent the request budget
        raise AssertionError(f"raiseAlert rate limited 10 times in a row: {result}")

    return raise_alert


async def _open_upstream(transport: Transport, probe: Probe, what: str) -> Subscription:
    """A subscription open at the subgraph. A refusal by the request rate limit is waited out
    (its retryAfter) and the subscribe repeated; any other refusal (the cap) fails the test."""
    for attempt in range(20):
        subscription = await transport.subscribe(f"{what} try {attempt}")
        try:
            await probe.until(1, subscription.refusal, what)
            return subscription
        except Refused as refused:
            retry_after = refused.retry_after()
            if retry_after is None:
                raise AssertionError(str(refused)) from None
            await subscription.end()
            await asyncio.sleep(retry_after)
    raise AssertionError(f"{what}: rate limited 20 times in a row")


async def _cycles_leave_nothing_open(stack: Stack, make: Callable[[Stack, str], Transport]) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    probe = Probe(stack)
    transport = make(stack, tenant.hall_token)
    try:
        await probe.until(0, lambda: None, "before the first cycle")  # earlier tests' streams ended
        for index in range(CYCLES):
            subscription = await _open_upstream(transport, probe, f"cycle {index + 1}")
            await subscription.end()
            await probe.until(0, lambda: None, f"cycle {index + 1}, ended by the client")
        last = await _open_upstream(transport, probe, f"subscription {CYCLES + 1}")
        alert = await last.first_alert(_raiser(stack, tenant))
        assert alert["alert"]["title"].startswith("第")
        await last.end()
        await probe.until(0, lambda: None, "after the last cycle")
    finally:
        await transport.close()
        await probe.close()


async def test_complete_over_graphql_ws_ends_the_upstream_subscription(stack: Stack) -> None:
    await _cycles_leave_nothing_open(stack, OneSocket)


async def test_closing_the_websocket_ends_the_upstream_subscription(stack: Stack) -> None:
    await _cycles_leave_nothing_open(stack, SocketEach)


async def test_dropping_the_sse_stream_ends_the_upstream_subscription(stack: Stack) -> None:
    await _cycles_leave_nothing_open(stack, SseEach)
