"""Subscription fan-out benchmark through the gateway: ``python -m loadtest.bench_stream``.

    .venv/bin/python -m loadtest.bench_stream [--subscribers 2000,10000] [--rate 1] [--duration 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m loadtest.bench_stream

Starts a stack of its own like ``loadtest/stack.py`` (``dcms up`` with ``DCMS_VAR_DIR=var/bench-stream``,
gateway on 4200 and subgraphs on 4201; override with ``DCMS_BENCH_VAR_DIR``, ``DCMS_BENCH_GATEWAY_PORT``,
``DCMS_BENCH_PORT``), with the rate limit and the per-user subscription cap off. ``DATABASE_URL`` and
``REDIS_URL`` are passed through, so the same command measures PostgreSQL + Redis. The seeded
``manager``'s tokens (``dcms token``, dev mode) authenticate the connections: ``--per-token``
(default 100) connections share one token, so ceil(N / 100) distinct tokens are minted, as many
distinct users would. The gateway multiplexes the subscriptions of one token (same upstream URL
and connectionParams) over one upstream WebSocket (``--per-token 1000000``: all over one).

For each N in ``--subscribers``, client processes (``--workers``; default one per 2,500 sockets, at
least 2) open N graphql-transport-ws connections to ``ws://127.0.0.1:4200/graphql`` at
``--ramp-rate`` per second, each sending ``connection_init`` with ``{"authorization": "Bearer …"}``
and subscribing to ``alerts { eventId alert { id title level } }``. Then probe alerts are raised once
a second until every subscriber has received one (so no subscription is still being set up
upstream when measuring starts). Then ``raiseAlert`` is sent over HTTP at ``--rate`` per second for
``--duration`` seconds, titled ``bench <step tag> #<seq> @<unix time>``, followed by a drain: until no event
arrived for ``--drain`` seconds, at most ``--max-drain`` seconds. Connections are closed
(``complete`` + close handshake) before the next N; the stack is stopped at the end
(``--restart-stack``: a fresh stack for each N, so that one N's leftovers do not skew the next's
memory figures).

The figures, one column per N:

* settle s — before each N, until gateway + subgraph use under 15 % of a core (an overloaded
  server keeps working off the previous N's backlog after its subscribers left).

* subscribers connected — WebSockets that got ``connection_ack`` and sent ``subscribe``; failed — the
  rest (upgrade refused, timeout, error); ramp s — opening all of them; confirm s — until each
  had received a probe alert (``unconfirmed``: those that never did).
* events published — ``raiseAlert`` calls answered without errors, of those sent (of rate × duration
  planned: sending stops when the duration is over); publish rate —
  published / (first send → last answer); raiseAlert p50 — the mutation's round trip.
* deliveries — ``next`` messages of measured alerts, duplicates included; delivered events/s —
  deliveries / (first send → last delivery).
* latency p50/p95/p99 — receive time minus the send time in the title (one machine, one clock),
  first delivery of each (subscriber, alert) only.
* expected — events × subscribers connected, where events are the alerts answered without errors
  or seen by at least one subscriber (a ``raiseAlert`` that timed out may still have gone out);
  lost — expected minus distinct (subscriber, alert) deliveries by the end of the drain (a
  subscription the server ended loses the rest, and so does a backlog the drain gave up on);
  duplicates — repeated deliveries; dropped — subscriptions the server ended (close, ``error``,
  ``complete``) at any time.
* memory — RSS (``VmRSS``) of the gateway (node, with any children) and of the subgraph process
  (``dcms up``) before opening the connections and once all are confirmed; KiB/conn is the
  growth divided by the connected subscribers.
  "after drain" is once the last event arrived (or ``--max-drain`` ran out): queued backlog;
  "closed" is once the connections are closed and the gateway let go of them: what is retained.
* sockets — gw→subgraph: the gateway's established TCP connections to the subgraph port while all
  subscriptions are open (one upstream WebSocket per token in use, plus HTTP keep-alive ones);
  after close: still established on the gateway port (the publisher's HTTP keep-alives included).
* CPU % — CPU time of the gateway / subgraph process / the whole machine (everything, other
  people's processes included) over the publish + drain wall time (100 = one core); client CPU s —
  user + system time of the client processes, to tell whether they kept up; CPU % after close —
  the 5 s once every connection is closed: work still done for subscribers that are gone.

* baseline — after each N, the same N subscribe to ``loadtest/baseline_stream.py`` (a plain
  graphql-transport-ws server on the same Redis channel; ``--no-baseline`` skips it) and the same
  figures are taken for it ("N=… baseline" column; its process is in the "gateway" rows).
* Goals — per N: p99 against the issue's goal (2,000: 250 ms, 10,000: 1 s, 0 lost), KiB per idle
  subscriber (gateway, subgraphs), gateway RSS before → subscribed → left and its V8 heap after a
  full GC before and after (SIGUSR2, gateway/streams.ts), server CPU ms per delivered event, and
  the stack's, net of publishing (the stack's CPU during the baseline step, per event), as a
  multiple of the baseline's.

Exit code 0 when every step connected subscribers and delivered events to them, 1 when a step
connected none or delivered nothing, 2 when the stack did not come up. A benchmark, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import functools
import json
import math
import multiprocessing
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import psutil
from tqdm import tqdm
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from loadtest import common
from loadtest.common import (
    Stack,
    backend_description,
    cpu_seconds,
    dcms,
    launch,
    machine_busy_seconds,
    percentile,
    run_async,
    stop_stack,
)
from subgraphs.gateway import wait_until_up

GATEWAY_PORT = int(os.environ.get("DCMS_BENCH_GATEWAY_PORT", "4200"))
SUBGRAPH_PORT = int(os.environ.get("DCMS_BENCH_PORT", "4201"))
VAR_DIR = Path(os.environ.get("DCMS_BENCH_VAR_DIR", "var/bench-stream"))
BASELINE_PORT = int(os.environ.get("DCMS_BENCH_BASELINE_PORT", "4209"))
BASELINE_URL = f"ws://127.0.0.1:{BASELINE_PORT}/"
HTTP_URL = f"http://127.0.0.1:{GATEWAY_PORT}/graphql"
WS_URL = f"ws://127.0.0.1:{GATEWAY_PORT}/graphql"

WS_PROTOCOL = Subprotocol("graphql-transport-ws")
SUBSCRIPTION_ID = "1"
ALERTS = "subscription BenchAlerts { alerts { eventId alert { id title level } } }"
RAISE_ALERT = "mutation Raise($input: RaiseAlertInput!) { raiseAlert(input: $input) { id } }"
MY_ORG = "query MyOrg { me { org { id } } }"

PER_TOKEN = 100  # connections sharing one token by default: one user's many screens
# Measured: at 1-2k deliveries/s a client process uses well under a core (see "client CPU s");
# more processes spread the ramp's handshakes over both cores and keep each event loop short.
SOCKETS_PER_WORKER = 2500
STATUS_INTERVAL = 0.25  # seconds between a worker's status reports
PUBLISH_CONCURRENCY = 64  # raiseAlert requests in flight at most
IDLE_SAMPLE_S = 5.0  # CPU sampled this long once a step's connections are closed
IDLE_CPU_SHARE = 0.15  # gateway + subgraph below 15 % of a core: the stack is idle


# -- shared ------------------------------------------------------------------------------------------


def raise_fd_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (children inherit it); returns the new limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def listen(conn: Connection, loop: asyncio.AbstractEventLoop, handler: Callable[[Any], None]) -> None:
    """Read ``conn`` in a thread and hand each message to ``handler`` on ``loop`` (None at the end).

    Not ``loop.add_reader``: the loop makes the pipe non-blocking, and a message larger than the
    pipe's buffer (the latencies of a worker) then fails half read."""

    def read() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = None
            try:
                loop.call_soon_threadsafe(handler, message)
            except RuntimeError:  # the loop is closed
                return
            if message is None:
                return

    threading.Thread(target=read, daemon=True).start()


