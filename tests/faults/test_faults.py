"""Fault tests on a stack of their own (real PostgreSQL, a Redis server of their own, the
subgraphs process and the real gateway), each piece killed and restarted mid-stream.

Watchers subscribe to ``alerts`` through the gateway over WebSocket and resubscribe with
``after`` (their last ``eventId``) whenever their stream breaks, as a client should. A publisher
raises numbered alerts throughout. Afterwards every watcher must hold every alert whose
``raiseAlert`` succeeded, once, in the order raised (an alert whose answer was lost with a
killed process may have committed: it may arrive, and then also once, in order).

Run in the PostgreSQL + Redis pass only (``-m faults``; the embedded pass deselects them).
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.support.faults import FaultStack, running

pytestmark = pytest.mark.faults

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
ALERTS = "subscription($after: ID) { alerts(after: $after) { eventId alert { title } } }"


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    var_dir = tmp_path_factory.mktemp("faults")
    with running(
        lambda database_url: FaultStack(var_dir, database_url), "dcms_faults", customers=20
    ) as stack:
        yield stack


@dataclass
class Watcher:
    """A client that keeps one ``alerts`` subscription open, resuming with its last eventId."""

    url: str
    token: str
    titles: list[str] = field(default_factory=list)
    after: str | None = None
    subscriptions: int = 0  # how many times it (re)subscribed
    breaks: list[str] = field(default_factory=list)  # why its stream broke, for a failure message

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._stream(stop)
            except (OSError, websockets.WebSocketException, TimeoutError) as error:
                self.breaks.append(repr(error))
            await asyncio.sleep(0.2)

    async def _stream(self, stop: asyncio.Event) -> None:
        async with websockets.connect(self.url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}})
            )
            if json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] != "connection_ack":
                return
            payload = {"query": ALERTS, "variables": {"after": self.after}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            self.subscriptions += 1
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except TimeoutError:
                    continue
                if message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif message["type"] != "next" or message["payload"].get("errors"):
                    self.breaks.append(str(message)[:300])
                    return  # complete, or an error (the upstream went away): resubscribe
                else:
                    event = message["payload"]["data"]["alerts"]
                    self.titles.append(event["alert"]["title"])
                    self.after = event["eventId"]


@dataclass
class Publisher:
    url: str
    token: str
    org_id: str
    prefix: str
    succeeded: list[str] = field(default_factory=list)
    attempted: list[str] = field(default_factory=list)

    async def raise_alert(self, client: httpx.AsyncClient, title: str) -> bool:
        body = {"query": RAISE, "variables": {"i": {"orgId": self.org_id, "level": "INFO", "title": title}}}
        try:
            response = await client.post(
                self.url, json=body, headers={"authorization": f"Bearer {self.token}"}
            )
            return response.status_code == 200 and not response.json().get("errors")
        except httpx.HTTPError:
            return False

    async def run(self, stop: asyncio.Event, interval: float = 0.05) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while not stop.is_set():
                title = f"{self.prefix}#{len(self.attempted):05d}"
                self.attempted.append(title)
                if await self.raise_alert(client, title):
                    self.succeeded.append(title)
                await asyncio.sleep(interval)


async def _org_id(stack: FaultStack, token: str) -> str:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            stack.gateway_url,
            json={"query": "{ me { org { id } } }"},
            headers={"authorization": f"Bearer {token}"},
        )
    return response.json()["data"]["me"]["org"]["id"]


async def _all_live(watchers: list[Watcher], publisher: Publisher) -> None:
    """Probe until every watcher has received an alert (its subscription is open upstream)."""
    async with httpx.AsyncClient(timeout=5) as client:
        for attempt in range(100):
            await publisher.raise_alert(client, f"probe-{publisher.prefix}-{attempt}")
            await asyncio.sleep(0.2)
            if all(w.titles for w in watchers):
                return
    silent = [w for w in watchers if not w.titles]
    raise AssertionError(f"{len(silent)} watchers never went live, e.g. {silent[0].breaks[:3]}")


async def _drained(watchers: list[Watcher], publisher: Publisher, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(set(publisher.succeeded) <= set(w.titles) for w in watchers):
            return
        await asyncio.sleep(0.2)


def _check(watchers: list[Watcher], publisher: Publisher) -> None:
    for watcher in watchers:
        mine = [t for t in watcher.titles if t.startswith(publisher.prefix + "#")]
        assert len(mine) == len(set(mine)), "an alert arrived twice"
        assert mine == sorted(mine), "alerts out of order"
        missing = sorted(set(publisher.succeeded) - set(mine))
        assert not missing, (
            f"{len(missing)} of {len(publisher.succeeded)} committed alerts lost: {missing[:5]}"
        )
        assert set(mine) <= set(publisher.attempted)


async def _through_fault(
    stack: FaultStack, fault: Any, watchers_count: int = 5
) -> tuple[list[Watcher], Publisher]:
    token = stack.token()
    publisher = Publisher(stack.gateway_url, token, await _org_id(stack, token), prefix=uuid.uuid4().hex[:8])
    watchers = [Watcher(stack.gateway_ws, token) for _ in range(watchers_count)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in watchers]
    try:
        await _all_live(watchers, publisher)
        done_publishing = asyncio.Event()
        publishing = asyncio.create_task(publisher.run(done_publishing))
        await asyncio.sleep(1.5)
        await asyncio.to_thread(fault)
        recovered_at = len(publisher.attempted)
        await asyncio.sleep(3.0)  # publishing on after the recovery
        done_publishing.set()
        await publishing
        await _drained(watchers, publisher)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert len(set(publisher.succeeded) - set(publisher.attempted[:recovered_at])) > 10  # it recovered
    _check(watchers, publisher)
    return watchers, publisher


async def test_redis_killed_and_restarted_mid_stream_loses_nothing(fault_stack: FaultStack) -> None:
    def fault() -> None:
        fault_stack.kill(fault_stack.redis)
        time.sleep(2.0)
        fault_stack.start_redis()

    watchers, publisher = await _through_fault(fault_stack, fault)
    # raiseAlert needs no Redis (sessions do): nothing failed while it was gone (the outbox keeps
    # the events, the relay publishes them when Redis is back).
    assert publisher.succeeded == publisher.attempted
    assert all(w.subscriptions == 1 for w in watchers)  # nobody had to resubscribe


async def test_subgraphs_killed_and_restarted_clients_resume_and_lose_nothing(
    fault_stack: FaultStack,
) -> None:
    def fault() -> None:
        fault_stack.kill(fault_stack.subgraphs)
        time.sleep(1.0)
        fault_stack.start_subgraphs()

    watchers, _ = await _through_fault(fault_stack, fault)
    # Told, not resubscribed silently by the gateway from "now" (gateway/upstream.ts); then each
    # resumed with its cursor.
    assert all(any("STREAM_INTERRUPTED" in reason for reason in w.breaks) for w in watchers)
    assert all(w.subscriptions > 1 for w in watchers)


async def test_gateway_killed_and_restarted_clients_resume_and_lose_nothing(fault_stack: FaultStack) -> None:
    def fault() -> None:
        fault_stack.kill(fault_stack.gateway)
        time.sleep(1.0)
        fault_stack.start_gateway()

    watchers, _ = await _through_fault(fault_stack, fault)
    assert all(w.subscriptions > 1 for w in watchers)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _upstream_subscriptions(stack: FaultStack) -> int:
    """The subgraphs' open subscriptions (/healthz). Not their WebSockets: the gateway multiplexes a
    token's subscriptions over one socket, which an earlier test's subscriptions may still hold."""
    async with httpx.AsyncClient(timeout=5) as client:
        return int((await client.get(f"http://127.0.0.1:{stack.port}/healthz")).json()["subscriptions"])


FROZEN_CLIENT = """
import json, socket, sys
from websockets.sync.client import connect
raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
ws = connect(sys.argv[2], sock=raw, subprotocols=["graphql-transport-ws"])
ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer " + sys.argv[3]}}))
assert json.loads(ws.recv())["type"] == "connection_ack"
ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": sys.argv[4]}}))
print('subscribed', flush=True)
sys.stdin.read()
"""


async def test_a_client_that_stops_reading_is_dropped_and_memory_stays_bounded(
    fault_stack: FaultStack,
) -> None:
    """A phone gone into a tunnel, played by a client process that subscribes and is then frozen
    (SIGSTOP): it reads nothing and answers no ping. The kernel's send buffer takes the first
    megabytes (Linux caps it, tcp_wmem); then graphql-ws's keep-alive at the gateway (no pong
    within 12 s of a ping) drops the client. The gateway's memory must not follow the backlog."""
    token = fault_stack.token()
    publisher = Publisher(fault_stack.gateway_url, token, await _org_id(fault_stack, token), prefix="slow")
    assert fault_stack.gateway is not None
    args = [str(fault_stack.gateway_port), fault_stack.gateway_ws, token, ALERTS]
    idle = await _upstream_subscriptions(fault_stack)
    client = subprocess.Popen(  # noqa: ASYNC220 (a few ms, before any await matters)
        [sys.executable, "-c", FROZEN_CLIENT, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert client.stdout is not None
        client.stdout.readline()  # subscribed
        await asyncio.sleep(1.0)  # the subscription reaches the subgraph
        assert await _upstream_subscriptions(fault_stack) == idle + 1
        before = _rss_kib(fault_stack.gateway.pid)
        client.send_signal(signal.SIGSTOP)
        started, raised = time.monotonic(), 0
        title = "机房温度过高，请立即处理" * 10
        async with httpx.AsyncClient(timeout=10) as http:
            while time.monotonic() - started < 60 and await _upstream_subscriptions(fault_stack) > idle:
                await asyncio.gather(
                    *(publisher.raise_alert(http, f"{title}{raised + i}") for i in range(20)),
                    # At most 40 events a second: the backlog the keep-alive has to cut stays the
                    # same size however fast this machine publishes (memory follows the rate).
                    asyncio.sleep(0.5),
                )
                raised += 20
        dropped_after = time.monotonic() - started
        grown_kib = _rss_kib(fault_stack.gateway.pid) - before
    finally:
        client.send_signal(signal.SIGCONT)
        client.kill()
        client.wait()
        for pipe in (client.stdin, client.stdout):  # closed here, not left to the garbage collector
            if pipe is not None:
                pipe.close()
    print(
        f"frozen client dropped after {dropped_after:.1f} s and {raised} events; gateway RSS {grown_kib:+d} KiB"
    )
    assert dropped_after < 60, f"still connected after {raised} events"
    assert grown_kib < 64 * 1024


async def test_a_thousand_subscribers_each_see_every_event_exactly_once(fault_stack: FaultStack) -> None:
    token = fault_stack.token()
    publisher = Publisher(
        fault_stack.gateway_url, token, await _org_id(fault_stack, token), prefix=uuid.uuid4().hex[:8]
    )
    watchers = [Watcher(fault_stack.gateway_ws, token) for _ in range(1000)]
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    try:
        for batch in range(0, len(watchers), 100):  # ramp up, 100 connections at a time
            tasks += [asyncio.create_task(w.run(stop)) for w in watchers[batch : batch + 100]]
            await asyncio.sleep(0.5)
        await _all_live(watchers, publisher)
        async with httpx.AsyncClient(timeout=10) as client:
            for i in range(20):
                title = f"{publisher.prefix}#{i:05d}"
                publisher.attempted.append(title)
                if await publisher.raise_alert(client, title):
                    publisher.succeeded.append(title)
        await _drained(watchers, publisher, within=60)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert len(publisher.succeeded) == 20
    _check(watchers, publisher)  # a watcher that had to resubscribe resumed with its cursor


class NatProxy:
    """A TCP relay that drops a connection on which nothing flowed for ``idle_seconds``, as a
    mobile carrier's NAT does."""

    def __init__(self, target_port: int, idle_seconds: float) -> None:
        self.target_port = target_port
        self.idle_seconds = idle_seconds
        self.dropped = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        last = [time.monotonic()]

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            while chunk := await source.read(65536):
                last[0] = time.monotonic()
                sink.write(chunk)
                await sink.drain()

        pumps = [asyncio.create_task(pump(reader, up_writer)), asyncio.create_task(pump(up_reader, writer))]
        while not any(p.done() for p in pumps):
            await asyncio.sleep(0.2)
            if time.monotonic() - last[0] > self.idle_seconds:
                self.dropped += 1
                break
        for task in pumps:
            task.cancel()
        for w in (writer, up_writer):
            w.transport.abort()


async def _quiet_then_one_alert(url: str, token: str, org_id: str, quiet_seconds: float) -> dict[str, Any]:
    """Subscribe through ``url``, stay idle ``quiet_seconds``, then raise an alert: it must arrive."""
    async with websockets.connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], ping_interval=None
    ) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ALERTS}}))
        await asyncio.sleep(quiet_seconds)
        publisher = Publisher(url.replace("ws://", "http://"), token, org_id, prefix="nat")
        async with httpx.AsyncClient(timeout=5) as client:
            assert await publisher.raise_alert(client, "静默之后")
        while True:  # its own alert: the demo's devices raise theirs too (offline once the seed is old)
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if (
                message["type"] == "next"
                and message["payload"]["data"]["alerts"]["alert"]["title"] == "静默之后"
            ):
                return message["payload"]["data"]["alerts"]


