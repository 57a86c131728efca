"""The H5 morning page (早间首页) through the gateway against a hand-written baseline, the trivial
operation against a bare handler, and the 1,200-request peak: ``python -m loadtest.bench_morning``.

    .venv/bin/python -m loadtest.bench_morning [--customers 300] [--duration 20] [--rounds 4]
        [--concurrency 20] [--identity full|signed|none] [--no-trivial] [--no-baseline]
        [--peak 1200] [--tail 10] [--smoke] [--gateway URL]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m loadtest.bench_morning --duration 10

What a customer manager's H5 home page asks every morning, in one request: my customers (a page
of ``first``) with tier, tags, latest contact and open opportunities (商机, from the marketing
subgraph), and my unread reminders. It is sent at page sizes 20 and 100.

Starts a stack of its own (``dcms up``, ``var/bench-morning``, gateway 4400 and subgraphs 4401 or
free ports; rate limit off; ``--gateway URL`` uses a running stack instead, its subgraphs at
``DCMS_HOST:DCMS_PORT``) and the baseline (loadtest/baseline_morning.py: Starlette + asyncpg +
orjson, the same SQL and JSON, the identity check ``--identity``; port 4402 or free; on the
embedded storage it reads the SQLite files, for the answers' sake: SQLite's figures mean little),
and arranges, under a fresh member bank: one manager with
``--customers`` customers, each with 3 tags, 2 contacts and 2 opportunities (one OPEN, one
CONVERTED), and 50 reminders for the manager (the morning query reads the unread ones).

Morning page, for each page size: one answer of the gateway and one of the baseline are compared
(their ``data`` serialised must be equal, byte for byte: fields, order, values), then
``--rounds`` alternating rounds (gateway, baseline, gateway, baseline …) of ``--duration /
--rounds`` seconds each, ``--concurrency`` workers (one HTTP connection each) sending back to
back. Trivial operation (unless ``--no-trivial``): ``{ me { id } }`` straight to the operations
subgraph, signed as the gateway signs (security/gateway_trust.py, so a production subgraph's path
runs), against the baseline's ``POST /me`` (same identity check, one row read), alternating the
same way.

Printed per target and page size, summed over its rounds: requests, errors, requests/s, latency
p50 / p99 (send → answer), and CPU milliseconds per request per process group read from
``/proc`` (loadtest/cpu.py: the gateway's node process, the subgraphs' process tree — every
worker —, the baseline's, PostgreSQL's — the backends of the stack's database and the cluster's
workers — and Redis's; the total is theirs; ``client``, this process, is shown apart). Then the
ratios gateway / baseline and subgraph / bare handler (requests/s) and the issue 13 goal rows.
Then the SQL statements of one gateway request per page size,
counted in this process (testkit/inprocess.py, testkit/sqlcount.py): the customers subgraph's part
and the marketing subgraph's part (``_entities``); the totals at 20 and 100 must be equal.

``--peak N``: after the rest, N morning requests (page 20) sent through the gateway at once, one
connection each (raw sockets, all opened first, every request then written at the same moment).
Printed: answered with data (p50/p99), refused (an error coded ``OVERLOADED``,
or HTTP 503 / 429 with ``Retry-After``; p50/p99), every other error by code, and how long the
subgraphs went on working after the last answer (their CPU sampled every 0.25 s for up to
``--tail`` seconds; busy = above 10 % of a core). Goal: no other error, refusals < 100 ms, p99 of
admitted ≤ 3 s.

Exit code 0 when every request answered without errors (refusals in the peak excepted), the
baseline's JSON equals the gateway's and the statement counts are equal; 1 otherwise; 2 when the
stack (or the baseline) did not come up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson

from loadtest.baseline_morning import Identity
from loadtest.common import bulk_create, free_port, percentile, report_on_stack, start_stack
from loadtest.cpu import CpuMeter, Finder, by_port, by_tree, database_and_broker, ms_per_request
from models.customers import (
    ContactChannel,
    ContactRecord,
    Customer,
    CustomerKind,
    CustomerTag,
    CustomerTier,
    Reminder,
    ReminderKind,
    TagSource,
)
from models.marketing import Opportunity, OpportunityStatus
from models.operations import OrgKind
from security.gateway_trust import SIGNATURE_HEADER, sign_http
from subgraphs.gateway import wait_until_up
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for
from testkit.sqlcount import counted, statements_of

VAR_DIR = Path(os.environ.get("DCMS_BENCH_MORNING_VAR_DIR", "var/bench-morning"))
PAGE_SIZES = (20, 100)
CHUNK = 500
# The customers part: what the customers subgraph answers.
MY_CUSTOMERS = """
  customers(first: $first) { nodes { id name tier
    tags { name source }
    latestContact { channel contactedAt summary } } }
  myReminders(first: 20, unreadOnly: true) { nodes { id kind title dueAt } }"""
OPEN = "opportunities(first: 5, status: [OPEN, CLAIMED]) { nodes { id title status } }"
MORNING = f"""query Morning($first: Int!) {{
  customers(first: $first) {{ nodes {{ id name tier
    tags {{ name source }}
    latestContact {{ channel contactedAt summary }}
    {OPEN} }} }}
  myReminders(first: 20, unreadOnly: true) {{ nodes {{ id kind title dueAt }} }}
}}"""
CUSTOMERS_PART = f"query($first: Int!) {{ {MY_CUSTOMERS} }}"
MARKETING_PART = f"""query($r: [_Any!]!) {{ _entities(representations: $r) {{
  ... on Customer {{ {OPEN} }} }} }}"""
TRIVIAL = "{ me { id } }"
GROUPS = ("gateway", "subgraphs", "baseline", "postgres", "redis")  # "total" is theirs; then "client"
REFUSED_CODE = "OVERLOADED"
GOALS = {"cpu": 8.0, "morning": 0.35, "trivial": 0.6, "refused_ms": 100.0, "admitted_p99_s": 3.0}


@dataclass(frozen=True)
class MorningConfig:
    customers: int = 300
    duration: float = 20.0  # seconds per target and page size, over all its rounds
    rounds: int = 4  # alternating rounds per target and page size
    concurrency: int = 20
    requests: int | None = None  # at most this many per round (None: as many as fit)
    identity: Identity = Identity.SIGNED  # the baseline's identity check: what subgraphs do now
    trivial: bool = True
    baseline: bool = True  # run the baseline beside the gateway
    peak: int = 0  # requests at once through the gateway after the rest (0: none)
    tail: float = 10.0  # seconds the subgraphs' CPU is watched after the peak's last answer
    progress: bool = True


# Seconds long, and under the test stack's rate limit (40 requests in 5 s per user).
SMOKE = MorningConfig(customers=120, duration=2.0, rounds=2, concurrency=2, requests=3)
# The same with the identity check of issue 13's figures (ES256 + Redis per request), and a small peak.
SMOKE_FULL = replace(SMOKE, identity=Identity.FULL, peak=6, tail=1.0)


@dataclass
class Round:
    target: str
    first: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # group → CPU seconds in the round

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def add(self, other: Round) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.wall_s += other.wall_s
        for name, seconds in other.cpu.items():
            self.cpu[name] = self.cpu.get(name, 0.0) + seconds

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall_s if self.wall_s else 0.0

    def cpu_ms(self) -> dict[str, float]:
        return ms_per_request(self.cpu, len(self.latencies))


@dataclass
class Peak:
    requests: int
    admitted: list[float] = field(default_factory=list)  # latencies (s) of answers with data
    refused: list[float] = field(default_factory=list)  # latencies (s) of OVERLOADED refusals
    errors: Counter[str] = field(default_factory=Counter)  # any other outcome, by code
    wall_s: float = 0.0
    busy_after_s: float = 0.0  # the subgraphs still working after the last answer
    busy_at_end: bool = False  # still busy when the watch ended
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.errors


@dataclass
class Report:
    config: MorningConfig
    totals: list[Round]  # per (target, first), summed over rounds, in run order
    sql: dict[int, tuple[int, int]]  # first → (customers statements, marketing statements)
    same_json: dict[int, str | None] = field(default_factory=dict)  # first → difference, None: same
    baseline: str | None = None  # why there is no baseline, or None
    peak: Peak | None = None
    processes: dict[str, int] = field(default_factory=dict)  # group → processes counted (at the start)

    def total(self, target: str, first: int) -> Round | None:
        return next((r for r in self.totals if r.target == target and r.first == first), None)

    def ratio(self, target: str, against: str, first: int) -> float | None:
        mine, theirs = self.total(target, first), self.total(against, first)
        if mine is None or theirs is None or not theirs.rps:
            return None
        return mine.rps / theirs.rps

    @property
    def passed(self) -> bool:
        totals = {sum(parts) for parts in self.sql.values()}
        answered = all(r.latencies and not r.errors for r in self.totals)
        same = all(difference is None for difference in self.same_json.values())
        return answered and same and len(totals) == 1 and (self.peak is None or self.peak.passed)


# -- arrange ---------------------------------------------------------------------------------------


async def _bulk(config: MorningConfig, rows: list[Any], desc: str) -> None:
    await bulk_create(rows, desc, CHUNK, config.progress)


async def arrange(config: MorningConfig, settings: Settings) -> str:
    """A member bank, a branch, a manager with a full book; returns the manager's token."""
    tag = uuid.uuid4().hex[:6]
    root = await make_org(f"压测省联社{tag}", OrgKind.PROVINCE_UNION)
    bank = await make_org(f"压测农商银行{tag}", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org(f"压测支行{tag}", OrgKind.BRANCH, bank)
    manager = await make_user(branch, ("CUSTOMER_MANAGER",), "早间经理")
    tiers = list(CustomerTier)
    customers = [
        Customer(
            customer_no=f"M{tag}{n:06d}",
            name=f"早间客户{n + 1}",
            kind=CustomerKind.RETAIL,
            tenant_id=bank.id,
            org_id=branch.id,
            org_path=branch.path,
            primary_manager_id=manager.id,
            tier=tiers[n % len(tiers)],
            aum=Decimal(10_000 * (n % 97 + 1)),
        )
        for n in range(config.customers)
    ]
    await _bulk(config, customers, "customers")
    now = datetime.now(UTC)
    await _bulk(
        config,
        [
            CustomerTag(customer_id=c.id, name=name, source=source)
            for c in customers
            for name, source in (
                ("代发工资", TagSource.SYSTEM),
                ("理财偏好稳健", TagSource.SYSTEM),
                ("老乡", TagSource.CUSTOM),
            )
        ],
        "tags",
    )
    await _bulk(
        config,
        [
            ContactRecord(
                customer_id=c.id,
                manager_id=manager.id,
                channel=ContactChannel.PHONE,
                summary=f"第{k + 1}次回访, 了解理财到期安排",
                contacted_at=now - timedelta(days=3 * (k + 1)),
            )
            for c in customers
            for k in range(2)
        ],
        "contacts",
    )
    await _bulk(
        config,
        [
            Opportunity(tenant_id=bank.id, customer_id=c.id, title=title, status=status)
            for c in customers
            for title, status in (
                ("有意向办理黔农e贷", OpportunityStatus.OPEN),
                ("已办理定期存款", OpportunityStatus.CONVERTED),
            )
        ],
        "opportunities",
    )
    await _bulk(
        config,
        [
            Reminder(
                customer_id=customers[n % len(customers)].id,
                manager_id=manager.id,
                tenant_id=bank.id,
                kind=ReminderKind.DEPOSIT_MATURITY,
                title=f"存款到期提醒{n + 1}",
                read=n % 2 == 0,
            )
            for n in range(50)
        ],
        "reminders",
    )
    return token_for(manager, branch, settings)


# -- load ------------------------------------------------------------------------------------------
# -- targets ----------------------------------------------------------------------------------------


def _wrong(answer: dict[str, Any], first: int) -> str | None:
    """What is wrong with an answer: not a full page, or an opportunity that is not open."""
    nodes = answer["customers"]["nodes"]
    if len(nodes) != first:
        return f"a page of {len(nodes)}, not {first}"
    statuses = {o["status"] for node in nodes for o in node["opportunities"]["nodes"]}
    if not statuses or statuses - {"OPEN", "CLAIMED"}:
        return f"opportunities {statuses or 'none'}, wanted only the open ones"
    return None


def _no_me(answer: dict[str, Any]) -> str | None:
    return None if (answer.get("me") or {}).get("id") else "me: no id"


@dataclass(frozen=True)
class Target:
    """Where one kind of request goes: its body is fixed, so a signature is over known bytes."""

    name: str  # gateway, baseline, subgraph, bare
    url: str
    first: int  # the page size (0: the trivial operation)
    body: bytes
    sign: bool  # with x-dcms-signature, as the gateway sends upstream
    check: Callable[[dict[str, Any]], str | None]  # what is wrong with the answer's data


def gateway_target(gateway_url: str, first: int) -> Target:
    body = orjson.dumps({"query": MORNING, "variables": {"first": first}})
    return Target("gateway", gateway_url, first, body, False, lambda data: _wrong(data, first))


def baseline_target(baseline_url: str, first: int, identity: Identity) -> Target:
    body = orjson.dumps({"first": first})
    check: Callable[[dict[str, Any]], str | None] = lambda data: _wrong(data, first)  # noqa: E731
    return Target("baseline", f"{baseline_url}/morning", first, body, identity is Identity.SIGNED, check)


def trivial_targets(subgraphs_url: str, baseline_url: str | None, identity: Identity) -> list[Target]:
    subgraph = Target(
        "subgraph", f"{subgraphs_url}/operations/graphql", 0, orjson.dumps({"query": TRIVIAL}), True, _no_me
    )
    if baseline_url is None:
        return [subgraph]
    bare = Target("bare", f"{baseline_url}/me", 0, b"{}", identity is Identity.SIGNED, _no_me)
    return [subgraph, bare]


@dataclass(frozen=True)
class Caller:
    token: str
    secret: str  # the gateway's HMAC secret, to sign as it does

    def headers(self, target: Target) -> dict[str, str]:
        authorization = f"Bearer {self.token}"
        headers = {
            "authorization": authorization,
            "content-type": "application/json",
            "x-request-id": uuid.uuid4().hex,
        }
        if target.sign:
            headers[SIGNATURE_HEADER] = sign_http(self.secret, target.body, authorization)
        return headers


async def send(client: httpx.AsyncClient, target: Target, caller: Caller) -> tuple[float, str | None, Any]:
    """One request: (latency s, what went wrong or None, the answer's data)."""
    started = time.perf_counter()
    try:
        response = await client.post(target.url, content=target.body, headers=caller.headers(target))
        body = orjson.loads(response.content)
    except (httpx.HTTPError, ValueError) as exc:
        return time.perf_counter() - started, type(exc).__name__, None
    latency = time.perf_counter() - started
    if not isinstance(body, dict) or body.get("errors") or response.status_code != 200:
        return latency, str(body.get("errors") if isinstance(body, dict) else body)[:300] or "?", None
    data = body.get("data")
    if not isinstance(data, dict):
        return latency, "no data", None
    return latency, target.check(data), data


# -- load ------------------------------------------------------------------------------------------


async def load_round(
    config: MorningConfig, target: Target, caller: Caller, meter: CpuMeter, clients: list[httpx.AsyncClient]
) -> Round:
    """One worker per client (one connection each) for one round's share of ``--duration``."""
    result = Round(target.name, target.first)
    deadline = time.perf_counter() + config.duration / config.rounds
    issued = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal issued
        while time.perf_counter() < deadline and (config.requests is None or issued < config.requests):
            issued += 1
            latency, problem, _ = await send(client, target, caller)
            if problem is None:
                result.latencies.append(latency)
            else:
                result.errors.append(problem)

    before = meter.sample()
    started = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    result.wall_s = time.perf_counter() - started
    result.cpu = meter.spent(before, meter.sample())
    return result


async def alternate(
    config: MorningConfig, targets: list[Target], caller: Caller, meter: CpuMeter
) -> list[Round]:
    """``--rounds`` rounds of each target in turn (A, B, A, B …); each target's rounds summed.
    Each target keeps its ``--concurrency`` connections from round to round, opened by one
    request each before the first (not counted)."""
    totals = [Round(t.name, t.first) for t in targets]
    clients = {t.name: [httpx.AsyncClient(timeout=60) for _ in range(config.concurrency)] for t in targets}
    try:
        for target in targets:
            await asyncio.gather(*(send(client, target, caller) for client in clients[target.name]))
        for _ in range(config.rounds):
            for target, total in zip(targets, totals, strict=True):
                total.add(await load_round(config, target, caller, meter, clients[target.name]))
    finally:
        await asyncio.gather(*(c.aclose() for group in clients.values() for c in group))
    return totals


def difference(one: Any, other: Any, path: str = "data") -> str | None:
    """Where two JSON values first differ (key order counts), or None when equal."""
    if isinstance(one, dict) and isinstance(other, dict):
        if list(one) != list(other):
            return f"{path}: keys {list(one)} ≠ {list(other)}"
        for key in one:
            if found := difference(one[key], other[key], f"{path}.{key}"):
                return found
        return None
    if isinstance(one, list) and isinstance(other, list):
        if len(one) != len(other):
            return f"{path}: {len(one)} items ≠ {len(other)}"
        for n, (a, b) in enumerate(zip(one, other, strict=True)):
            if found := difference(a, b, f"{path}[{n}]"):
                return found
        return None
    return None if orjson.dumps(one) == orjson.dumps(other) else f"{path}: {one!r} ≠ {other!r}"


async def compare(gateway: Target, baseline: Target, caller: Caller) -> str | None:
    """One answer of each: None when their ``data`` serialise to the same bytes."""
    async with httpx.AsyncClient(timeout=60) as client:
        _, problem, ours = await send(client, gateway, caller)
        _, base_problem, theirs = await send(client, baseline, caller)
    if problem or base_problem:
        return f"gateway: {problem}; baseline: {base_problem}"
    if orjson.dumps(ours) == orjson.dumps(theirs):
        return None
    return difference(ours, theirs) or "serialised differently"


# -- the peak --------------------------------------------------------------------------------------


def outcome(status: int, headers: Mapping[str, str], content: bytes) -> str:
    """``admitted``, ``refused`` (OVERLOADED, or 503/429 with Retry-After) or an error code."""
    try:
        body = orjson.loads(content)
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        codes = [str((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)]
        return "refused" if REFUSED_CODE in codes else (codes[0] if codes else "error")
    if status in (429, 503) and "retry-after" in headers:
        return "refused"
    if status != 200 or not isinstance(body, dict) or not body.get("data"):
        return f"HTTP {status}"
    return "admitted"


def http_request(url: httpx.URL, body: bytes, headers: Mapping[str, str]) -> bytes:
    """An HTTP/1.1 POST as bytes: the peak's requests go over raw sockets, since a client pool of a
    thousand connections costs the client more than the server (httpx's pool is walked per request)."""
    lines = [f"POST {url.raw_path.decode()} HTTP/1.1", f"host: {url.host}:{url.port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"content-length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one HTTP/1.1 response."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
    if "content-length" in headers:
        return status, headers, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() != "chunked":
        return status, headers, await reader.read()
    chunks: list[bytes] = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16):
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
    await reader.readuntil(b"\r\n")  # the empty trailer
    return status, headers, b"".join(chunks)


async def run_peak(config: MorningConfig, gateway_url: str, caller: Caller, meter: CpuMeter) -> Peak:
    """``--peak`` morning requests (page 20) at once, one connection each (all opened first, then
    every request written at the same moment); then the subgraphs watched until they stop working
    (or ``--tail`` seconds)."""
    target = gateway_target(gateway_url, min(PAGE_SIZES))
    url = httpx.URL(gateway_url)
    peak = Peak(config.peak)
    gate = asyncio.Event()

    async def one() -> None:
        request = http_request(url, target.body, caller.headers(target))
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(url.host, url.port), 60)
        except (OSError, TimeoutError) as exc:
            peak.errors[f"connect: {type(exc).__name__}"] += 1
            return
        try:
            await gate.wait()
            started = time.perf_counter()
            writer.write(request)
            kind = outcome(*await asyncio.wait_for(read_response(reader), 120))
        except (OSError, TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            kind = type(exc).__name__
        finally:
            writer.close()
        latency = time.perf_counter() - started
        if kind == "admitted":
            peak.admitted.append(latency)
        elif kind == "refused":
            peak.refused.append(latency)
        else:
            peak.errors[kind] += 1

    tasks = [asyncio.create_task(one()) for _ in range(config.peak)]
    await asyncio.sleep(min(10.0, 0.5 + config.peak / 200))  # every connection open, waiting at the gate
    before = meter.sample()
    started = time.perf_counter()
    gate.set()
    await asyncio.gather(*tasks)
    peak.wall_s = time.perf_counter() - started
    # After the last answer: is anyone still working for clients that have gone?
    previous, watch_started, step = meter.sample(), time.perf_counter(), 0.25
    while time.perf_counter() - watch_started < config.tail:
        await asyncio.sleep(step)
        now = meter.sample()
        busy = meter.spent(previous, now).get("subgraphs", 0.0) / step > 0.10
        if busy:
            peak.busy_after_s = time.perf_counter() - watch_started
        peak.busy_at_end = busy
        previous = now
        if not busy and time.perf_counter() - watch_started - peak.busy_after_s > 2.0:
            break  # two quiet seconds: done
    peak.cpu = meter.spent(before, previous)
    return peak


# -- the run ---------------------------------------------------------------------------------------


def start_baseline(identity: Identity, env: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """loadtest/baseline_morning.py in a process of its own (its CPU is measured apart), on
    ``$DCMS_BENCH_MORNING_BASELINE_PORT``, 4402 or a free port."""
    port = free_port("DCMS_BENCH_MORNING_BASELINE_PORT", 4402)
    process = subprocess.Popen(
        [sys.executable, "-m", "loadtest.baseline_morning", "--port", str(port), "--identity", str(identity)],
        env=dict(env),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz", process, timeout=60)
    except (RuntimeError, TimeoutError):
        stop_process(process)
        raise
    return process, url


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def process_groups(settings: Settings, gateway_url: str, baseline: int | None) -> dict[str, Finder]:
    """The gateway (its port), the subgraphs (their port's process tree, the gateway's taken out:
    ``dcms up`` is its parent), the baseline, PostgreSQL and Redis when the stack uses them."""
    gateway = by_port(httpx.URL(gateway_url).port or 80)
    serving = by_port(settings.port)
    finders: dict[str, Finder] = {"gateway": gateway, "subgraphs": lambda: serving() - gateway()}
    if baseline is not None:
        finders["baseline"] = by_tree(baseline)
    finders["client"] = lambda: {os.getpid()}  # this process: shown apart, not in the total
    redis_port = httpx.URL(settings.redis_url).port or 6379 if settings.redis_url else None
    shared = database_and_broker(database_name(settings.database_url), redis_port)
    if settings.database_url:
        finders["postgres"] = shared["postgres"]
    if settings.redis_url:
        finders["redis"] = shared["redis"]
    return finders


def database_name(database_url: str | None) -> str | None:
    return httpx.URL(database_url).path.lstrip("/") or None if database_url else None


async def statements(settings: Settings, token: str) -> dict[int, tuple[int, int]]:
    """Statements of one morning request per page size: the customers part, the marketing part."""
    counts: dict[int, tuple[int, int]] = {}
    for first in (max(PAGE_SIZES), *PAGE_SIZES):  # the first run warms up
        in_customers, answer = await counted("customers", CUSTOMERS_PART, {"first": first}, token, settings)
        representations = [
            {"__typename": "Customer", "id": node["id"]} for node in answer["customers"]["nodes"]
        ]
        in_marketing = await statements_of(
            "marketing", MARKETING_PART, {"r": representations}, token, settings
        )
        counts[first] = (in_customers, in_marketing)
    return counts


async def run(
    config: MorningConfig, settings: Settings, gateway_url: str, env: Mapping[str, str] | None = None
) -> Report:
    """Arrange, compare, load each page size and the trivial operation (alternating with the
    baseline), the peak, count statements: on a stack that is up, with the ORM of its database open
    in this process. ``env``: the baseline process's environment (default: this process's)."""
    token = await arrange(config, settings)
    caller = Caller(token, settings.hmac_secret)
    baseline: tuple[subprocess.Popen[bytes], str] | None = None
    why_not = None
    if config.baseline:
        baseline = start_baseline(config.identity, env if env is not None else os.environ)
    else:
        why_not = "--no-baseline"
    meter = CpuMeter(process_groups(settings, gateway_url, baseline[0].pid if baseline else None))
    report = Report(config, [], {}, baseline=why_not)
    report.processes = {name: len(found) for name, found in meter.sample().groups.items()}
    try:
        for first in PAGE_SIZES:
            targets = [gateway_target(gateway_url, first)]
            if baseline is not None:
                targets.append(baseline_target(baseline[1], first, config.identity))
                report.same_json[first] = await compare(targets[0], targets[1], caller)
            report.totals += await alternate(config, targets, caller, meter)
        if config.trivial:
            subgraphs_url = f"http://{settings.host}:{settings.port}"
            targets = trivial_targets(subgraphs_url, baseline[1] if baseline else None, config.identity)
            report.totals += await alternate(config, targets, caller, meter)
        if config.peak:
            report.peak = await run_peak(config, gateway_url, caller, meter)
    finally:
        if baseline is not None:
            stop_process(baseline[0])
    report.sql = await statements(settings, token)
    return report


# -- report ----------------------------------------------------------------------------------------


def _ms(seconds: list[float], q: float) -> float:
    return percentile(sorted(seconds), q) * 1000


def _ms_text(seconds: list[float], q: float) -> str:
    return f"{_ms(seconds, q):.0f} ms" if seconds else "-"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "-"


def _goal_line(label: str, value: str, goal: str, met: bool | None) -> str:
    verdict = "" if met is None else ("  met" if met else "  not met")
    return f"  {label}: {value} (goal {goal}){verdict}"


def rows(report: Report) -> list[str]:
    """The table: one line per target and page size, summed over its rounds."""
    columns = ("requests", "errors", "req/s", "p50 ms", "p99 ms")
    head = f"{'target':<9} {'page':>4} " + " ".join(f"{c:>8}" for c in columns)
    shown = (*GROUPS, "total", "client")
    lines = [head + "  | CPU ms/request: " + " ".join(f"{g:>9}" for g in shown)]
    for r in report.totals:
        cpu = r.cpu_ms()
        page = str(r.first) if r.first else "me"
        lines.append(
            f"{r.target:<9} {page:>4} {r.requests:>8} {len(r.errors):>8} {r.rps:>8.1f}"
            f" {_ms(r.latencies, 0.5):>8.1f} {_ms(r.latencies, 0.99):>8.1f}  |                 "
            + " ".join(f"{cpu[g]:>9.2f}" if g in cpu else f"{'-':>9}" for g in shown)
        )
    return lines


def goals(report: Report) -> list[str]:
    gateway = report.total("gateway", min(PAGE_SIZES))
    lines = ["goals (issue 13), this run:"]
    if gateway is not None:
        cpu = gateway.cpu_ms()
        # All processes but the baseline's (idle while the gateway is measured).
        total = sum(v for k, v in cpu.items() if k not in ("baseline", "total", "client"))
        lines.append(
            _goal_line(
                "morning page 20 via gateway, CPU ms/request, all processes",
                f"{total:.1f}",
                "≤ 8",
                total <= GOALS["cpu"],
            )
        )
    morning = report.ratio("gateway", "baseline", min(PAGE_SIZES))
    lines.append(
        _goal_line(
            "morning page 20, gateway / baseline requests/s",
            _ratio(morning),
            "≥ 0.35×",
            None if morning is None else morning >= GOALS["morning"],
        )
    )
    trivial = report.ratio("subgraph", "bare", 0)
    if report.config.trivial:
        lines.append(
            _goal_line(
                f"trivial operation, subgraph / bare handler (identity {report.config.identity})",
                _ratio(trivial),
                "≥ 0.6×",
                None if trivial is None else trivial >= GOALS["trivial"],
            )
        )
    if report.peak is not None:
        peak = report.peak
        refused_ms = _ms(peak.refused, 0.99) if peak.refused else 0.0
        admitted_s = _ms(peak.admitted, 0.99) / 1000 if peak.admitted else float("nan")
        met = not peak.errors and refused_ms < GOALS["refused_ms"] and admitted_s <= GOALS["admitted_p99_s"]
        lines.append(
            _goal_line(
                f"{peak.requests} concurrent morning requests",
                f"{sum(peak.errors.values())} errors, refused p99 {refused_ms:.0f} ms, "
                f"admitted p99 {admitted_s:.2f} s",
                "0 errors, refused < 100 ms, admitted p99 ≤ 3 s",
                met,
            )
        )
    return lines


def peak_lines(peak: Peak) -> list[str]:
    cpu = ms_per_request(peak.cpu, len(peak.admitted))
    after = f"{peak.busy_after_s:.1f} s" + (" (still busy when the watch ended)" if peak.busy_at_end else "")
    lines = [
        f"peak: {peak.requests} morning requests (page 20) at once through the gateway, "
        f"all answered in {peak.wall_s:.1f} s",
        f"  admitted (data): {len(peak.admitted)}, p50 {_ms_text(peak.admitted, 0.5)}, "
        f"p99 {_ms_text(peak.admitted, 0.99)}",
        f"  refused ({REFUSED_CODE} / 503 + Retry-After): {len(peak.refused)}, "
        f"p50 {_ms_text(peak.refused, 0.5)}, p99 {_ms_text(peak.refused, 0.99)}",
        "  other errors: " + (", ".join(f"{code} {n}" for code, n in peak.errors.most_common()) or "none"),
        f"  subgraphs still working after the last answer: {after}",
        "  CPU ms per admitted request: "
        + "  ".join(f"{name} {ms:.2f}" for name, ms in cpu.items() if name != "baseline"),
    ]
    return lines


def print_report(report: Report, header: list[str]) -> None:
    print()
    print(*header, sep="\n")
    config = report.config
    print(
        f"{config.customers} customers of one manager, {config.concurrency} in flight, "
        f"{config.rounds} alternating rounds, {config.duration:g} s per target and page size; "
        f"baseline identity check: {config.identity}"
    )
    if report.baseline:
        print(f"no baseline: {report.baseline}")
    counted = ", ".join(f"{name} {n}" for name, n in report.processes.items())
    print(f"processes whose CPU is counted (/proc): {counted}")
    print(*rows(report), sep="\n")
    ratios = ", ".join(
        f"page {first} {_ratio(report.ratio('gateway', 'baseline', first))}" for first in PAGE_SIZES
    )
    print(f"gateway / baseline requests/s: {ratios}")
    if config.trivial:
        print(
            f"subgraph / bare handler requests/s ({TRIVIAL}): {_ratio(report.ratio('subgraph', 'bare', 0))}"
        )
    if report.same_json:
        same = ", ".join(
            f"page {first} {'yes' if diff is None else 'NO: ' + diff}"
            for first, diff in report.same_json.items()
        )
        print(f"baseline JSON equal to the gateway's: {same}")
    sql = ", ".join(f"page {first}: {c} + {m} = {c + m}" for first, (c, m) in sorted(report.sql.items()))
    print(f"SQL statements per gateway request (customers + marketing): {sql}")
    totals = {first: sum(parts) for first, parts in report.sql.items()}
    equal = "yes" if len(set(totals.values())) == 1 else "no"
    print(f"SQL statements per request equal at {' and '.join(map(str, PAGE_SIZES))}: {equal}")
    if report.peak is not None:
        print(*peak_lines(report.peak), sep="\n")
    print(*goals(report), sep="\n")
    for r in report.totals:
        if r.errors:
            print(f"first error of {r.target} at page {r.first or 'me'}: {r.errors[0]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.bench_morning", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--customers", type=int, help=f"customers of the manager ({MorningConfig.customers})")
    parser.add_argument(
        "--duration", type=float, help=f"seconds per target and page size ({MorningConfig.duration:g})"
    )
    parser.add_argument("--rounds", type=int, help=f"alternating rounds ({MorningConfig.rounds})")
    parser.add_argument("--concurrency", type=int, help=f"requests in flight ({MorningConfig.concurrency})")
    parser.add_argument(
        "--identity",
        choices=[m.value for m in Identity],
        help="the baseline's identity check (signed, the default: the gateway's HMAC, the token verified "
        "once per process, in-process revocations, as subgraphs do; full: ES256 + Redis every request; none)",
    )
    parser.add_argument("--no-trivial", action="store_true", help="skip the trivial operation")
    parser.add_argument("--no-baseline", action="store_true", help="the gateway alone")
    parser.add_argument("--peak", type=int, help="then this many morning requests at once (e.g. 1200)")
    parser.add_argument("--tail", type=float, help="seconds to watch the subgraphs after the peak (10)")
    parser.add_argument("--smoke", action="store_true", help="seconds-long sizes")
    parser.add_argument("--gateway", help="run against this stack's gateway (http://…/graphql)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    base = SMOKE if args.smoke else MorningConfig()
    overrides: dict[str, Any] = {
        k: getattr(args, k)
        for k in ("customers", "duration", "rounds", "concurrency", "peak", "tail")
        if getattr(args, k) is not None
    }
    if args.identity:
        overrides["identity"] = Identity(args.identity)
    config = replace(
        base,
        **overrides,
        trivial=not args.no_trivial,
        baseline=not args.no_baseline,
        progress=not args.no_progress,
    )
    if config.customers < max(PAGE_SIZES):
        print(f"bench_morning: need at least {max(PAGE_SIZES)} customers", file=sys.stderr)
        return 2
    if config.rounds < 1 or config.concurrency < 1:
        print("bench_morning: --rounds and --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        return report_on_stack(
            "DCMS Graph H5 morning page (早间首页) vs the baseline",
            args.gateway,
            lambda: start_stack(50, False, VAR_DIR, "MORNING", 4400),
            lambda settings, gateway_url: run(config, settings, gateway_url),
            print_report,
            "errors, a baseline answer unlike the gateway's, or SQL statements that grow with the page size",
        )
    except (RuntimeError, TimeoutError) as exc:  # the baseline did not come up
        print(f"bench_morning: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