def title_pattern(tag: str) -> re.Pattern[str]:
    """Titles of one step's alerts: ``bench <tag> #<seq> @<time>`` and ``bench <tag> probe @<time>``.
    Alerts of other steps (raised late by a server that fell behind) do not match."""
    return re.compile(rf"bench {re.escape(tag)} (?:#(\d+)|probe) @(\d+\.\d+)")


def short_error(error: BaseException | str) -> str:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text.replace("\n", " ")[:160]


# -- client worker (one process per --workers) -------------------------------------------------------


@dataclass(frozen=True)
class WorkerConfig:
    index: int
    count: int  # connections this worker opens
    ramp_rate: float  # connections per second, this worker's share
    tokens: tuple[str, ...]
    first_index: int  # this worker's connection i is connection first_index + i of the step
    per_token: int  # connection k uses tokens[k // per_token]
    subscription: str  # the GraphQL document each connection subscribes with
    tag: str  # this step's alert titles start with "bench <tag> "
    handshake_timeout: float
    max_inflight: int  # handshakes in progress at most
    url: str = ""  # the WebSocket endpoint: the gateway's, or the baseline's


@dataclass
class WorkerStats:
    connected: int = 0
    failed: int = 0
    deliveries: int = 0
    duplicates: int = 0
    foreign: int = 0  # alerts not of this step (an earlier step's, late; or raised by others)
    last_delivery: float = 0.0  # unix time
    latencies_ms: array[float] = field(default_factory=lambda: array("f"))
    errors: Counter[str] = field(default_factory=Counter)


class Subscriber:
    """One WebSocket with one ``alerts`` subscription; counts what arrives per sequence number."""

    __slots__ = ("closing", "confirmed", "counts", "ended", "stats", "titles", "ws")

    def __init__(self, ws: ClientConnection, stats: WorkerStats, titles: re.Pattern[str]) -> None:
        self.ws = ws
        self.stats = stats
        self.titles = titles  # this step's alert titles: (seq or None for a probe, send time)
        self.counts = bytearray()  # deliveries of alert #seq, saturating at 255
        self.confirmed = False  # received a probe (or a measured alert)
        self.ended: str | None = None  # why the server ended the subscription
        self.closing = False

    async def receive(self) -> None:
        try:
            async for raw in self.ws:
                now = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "next":
                    self.on_next(message.get("payload") or {}, str(raw), now)
                elif kind == "ping":
                    await self.ws.send('{"type":"pong"}')
                elif kind in ("error", "complete"):
                    self.end(f"{kind}: {json.dumps(message.get('payload'), ensure_ascii=False)}")
                    return
        except ConnectionClosed as exc:
            if not self.closing:
                self.end(f"closed by server: {exc}")

    def on_next(self, payload: dict[str, Any], raw: str, now: float) -> None:
        if payload.get("errors"):
            self.stats.errors[short_error(f"next with errors: {payload['errors']}")] += 1
            return
        match = self.titles.search(raw)  # the title, wherever the schema puts the alert
        if match is None:
            self.stats.foreign += 1
            return
        self.confirmed = True
        if match[1] is None:  # a probe
            return
        seq, sent = int(match[1]), float(match[2])
        if seq >= len(self.counts):
            self.counts.extend(bytes(seq + 1 - len(self.counts) + 64))
        stats = self.stats
        stats.deliveries += 1
        stats.last_delivery = now
        if self.counts[seq]:
            stats.duplicates += 1
            self.counts[seq] = min(255, self.counts[seq] + 1)
        else:
            self.counts[seq] = 1
            stats.latencies_ms.append((now - sent) * 1000)

    def end(self, reason: str) -> None:
        self.ended = reason
        self.stats.errors[short_error(reason)] += 1

    async def close(self) -> None:
        self.closing = True
        try:
            await self.ws.send(json.dumps({"id": SUBSCRIPTION_ID, "type": "complete"}))
            await self.ws.close()
        except Exception:
            pass