async def test_idle_subscriptions_survive_a_nat_that_drops_silent_connections(
    fault_stack: FaultStack,
) -> None:
    """Server pings keep idle lines alive: the subgraphs' (uvicorn, DCMS_WS_PING_SECONDS=1 in this
    stack) under a NAT that drops 3 s of silence, and the gateway's (graphql-ws, every 12 s)
    under one that drops 14 s of silence. The client itself sends nothing."""
    token = fault_stack.token()
    org_id = await _org_id(fault_stack, token)
    subgraph_nat, gateway_nat = NatProxy(fault_stack.port, 3.0), NatProxy(fault_stack.gateway_port, 14.0)
    subgraph_port, gateway_port = await subgraph_nat.start(), await gateway_nat.start()
    try:
        direct, through_gateway = await asyncio.gather(
            _quiet_then_one_alert(f"ws://127.0.0.1:{subgraph_port}/operations/graphql", token, org_id, 6.0),
            _quiet_then_one_alert(f"ws://127.0.0.1:{gateway_port}/graphql", token, org_id, 20.0),
        )
    finally:
        await subgraph_nat.stop()
        await gateway_nat.stop()
    assert direct["alert"]["title"] == through_gateway["alert"]["title"] == "静默之后"
    assert subgraph_nat.dropped == gateway_nat.dropped == 0