async def open_subscription(url: str, token: str, subscription: str, limit_s: float) -> ClientConnection:
    """Upgrade, ``connection_init`` → ``connection_ack``, ``subscribe``; the receiver runs on."""
    ws = await connect(
        url,
        subprotocols=[WS_PROTOCOL],
        open_timeout=limit_s,
        ping_interval=None,  # the protocol has its own ping; a slow server must not trip ours
        close_timeout=5,
        compression=None,
        proxy=None,
    )
    try:
        if ws.subprotocol != WS_PROTOCOL:
            raise RuntimeError(f"server chose subprotocol {ws.subprotocol!r}")
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        async with asyncio.timeout(limit_s):
            while (message := json.loads(await ws.recv())).get("type") != "connection_ack":
                if message.get("type") != "ping":
                    raise RuntimeError(f"expected connection_ack, got {str(message)[:200]}")
                await ws.send('{"type":"pong"}')
        subscribe = {"id": SUBSCRIPTION_ID, "type": "subscribe", "payload": {"query": subscription}}
        await ws.send(json.dumps(subscribe))
    except BaseException:
        await ws.close()
        raise
    return ws


class Worker:
    """A client process: opens its share of the connections, reports status, and on ``finish``
    counts what arrived, closes everything and reports the result."""

    def __init__(self, config: WorkerConfig, conn: Connection) -> None:
        self.config = config
        self.conn = conn
        self.stats = WorkerStats()
        self.titles = title_pattern(config.tag)
        self.subscribers: list[Subscriber] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.finish = asyncio.Event()

    def send(self, kind: str, **data: Any) -> None:
        self.conn.send((kind, self.config.index, data))

    def status(self) -> dict[str, int]:
        return {
            "connected": self.stats.connected,
            "failed": self.stats.failed,
            "confirmed": sum(1 for s in self.subscribers if s.confirmed and s.ended is None),
            "ended": sum(1 for s in self.subscribers if s.ended is not None),
            "deliveries": self.stats.deliveries,
        }

    def on_command(self, message: tuple[str, Any] | None) -> None:
        if message is None or message[0] == "finish":  # None: the benchmark went away
            self.finish.set()

    async def run(self) -> None:
        listen(self.conn, asyncio.get_running_loop(), self.on_command)
        reporter = asyncio.create_task(self.report_status())
        await self.ramp()
        self.send("ramped", **self.status())
        await self.finish.wait()
        reporter.cancel()
        self.send("result", **self.result())
        started = time.monotonic()
        await self.close_all()
        self.send("closed", seconds=time.monotonic() - started)

    async def report_status(self) -> None:
        while True:
            self.send("status", **self.status())
            await asyncio.sleep(STATUS_INTERVAL)

    async def ramp(self) -> None:
        config = self.config
        slots = asyncio.Semaphore(config.max_inflight)
        loop = asyncio.get_running_loop()
        started = loop.time()
        openers = []
        for i in range(config.count):
            delay = started + i / config.ramp_rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await slots.acquire()
            token = config.tokens[(config.first_index + i) // config.per_token % len(config.tokens)]
            openers.append(asyncio.create_task(self.open_one(token, slots)))
        await asyncio.gather(*openers)

    async def open_one(self, token: str, slots: asyncio.Semaphore) -> None:
        try:
            ws = await open_subscription(
                self.config.url or WS_URL, token, self.config.subscription, self.config.handshake_timeout
            )
        except Exception as exc:
            self.stats.failed += 1
            self.stats.errors[short_error(exc)] += 1
            return
        finally:
            slots.release()
        self.stats.connected += 1
        subscriber = Subscriber(ws, self.stats, self.titles)
        self.subscribers.append(subscriber)
        task = asyncio.create_task(subscriber.receive())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def result(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "receivers": self.receivers().tobytes(),
            "dropped": sum(1 for s in self.subscribers if s.ended is not None),
            "deliveries": stats.deliveries,
            "duplicates": stats.duplicates,
            "foreign": stats.foreign,
            "last_delivery": stats.last_delivery,
            "latencies_ms": stats.latencies_ms.tobytes(),
            "errors": dict(stats.errors),
            "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
        }

    def receivers(self) -> array[int]:
        """Per sequence number, how many of this worker's subscribers received it."""
        per_seq: array[int] = array("I", bytes(4 * max((len(s.counts) for s in self.subscribers), default=0)))
        for subscriber in self.subscribers:
            for seq, count in enumerate(subscriber.counts):
                if count:
                    per_seq[seq] += 1
        return per_seq

    async def close_all(self) -> None:
        slots = asyncio.Semaphore(500)

        async def close(subscriber: Subscriber) -> None:
            async with slots:
                await subscriber.close()

        await asyncio.gather(*(close(s) for s in self.subscribers))
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def worker_main(config: WorkerConfig, conn: Connection) -> None:
    """Entry point of a client process (multiprocessing, spawn)."""
    raise_fd_limit()
    run_async(Worker(config, conn).run())
    conn.close()


# -- the stack ---------------------------------------------------------------------------------------


def stack_env() -> dict[str, str]:
    # --expose-gc: the gateway's memory report (SIGUSR2, gateway/streams.ts) follows a full GC
    return common.stack_env(
        VAR_DIR, SUBGRAPH_PORT, GATEWAY_PORT, DCMS_MAX_SUBSCRIPTIONS_PER_USER="0", NODE_OPTIONS="--expose-gc"
    )


def start_stack(customers: int) -> Stack:
    return launch(stack_env(), customers)


async def gateway_heap_mib(stack: Stack) -> float:
    """V8 heap in use (MiB) of the gateway's processes after a full GC: each writes it to its log
    on SIGUSR2 (gateway/streams.ts). NaN when no report came."""
    log = VAR_DIR / "log" / "gateway.log"
    pids = stack.gateway_pids()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGUSR2)
    await asyncio.sleep(2.0)
    text = log.read_text(errors="replace") if log.exists() else ""
    total, seen = 0.0, 0
    for pid in pids:
        reports = re.findall(rf"memory pid={pid} \S+ rss_mib=\S+ heap_used_mib=([0-9.]+)", text)
        if reports:
            total, seen = total + float(reports[-1]), seen + 1
    return total if seen else float("nan")


def subgraph_pids(stack: Stack) -> list[int]:
    """``dcms up`` and its children but the gateway's: every subgraph worker process."""
    gateway = set(stack.gateway_pids())
    try:
        children = psutil.Process(stack.subgraph_pid()).children(recursive=True)
    except psutil.Error:
        children = []
    return [stack.subgraph_pid(), *(p.pid for p in children if p.pid not in gateway)]


def start_baseline(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """loadtest/baseline_stream.py on BASELINE_PORT, fed by the stack's Redis."""
    redis_url = env.get("REDIS_URL")
    if not redis_url:
        raise RuntimeError("the baseline needs REDIS_URL (the channel the outbox relay publishes on)")
    command = [
        sys.executable,
        "-m",
        "loadtest.baseline_stream",
        "--port",
        str(BASELINE_PORT),
        "--redis-url",
        redis_url,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert process.stdout is not None
    if b"ready" not in process.stdout.readline():
        process.kill()
        raise RuntimeError("baseline_stream did not start")
    return process


def mint_tokens(stack: Stack, count: int) -> tuple[str, ...]:
    """``count`` distinct access tokens of ``manager`` (each ``dcms token`` has its own jti)."""

    def one(_: int) -> str:
        result = subprocess.run(
            dcms("token", "--username", "manager"), env=stack.env, check=True, capture_output=True, text=True
        )
        return result.stdout.strip()

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        progress = tqdm(pool.map(one, range(count)), total=count, desc="tokens", file=sys.stderr)
        return tuple(progress)


def my_org_id(token: str) -> str:
    response = httpx.post(HTTP_URL, json={"query": MY_ORG}, headers=auth_headers(token), timeout=30)
    response.raise_for_status()
    return str(response.json()["data"]["me"]["org"]["id"])


def auth_headers(token: str) -> dict[str, str]:
    # x-request-id: the gateway de-duplicates identical in-flight requests; keep each one distinct.
    return {"Authorization": f"Bearer {token}", "x-request-id": uuid.uuid4().hex}


# -- measurements of the server ----------------------------------------------------------------------


def rss_kib(pids: Sequence[int]) -> int:
    """Sum of VmRSS (KiB) of ``pids``, read from /proc/<pid>/status."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def established_to(pids: Sequence[int], port: int) -> int:
    """Established TCP connections of ``pids`` whose remote port is ``port``."""
    count = 0
    for pid in pids:
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        count += sum(
            1 for c in connections if c.status == psutil.CONN_ESTABLISHED and c.raddr and c.raddr.port == port
        )
    return count


def established_on(pid: int, port: int) -> int:
    """Established TCP connections accepted by ``pid`` on its local ``port``."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return 0
    return sum(1 for c in connections if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


# -- publishing --------------------------------------------------------------------------------------


@dataclass
class Publication:
    planned: int = 0  # rate × duration
    attempted: int = 0
    published: list[int] = field(default_factory=list)  # sequence numbers raised without errors
    round_trips_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    first_sent: float = 0.0  # unix time
    last_answer: float = 0.0


async def raise_alert(client: httpx.AsyncClient, token: str, org_id: str, title: str) -> str | None:
    """``raiseAlert`` through the gateway; None when it succeeded, else the error."""
    variables = {"input": {"orgId": org_id, "level": "WARNING", "title": title, "source": "bench"}}
    body = {"query": RAISE_ALERT, "variables": variables, "operationName": "Raise"}
    try:
        response = await client.post(HTTP_URL, json=body, headers=auth_headers(token))
    except httpx.HTTPError as exc:
        return short_error(exc)
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:120]}"
    errors = response.json().get("errors")
    return short_error(str(errors)) if errors else None


async def publish(
    client: httpx.AsyncClient, token: str, org_id: str, tag: str, rate: float, duration: float
) -> Publication:
    """Alerts #0, #1, … at ``rate`` per second for ``duration`` seconds, each titled with its send time;
    at most PUBLISH_CONCURRENCY unanswered, so a slow server gets fewer than rate × duration."""
    result = Publication()
    slots = asyncio.Semaphore(PUBLISH_CONCURRENCY)
    loop = asyncio.get_running_loop()
    total = result.planned = max(1, round(rate * duration))
    started = loop.time()

    async def send(seq: int) -> None:
        try:
            sent = time.time()
            error = await raise_alert(client, token, org_id, f"bench {tag} #{seq} @{sent:.6f}")
            result.last_answer = time.time()
            result.round_trips_ms.append((result.last_answer - sent) * 1000)
            if error is None:
                result.published.append(seq)
            else:
                result.errors[error] += 1
        finally:
            slots.release()

    senders = []
    for seq in range(total):
        delay = started + seq / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()  # a slow server lowers the achieved rate rather than piling up requests
        if loop.time() - started >= duration:  # out of time: what was not sent is not sent
            slots.release()
            break
        if seq == 0:
            result.first_sent = time.time()
        result.attempted += 1
        senders.append(asyncio.create_task(send(seq)))
    await asyncio.gather(*senders)
    return result


# -- one step (one N) --------------------------------------------------------------------------------


@dataclass
class WorkerHandle:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    status: dict[str, int] = field(default_factory=dict)
    ramped: bool = False
    result: dict[str, Any] | None = None
    closed: dict[str, Any] | None = None


@dataclass
class StepResult:
    requested: int
    workers: int
    connected: int = 0
    failed: int = 0
    settle_s: float = 0.0  # waiting for an idle stack before this step
    ramp_s: float = 0.0
    confirm_s: float = 0.0
    unconfirmed: int = 0
    publication: Publication = field(default_factory=Publication)
    deliveries: int = 0
    receivers: list[int] = field(default_factory=list)  # per sequence number, over all workers
    duplicates: int = 0
    foreign: int = 0
    dropped: int = 0
    last_delivery: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    drain_s: float = 0.0
    close_s: float = 0.0
    gateway_rss: tuple[int, int] = (0, 0)  # KiB before, after
    subgraph_rss: tuple[int, int] = (0, 0)
    upstream_sockets: int = 0
    gateway_rss_drained: int = 0  # KiB
    subgraph_rss_drained: int = 0
    gateway_rss_closed: int = 0
    subgraph_rss_closed: int = 0
    gateway_heap_mib: tuple[float, float] = (float("nan"), float("nan"))  # V8 heap after GC: before, left
    still_arriving: bool = False  # deliveries were still coming when the drain gave up
    client_cpu_s: float = 0.0
    gateway_cpu_s: float = 0.0  # while publishing and draining
    subgraph_cpu_s: float = 0.0
    busy_s: float = 0.0  # wall time of publishing and draining
    machine_cpu_s: float = 0.0  # every process on the machine, same window
    gateway_idle_cpu_s: float = 0.0  # over IDLE_SAMPLE_S once every connection is closed
    subgraph_idle_cpu_s: float = 0.0
    gateway_sockets_after_close: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    baseline: bool = False  # a step against loadtest/baseline_stream.py (its CPU is "gateway")
    stack_cpu_s: float = 0.0  # gateway + subgraphs while publishing and draining, whatever the step

    def cpu_ms_per_delivery(self) -> float:
        """Server CPU (gateway + subgraphs, or the baseline) per delivered event."""
        cpu = self.gateway_cpu_s + (0.0 if self.baseline else self.subgraph_cpu_s)
        return cpu / self.deliveries * 1000 if self.deliveries else float("nan")

    @property
    def events(self) -> set[int]:
        """Alerts certainly raised: answered without errors, or seen by some subscriber (a
        ``raiseAlert`` that timed out at the client may still have committed and gone out)."""
        return set(self.publication.published) | {seq for seq, count in enumerate(self.receivers) if count}

    @property
    def expected(self) -> int:
        return len(self.events) * self.connected

    @property
    def lost(self) -> int:
        return self.expected - sum(self.receivers)


class Step:
    """Runs the benchmark for one N against a running stack."""

    def __init__(
        self,
        args: argparse.Namespace,
        stack: Stack,
        tokens: tuple[str, ...],
        org_id: str,
        n: int,
        baseline: subprocess.Popen[bytes] | None = None,
    ):
        self.args = args
        self.stack = stack
        self.tokens = tokens
        self.org_id = org_id
        self.baseline = baseline
        self.url = BASELINE_URL if baseline is not None else WS_URL
        self.workers_count = args.workers or max(2, math.ceil(n / SOCKETS_PER_WORKER))
        self.result = StepResult(requested=n, workers=self.workers_count, baseline=baseline is not None)
        self.handles: list[WorkerHandle] = []
        self.tag = f"n{n}-{uuid.uuid4().hex[:6]}"  # tells this step's alerts from late ones of others

    # -- workers --

    def spawn_workers(self) -> None:
        context = multiprocessing.get_context("spawn")
        n, count = self.result.requested, self.workers_count
        shares = [n // count + (1 if i < n % count else 0) for i in range(count)]
        first = 0
        for index, share in enumerate(shares):
            parent, child = context.Pipe()
            config = WorkerConfig(
                index=index,
                count=share,
                ramp_rate=self.args.ramp_rate / count,
                tokens=self.tokens,
                first_index=first,
                per_token=self.args.per_token,
                subscription=self.args.subscription,
                tag=self.tag,
                handshake_timeout=self.args.handshake_timeout,
                max_inflight=max(1, self.args.max_inflight // count),
                url=self.url,
            )
            first += share
            process = context.Process(target=worker_main, args=(config, child), daemon=True)
            process.start()
            child.close()
            self.handles.append(WorkerHandle(process, parent))
        loop = asyncio.get_running_loop()
        for handle in self.handles:
            listen(handle.conn, loop, functools.partial(self.on_message, handle))

    @staticmethod
    def on_message(handle: WorkerHandle, message: tuple[str, int, dict[str, Any]] | None) -> None:
        if message is None:  # the process ended
            handle.ramped = True
            handle.closed = handle.closed or {"seconds": 0.0, "died": True}
            return
        kind, _, data = message
        if kind == "status":
            handle.status = data
        elif kind == "ramped":
            handle.status, handle.ramped = data, True
        elif kind == "result":
            handle.result = data
        elif kind == "closed":
            handle.closed = data

    def total(self, key: str) -> int:
        return sum(handle.status.get(key, 0) for handle in self.handles)

    def tell(self, kind: str, data: Any = None) -> None:
        for handle in self.handles:
            handle.conn.send((kind, data))

    async def until(self, condition: Callable[[], bool], within: float, tick: float = 0.1) -> bool:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline or not any(h.process.is_alive() for h in self.handles):
                return condition()
            await asyncio.sleep(tick)
        return True

    # -- phases --

    async def ramp(self) -> None:
        n = self.result.requested
        started = time.monotonic()
        with tqdm(
            total=n,
            desc=f"N={n}{' baseline' if self.baseline else ''} subscribing",
            unit="conn",
            file=sys.stderr,
        ) as bar:

            def done() -> bool:
                bar.update(self.total("connected") + self.total("failed") - bar.n)
                bar.set_postfix(failed=self.total("failed"), refresh=False)
                return all(handle.ramped for handle in self.handles)

            await self.until(done, within=n / self.args.ramp_rate + self.args.handshake_timeout + 60)
        self.result.ramp_s = time.monotonic() - started
        self.result.connected, self.result.failed = self.total("connected"), self.total("failed")

    async def confirm(self, client: httpx.AsyncClient) -> None:
        """Probe alerts once a second until every open subscription has received one."""
        started = time.monotonic()
        deadline = started + self.args.confirm_timeout
        target = lambda: self.total("connected") - self.total("ended")  # noqa: E731
        probes: set[asyncio.Task[None]] = set()

        async def probe() -> None:
            title = f"bench {self.tag} probe @{time.time():.6f}"
            if error := await raise_alert(client, self.tokens[0], self.org_id, title):
                self.result.errors[f"probe: {error}"] += 1

        with tqdm(total=target(), desc=f"N={self.result.requested} confirming", file=sys.stderr) as bar:
            while time.monotonic() < deadline:
                if len(probes) < 3:  # one a second, whether or not the last was answered yet
                    task = asyncio.create_task(probe())
                    probes.add(task)
                    task.add_done_callback(probes.discard)
                bar.total = target()
                if await self.until(lambda: self.total("confirmed") >= target(), within=1.0):
                    break
                bar.update(self.total("confirmed") - bar.n)
            bar.update(self.total("confirmed") - bar.n)
        self.result.confirm_s = time.monotonic() - started
        for task in probes:
            task.cancel()
        self.result.unconfirmed = target() - self.total("confirmed")

    async def drain(self) -> None:
        """Until no event arrived for --drain seconds, or --max-drain seconds in all."""
        started = quiet_since = time.monotonic()
        previous = self.total("deliveries")
        while (now := time.monotonic()) - quiet_since < self.args.drain:
            if now - started >= self.args.max_drain:
                self.result.still_arriving = True
                break
            await asyncio.sleep(0.5)
            if (current := self.total("deliveries")) != previous:
                previous, quiet_since = current, time.monotonic()
        self.result.drain_s = time.monotonic() - started

    async def finish(self) -> None:
        self.tell("finish")
        await self.until(lambda: all(h.result is not None or h.closed for h in self.handles), within=120)
        started = time.monotonic()
        await self.until(lambda: all(h.closed is not None for h in self.handles), within=120)
        self.result.close_s = time.monotonic() - started
        for handle in self.handles:
            handle.process.join(timeout=10)
            if handle.process.is_alive():
                handle.process.terminate()
            handle.conn.close()
        self.collect()

    def collect(self) -> None:
        result = self.result
        latencies: array[float] = array("f")
        for handle in self.handles:
            data = handle.result
            if data is None:
                result.errors["a client process returned no result"] += 1
                continue
            receivers: array[int] = array("I")
            receivers.frombytes(data["receivers"])
            if len(result.receivers) < len(receivers):
                result.receivers.extend([0] * (len(receivers) - len(result.receivers)))
            for seq, count in enumerate(receivers):
                result.receivers[seq] += count
            result.dropped += data["dropped"]
            result.deliveries += data["deliveries"]
            result.duplicates += data["duplicates"]
            result.foreign += data["foreign"]
            result.last_delivery = max(result.last_delivery, data["last_delivery"])
            latencies.frombytes(data["latencies_ms"])
            result.errors.update(data["errors"])
            result.client_cpu_s += data["cpu_s"]
        result.latencies_ms = sorted(latencies)

    async def wait_server_released(self) -> None:
        """Give the gateway up to 30 s to drop the closed sockets; remember how many it still holds."""
        if self.baseline is not None:
            pid, port = self.baseline.pid, BASELINE_PORT
        else:
            gateway = self.stack.gateway_pids()
            pid, port = (gateway[0] if gateway else 0), GATEWAY_PORT
        await self.until(lambda: established_on(pid, port) <= 2, within=30, tick=1.0)
        self.result.gateway_sockets_after_close = established_on(pid, port)

    async def settle(self, pids: Sequence[int]) -> None:
        """Wait until the stack is idle (an earlier step's backlog worked off), at most --settle-timeout."""
        started = time.monotonic()
        while time.monotonic() - started < self.args.settle_timeout:
            before = cpu_seconds(pids)
            await asyncio.sleep(1.0)
            if cpu_seconds(pids) - before < IDLE_CPU_SHARE:
                break
        self.result.settle_s = time.monotonic() - started

    async def run(self, client: httpx.AsyncClient) -> StepResult:
        result = self.result
        stack_pids = [*self.stack.gateway_pids(), *subgraph_pids(self.stack)]
        if self.baseline is not None:  # "gateway" is the baseline server, the stack only publishes
            gateway, subgraph = [self.baseline.pid], []
        else:
            gateway, subgraph = self.stack.gateway_pids(), subgraph_pids(self.stack)
        await self.settle([*stack_pids, *gateway])
        rss_before = rss_kib(gateway), rss_kib(subgraph)
        heap_before = await gateway_heap_mib(self.stack) if self.baseline is None else float("nan")
        self.spawn_workers()
        try:
            await self.ramp()
            if result.connected == 0:
                return result
            await self.confirm(client)
            result.gateway_rss = rss_before[0], rss_kib(gateway)
            result.subgraph_rss = rss_before[1], rss_kib(subgraph)
            result.upstream_sockets = established_to(gateway, SUBGRAPH_PORT)
            print(
                f"N={result.requested}: publishing {self.args.rate}/s for {self.args.duration} s",
                file=sys.stderr,
            )
            cpu_before, busy_since = (cpu_seconds(gateway), cpu_seconds(subgraph)), time.monotonic()
            stack_before = cpu_seconds(stack_pids)
            machine_before = machine_busy_seconds()
            result.publication = await publish(
                client, self.tokens[0], self.org_id, self.tag, self.args.rate, self.args.duration
            )
            await self.drain()
            result.busy_s = time.monotonic() - busy_since
            result.gateway_cpu_s = cpu_seconds(gateway) - cpu_before[0]
            result.subgraph_cpu_s = cpu_seconds(subgraph) - cpu_before[1]
            result.stack_cpu_s = cpu_seconds(stack_pids) - stack_before
            result.machine_cpu_s = machine_busy_seconds() - machine_before
            result.gateway_rss_drained, result.subgraph_rss_drained = rss_kib(gateway), rss_kib(subgraph)
        finally:
            await self.finish()
        await self.wait_server_released()
        result.gateway_rss_closed, result.subgraph_rss_closed = rss_kib(gateway), rss_kib(subgraph)
        if self.baseline is None:
            result.gateway_heap_mib = heap_before, await gateway_heap_mib(self.stack)
        idle_before = cpu_seconds(gateway), cpu_seconds(subgraph)
        await asyncio.sleep(IDLE_SAMPLE_S)
        result.gateway_idle_cpu_s = cpu_seconds(gateway) - idle_before[0]
        result.subgraph_idle_cpu_s = cpu_seconds(subgraph) - idle_before[1]
        return result


# -- report ------------------------------------------------------------------------------------------


def percent(cpu_s: float, wall_s: float) -> str:
    return f"{cpu_s / wall_s * 100:.0f}" if wall_s > 0 else "-"


def per_connection(rss: tuple[int, int], connections: int) -> str:
    return f"{(rss[1] - rss[0]) / connections:.1f}" if connections else "-"


def rows(result: StepResult) -> list[tuple[str, str]]:
    p = result.publication
    published = len(p.published)
    window = p.last_answer - p.first_sent if p.first_sent else 0.0
    delivery_window = result.last_delivery - p.first_sent if result.last_delivery and p.first_sent else 0.0
    lat = result.latencies_ms
    rt = sorted(p.round_trips_ms)
    mib = lambda kib: f"{kib / 1024:.0f}"  # noqa: E731
    return [
        ("client processes", str(result.workers)),
        ("subscribers requested", str(result.requested)),
        ("settle s (until the stack is idle)", f"{result.settle_s:.1f}"),
        ("subscribers connected", str(result.connected)),
        ("connections failed", str(result.failed)),
        ("ramp s", f"{result.ramp_s:.1f}"),
        ("confirm s (probe seen by all)", f"{result.confirm_s:.1f}"),
        ("unconfirmed subscribers", str(result.unconfirmed)),
        ("events published / sent / planned", f"{published} / {p.attempted} / {p.planned}"),
        ("events seen by ≥ 1 subscriber", str(sum(1 for count in result.receivers if count))),
        ("publish rate achieved /s", f"{published / window:.1f}" if window > 0 else "-"),
        ("raiseAlert p50 / p99 ms", f"{percentile(rt, 0.5):.0f} / {percentile(rt, 0.99):.0f}" if rt else "-"),
        ("deliveries (incl. duplicates)", str(result.deliveries)),
        ("delivered events/s", f"{result.deliveries / delivery_window:.0f}" if delivery_window > 0 else "-"),
        ("latency p50 ms", f"{percentile(lat, 0.50):.1f}"),
        ("latency p95 ms", f"{percentile(lat, 0.95):.1f}"),
        ("latency p99 ms", f"{percentile(lat, 0.99):.1f}"),
        ("latency max ms", f"{lat[-1]:.1f}" if lat else "nan"),
        ("expected deliveries", str(result.expected)),
        ("lost events", str(result.lost)),
        ("duplicate deliveries", str(result.duplicates)),
        ("alerts not of this step received", str(result.foreign)),
        ("subscriptions dropped by server", str(result.dropped)),
        ("drain s", f"{result.drain_s:.1f}"),
        ("events still arriving at drain end", "yes" if result.still_arriving else "no"),
        ("gateway RSS MiB before → after", f"{mib(result.gateway_rss[0])} → {mib(result.gateway_rss[1])}"),
        (
            "gateway RSS MiB after drain → closed",
            f"{mib(result.gateway_rss_drained)} → {mib(result.gateway_rss_closed)}",
        ),
        ("gateway KiB / connection", per_connection(result.gateway_rss, result.connected)),
        ("subgraph RSS MiB before → after", f"{mib(result.subgraph_rss[0])} → {mib(result.subgraph_rss[1])}"),
        (
            "subgraph RSS MiB after drain → closed",
            f"{mib(result.subgraph_rss_drained)} → {mib(result.subgraph_rss_closed)}",
        ),
        ("subgraph KiB / connection", per_connection(result.subgraph_rss, result.connected)),
        ("gw→subgraph sockets (subscribed)", str(result.upstream_sockets)),
        ("gateway CPU % (publish + drain)", percent(result.gateway_cpu_s, result.busy_s)),
        ("subgraph CPU % (publish + drain)", percent(result.subgraph_cpu_s, result.busy_s)),
        ("machine CPU % (publish + drain)", percent(result.machine_cpu_s, result.busy_s)),
        ("server CPU ms per delivered event", f"{result.cpu_ms_per_delivery():.3f}"),
        (
            "gateway / subgraph CPU % after close",
            f"{percent(result.gateway_idle_cpu_s, IDLE_SAMPLE_S)} / "
            f"{percent(result.subgraph_idle_cpu_s, IDLE_SAMPLE_S)}",
        ),
        ("client CPU s (all processes)", f"{result.client_cpu_s:.1f}"),
        ("close s", f"{result.close_s:.1f}"),
        ("gateway sockets on its port after close", str(result.gateway_sockets_after_close)),
    ]


def print_report(results: Sequence[StepResult], header: Sequence[str]) -> None:
    print()
    print(*header, sep="\n")
    table = [rows(result) for result in results]
    labels = [label for label, _ in table[0]]
    columns = [
        [f"N={r.requested}{' baseline' if r.baseline else ''}", *(value for _, value in row)]
        for r, row in zip(results, table, strict=True)
    ]
    label_width = max(map(len, labels))
    widths = [max(map(len, column)) for column in columns]
    print("  ".join(["".ljust(label_width), *(c[0].rjust(w) for c, w in zip(columns, widths, strict=True))]))
    print("-" * (label_width + sum(w + 2 for w in widths)))
    for i, label in enumerate(labels, start=1):
        cells = (column[i].rjust(w) for column, w in zip(columns, widths, strict=True))
        print("  ".join([label.ljust(label_width), *cells]))
    print_goals(results)
    for result in results:
        errors = result.errors + result.publication.errors
        if errors:
            print(f"\nN={result.requested} errors (most frequent first):")
            for message, count in errors.most_common(8):
                print(f"  {count:>7}  {message}")


GOALS = {2000: 250.0, 10000: 1000.0}  # subscribers: p99 publish→receive ms at 1 event/s, 0 lost (issue 13)


def print_goals(results: Sequence[StepResult]) -> None:
    """The issue's goal figures, one line per N, with the baseline of the same run."""
    baselines = {r.requested: r for r in results if r.baseline}
    print(
        "\nGoals (issue 13): p99 publish→receive at 1 event/s, 0 lost; memory per idle subscriber; "
        "gateway memory after the subscribers left; CPU per delivered event vs the baseline"
    )
    for r in (r for r in results if not r.baseline):
        p99 = percentile(r.latencies_ms, 0.99) if r.latencies_ms else float("nan")
        goal = GOALS.get(r.requested)
        verdict = (
            "-" if goal is None else ("MET" if p99 <= goal and r.lost == 0 and r.connected else "NOT MET")
        )
        n = max(r.connected, 1)
        per = max(r.deliveries, 1) / 1000
        line = (
            f"  N={r.requested}: p99 {p99:.0f} ms (goal ≤ {goal:.0f}), lost {r.lost} → {verdict}; "
            if goal is not None
            else f"  N={r.requested}: p99 {p99:.0f} ms, lost {r.lost}; "
        )
        line += (
            f"KiB per idle subscriber gateway {(r.gateway_rss[1] - r.gateway_rss[0]) / n:.1f}"
            f" / subgraphs {(r.subgraph_rss[1] - r.subgraph_rss[0]) / n:.1f}; "
            f"gateway RSS before → subscribed → left {r.gateway_rss[0] / 1024:.0f}"
            f" → {r.gateway_rss[1] / 1024:.0f} → {r.gateway_rss_closed / 1024:.0f} MiB"
            f" (V8 heap after GC {r.gateway_heap_mib[0]:.0f} → {r.gateway_heap_mib[1]:.0f} MiB); "
            f"CPU ms/delivery {r.cpu_ms_per_delivery():.3f} (gateway {r.gateway_cpu_s / per:.3f}"
            f" + subgraphs {r.subgraph_cpu_s / per:.3f})"
        )
        base = baselines.get(r.requested)
        if base is not None and base.deliveries and r.deliveries:
            # the publishing (raiseAlert through the stack) is in both runs; during the baseline
            # step it is all the stack did, so it is taken off the stack's figure
            publish_ms = base.stack_cpu_s / len(base.events) * 1000 if base.events else 0.0
            net = (
                (r.gateway_cpu_s + r.subgraph_cpu_s - publish_ms / 1000 * len(r.events)) / r.deliveries * 1000
            )
            ratio = net / base.cpu_ms_per_delivery() if base.cpu_ms_per_delivery() > 0 else float("nan")
            line += (
                f"; baseline {base.cpu_ms_per_delivery():.3f} ms/delivery (p99 "
                f"{percentile(base.latencies_ms, 0.99):.0f} ms, lost {base.lost}); stack net of publishing "
                f"({publish_ms:.1f} ms/event) {net:.3f} ms/delivery = {ratio:.1f}× the baseline"
            )
        print(line)


# -- main --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.bench_stream", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--subscribers",
        type=lambda text: [int(part) for part in text.split(",") if part.strip()],
        default=[2000, 10000],
        help="comma-separated N, one step each (2000,10000: the issue's goals)",
    )
    parser.add_argument("--rate", type=float, default=1, help="alerts raised per second (1)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of publishing (20)")
    parser.add_argument(
        "--drain", type=float, default=5, help="after publishing, wait for a lull this long (5)"
    )
    parser.add_argument("--max-drain", type=float, default=60, help="…but at most this many seconds (60)")
    parser.add_argument(
        "--restart-stack", action="store_true", help="a fresh stack per N (clean memory figures)"
    )
    parser.add_argument("--ramp-rate", type=float, default=500, help="new connections per second (500)")
    parser.add_argument("--max-inflight", type=int, default=200, help="handshakes in progress at most (200)")
    parser.add_argument("--handshake-timeout", type=float, default=30, help="seconds per handshake (30)")
    parser.add_argument(
        "--settle-timeout", type=float, default=300, help="seconds to wait for an idle stack per N (300)"
    )
    parser.add_argument("--confirm-timeout", type=float, default=60, help="seconds of probing at most (60)")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help=f"client processes (default: N/{SOCKETS_PER_WORKER}, at least 2)",
    )
    parser.add_argument(
        "--per-token",
        type=int,
        default=PER_TOKEN,
        help=f"connections per token ({PER_TOKEN})",
    )
    parser.add_argument(
        "--subscription",
        default=ALERTS,
        help="the subscription document (default: alerts)",
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the baseline step after each N (needs REDIS_URL)"
    )
    parser.add_argument("--customers", type=int, default=200, help="customers to seed on first start (200)")
    return parser.parse_args(argv)


async def run_steps(
    args: argparse.Namespace,
    subscribers: Sequence[int],
    stack: Stack,
    tokens: tuple[str, ...],
    org_id: str,
    baseline: subprocess.Popen[bytes] | None = None,
) -> list[StepResult]:
    results = []
    limits = httpx.Limits(max_connections=PUBLISH_CONCURRENCY, max_keepalive_connections=PUBLISH_CONCURRENCY)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for n in subscribers:
            result = await Step(args, stack, tokens, org_id, n).run(client)
            results.append(result)
            if baseline is not None and result.connected:
                results.append(await Step(args, stack, tokens, org_id, n, baseline).run(client))
            print(
                f"N={n}: {result.connected} connected, {result.failed} failed, "
                f"{len(result.publication.published)} published, lost {result.lost}",
                file=sys.stderr,
            )
            if result.connected == 0:
                break
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    fd_limit = raise_fd_limit()
    env = stack_env()
    header = [
        f"DCMS Graph subscription fan-out — {WS_URL}, alerts at {args.rate:g}/s for {args.duration:g} s",
        f"machine: {os.cpu_count()} cores, RLIMIT_NOFILE {fd_limit}; "
        f"backend: {backend_description(env.get('DATABASE_URL'), env.get('REDIS_URL'), broker_first=True)}",
    ]
    print(header[1], file=sys.stderr)
    tokens = math.ceil(max(args.subscribers) / args.per_token)
    header.append(
        f"{tokens} token(s) of manager, {args.per_token} connections per token; "
        + ("a fresh stack per N" if args.restart_stack else "one stack for all N")
    )
    header.append(f"subscription: {args.subscription}")
    groups = [[n] for n in args.subscribers] if args.restart_stack else [args.subscribers]
    results: list[StepResult] = []
    session: tuple[tuple[str, ...], str] | None = None  # tokens and org id; the keys outlive a restart
    for group in groups:
        stack = start_stack(args.customers)
        try:
            try:
                wait_until_up(f"http://127.0.0.1:{GATEWAY_PORT}/healthcheck", stack.process, timeout=300)
                if session is None:
                    minted = mint_tokens(stack, tokens)
                    session = minted, my_org_id(minted[0])
            except (
                RuntimeError,
                TimeoutError,
                subprocess.CalledProcessError,
                httpx.HTTPError,
                KeyError,
            ) as exc:
                print(f"bench_stream: the stack did not come up: {exc}", file=sys.stderr)
                return 2
            baseline = None if args.no_baseline else start_baseline(env)
            try:
                results += run_async(run_steps(args, group, stack, *session, baseline=baseline))
            finally:
                if baseline is not None:
                    baseline.terminate()
                    baseline.wait(timeout=30)
        finally:
            stop_stack(stack)
        if results[-1].connected == 0:
            break
    print_report(results, header)
    if any(result.connected == 0 or result.deliveries == 0 for result in results):
        print("\nFAIL: a step connected no subscriber or delivered no event", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
