"""Grab-storm benchmark (抢单风暴) through the gateway: ``python -m loadtest.bench_grab``.

    .venv/bin/python -m loadtest.bench_grab [--grabbers 1000] [--institutions 10] [--needs 100]
        [--tries 10] [--hot 10] [--concurrency 100] [--smoke]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m loadtest.bench_grab

Starts a stack of its own like ``loadtest/bench_stream.py`` (``dcms up`` with
``DCMS_VAR_DIR=var/bench-grab``, gateway on 4300 and subgraphs on 4301, or free ports when those
are taken; override with ``DCMS_BENCH_GRAB_VAR_DIR``, ``DCMS_BENCH_GRAB_GATEWAY_PORT``,
``DCMS_BENCH_GRAB_PORT``), with the rate limit off and the admission bounds (``DCMS_MAX_IN_FLIGHT``,
``DCMS_GATEWAY_MAX_IN_FLIGHT``) above the concurrency unless set. The SQLite files of ``var/bench-grab`` are
removed first, so every run starts from the same seed (``--keep-data`` keeps them).
``DATABASE_URL`` / ``REDIS_URL`` are passed through, so the same command measures PostgreSQL +
Redis. ``--gateway URL`` runs against a stack that is already up instead (its database is then
the one ``DATABASE_URL`` / ``DCMS_VAR_DIR`` of this environment name; tests/loadtest/test_bench_grab_smoke.py
does the same with the test stack by calling ``run``).

Arranged straight in the database (as testkit/factories.py does; ``make_org`` and ``token_for``
are imported from there), under a fresh province union so runs never share rows:

* ``--institutions`` certified institutions (orgs of kind INSTITUTION), ``--grabbers`` account
  managers (role FI_ACCOUNT_MANAGER, ``institution_id`` set) dealt round-robin over them — by
  default 10 × 100 — each with a token of its own signed with the stack's key;
* ``--needs`` open financing needs, each open to every institution (a ``NeedMatch`` per pair) and
  taking ``--places`` institutions (``max_institutions``, N = 3 by default);
* ``--products`` LISTED products spread over the institutions, for the listing query.

The storm. Every grabber picks ``--tries`` distinct needs at random (10 of 100 by default: 10,000
grabs, ~100 per need, ~10 per institution per need). The grabs are queued clustered by need: the
needs are shuffled into waves of ``--hot`` needs, and a wave's grabs (shuffled among themselves)
are queued before the next wave's. ``--concurrency`` workers (one HTTP connection each) take grabs
off the queue in order, so ~concurrency/hot grabs of one need are in flight at once, from
colleagues of one institution and from rival institutions alike: the moment a need lands in the
pool and everyone pounces, for ``hot`` needs at a time, back to back. (``--hot`` = ``--needs``
spreads the grabs evenly instead: hardly two grabs of one need in flight together, so little real
contention; ``--hot 1`` makes one need at a time the hot row.) Each grab is
``mutation Grab($id: ID!) { grabNeed(id: $id) { id status institution { id } } }`` with the
grabber's token and a distinct ``x-request-id`` (the gateway de-duplicates identical in-flight
requests). The queue is not paced: it measures how fast the stack answers when it is kept busy.

The figures:

* requests — grabs sent; answered — with a GraphQL answer (errors or data); grabs won — answered
  with a Handling; wall s — first send → last answer; requests/s and won grabs/s over that wall.
* latency p50/p95/p99/max — send → answer of each request (its wait for a free worker is not
  counted: that is the client's queue, not the server), of all requests and of the won ones.
* errors by code — ``extensions.code`` of each failed request's first error (``HTTP <status>`` or
  the transport exception when there was no GraphQL answer); CONFLICT is split by message: "no
  place left" (the need is full) and "already grabbed by your institution" (a colleague won).
* time to fill — per need that got all N winners: its first grab sent → its last won grab
  answered (p50 / max over those needs).
* contention — per need: the peak number of its grabs in flight at once (median / max over the
  needs), and the institutions that tried it (mean).
* winners per need — from the answers: how many needs ended with 0, 1, 2, 3 … winners; the largest
  number of winners of one institution on one need (must be 1) and of institutions on one need
  (must be ≤ N).
* consistent — checked against the database after the storm: for every need, its handlings are
  exactly the won grabs (same institutions, same account managers), one per institution, at most
  N of them, ``grab_count`` equals their number and the status is HANDLING when full and OPEN
  otherwise; no won grab is missing from the database. "under-filled" counts needs left with a
  free place although more institutions than were let in tried (a lost place; reported, and a
  failure).
* SQL statements per request of ``financialProducts(first: 10)`` and ``(first: 100)``
  (``{ edges { node { id name rating institution { id name } } } }``), executed in this process on
  the finance schema as its endpoint would (testkit/inprocess.py) with the statements counted by
  testkit/sqlcount.py's hook (both imported from testkit/): a constant number whatever the page size
  (no N+1), so the two must be equal.
* CPU % — of the whole machine, and of this (client) process, over the storm's wall time
  (100 = one core): the clients share the machine's cores with the stack.
* stack CPU ms per grab — CPU time (``/proc``, loadtest/cpu.py) of the gateway, the subgraphs'
  processes, and with PostgreSQL its backends of the stack's database and Redis, over the storm,
  per grab sent, and the grabs per second one core would answer at that cost: unlike requests/s,
  it hardly depends on what else the machine is running.
* database connections (PostgreSQL only) — ``pg_stat_activity`` of the stack's database sampled
  every 50 ms during the storm from a connection of this process: the busy connections (active
  or idle in a transaction) on average, and what share of them was waiting on the audit chain's
  lock (``wait_event_type`` Lock, ``wait_event`` advisory: the only advisory lock anything waits
  for; the jobs only try theirs), waiting on another lock (a row, a transaction id), idle in a
  transaction (the server's Python working between two statements of a transaction) and running.
  "lock waits on the audit chain" is the number of samples where any connection waited on it.

Exit code 0 when the storm won grabs, every error was a CONFLICT, the database is consistent and
both SQL counts are equal; 1 otherwise; 2 when the stack did not come up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import ssl
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse
from uuid import UUID

import httpx
from tqdm import tqdm

from loadtest.common import (
    bulk_create,
    cpu_seconds,
    machine_busy_seconds,
    percentile,
    report_on_stack,
    start_stack,
)
from loadtest.cpu import CpuMeter, by_port, database_and_broker, format_ms, ms_per_request
from models.finance import (
    FinancialProduct,
    FinancingNeed,
    GuaranteeMethod,
    Handling,
    Institution,
    InstitutionKind,
    NeedMatch,
    NeedStatus,
    ProductStatus,
)
from models.operations import Org, OrgKind, User
from subgraphs.settings import Settings
from testkit.factories import make_org, token_for
from testkit.inprocess import execute
from testkit.sqlcount import counted

VAR_DIR = Path(os.environ.get("DCMS_BENCH_GRAB_VAR_DIR", "var/bench-grab"))
R = TypeVar("R")

GRAB = "mutation Grab($id: ID!) { grabNeed(id: $id) { id status institution { id } } }"
LISTING = (
    "query($first: Int!) { financialProducts(first: $first) "
    "{ edges { node { id name rating institution { id name } } } } }"
)
PAGE_SIZES = (10, 100)
CHUNK = 200  # rows per bulk insert
NO_PLACE = "no place left"
COLLEAGUE = "already grabbed by your institution"


@dataclass(frozen=True)
class GrabConfig:
    grabbers: int = 1000
    institutions: int = 10
    needs: int = 100
    tries: int = 10  # needs each grabber tries
    hot: int = 10  # needs stormed at once (a wave)
    concurrency: int = 100  # requests in flight at most (one HTTP connection each)
    places: int = 3  # N: institutions per need (max_institutions)
    products: int = 120  # LISTED products for the listing query
    timeout: float = 120.0  # seconds per request
    seed: int = 2026
    progress: bool = True

    def check(self) -> None:
        if not 1 <= self.institutions <= self.grabbers:
            raise ValueError("need 1 ≤ institutions ≤ grabbers")
        if not 1 <= self.tries <= self.needs:
            raise ValueError("need 1 ≤ tries ≤ needs")
        if self.hot < 1 or self.concurrency < 1 or self.places < 1:
            raise ValueError("hot, concurrency and places must be positive")
        if self.products < max(PAGE_SIZES):
            raise ValueError(f"need at least {max(PAGE_SIZES)} products for the listing at first=100")


# Seconds long: 40 grabbers of 4 institutions, each trying all of 5 needs (200 grabs).
SMOKE = GrabConfig(grabbers=40, institutions=4, needs=5, tries=5, hot=5, concurrency=20)


# -- arrange ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grabber:
    user_id: UUID
    institution: int  # index into Arena.institution_ids
    token: str


@dataclass
class Arena:
    tag: str
    institution_ids: list[UUID]
    grabbers: list[Grabber]
    need_ids: list[UUID]
    setup_s: float = 0.0


def _bar(config: GrabConfig, total: int, desc: str, unit: str = "row") -> tqdm[Any]:
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not config.progress, leave=False)


async def _bulk(config: GrabConfig, rows: Sequence[Any], desc: str) -> None:
    await bulk_create(rows, desc, CHUNK, config.progress)


async def arrange(config: GrabConfig, settings: Settings) -> Arena:
    """Institutions, grabbers with tokens, products, and needs open to every institution."""
    started = time.perf_counter()
    rng = random.Random(config.seed)
    tag = uuid.uuid4().hex[:6]
    root = await make_org(f"压测省联社{tag}", OrgKind.PROVINCE_UNION)
    bank = await make_org(f"压测农商银行{tag}", OrgKind.MEMBER_BANK, root, own_tenant=True)
    kinds = list(InstitutionKind)
    orgs: list[Org] = []
    institutions: list[Institution] = []
    with _bar(config, config.institutions, "institutions", "inst") as bar:
        for i in range(config.institutions):
            org = await make_org(f"压测机构{i + 1}-{tag}", OrgKind.INSTITUTION, root, own_tenant=True)
            institution = await Institution.create(
                org_id=org.id,
                org_path=org.path,
                name=org.name,
                kind=kinds[i % len(kinds)],
                certified=True,
            )
            orgs.append(org)
            institutions.append(institution)
            bar.update()
    users = [
        User(
            username=f"grab{tag}-{n:05d}",
            display_name=f"抢单经理{n + 1}",
            org=orgs[n % config.institutions],
            roles=["FI_ACCOUNT_MANAGER"],
            tenant_id=orgs[n % config.institutions].id,
            institution_id=institutions[n % config.institutions].id,
        )
        for n in range(config.grabbers)
    ]
    await _bulk(config, users, "grabbers")
    grabbers: list[Grabber] = []
    with _bar(config, len(users), "tokens", "token") as bar:
        for n, user in enumerate(users):
            index = n % config.institutions
            grabbers.append(Grabber(user.id, index, token_for(user, orgs[index], settings)))
            bar.update()
    products = [
        FinancialProduct(
            institution=institutions[n % config.institutions],
            name=f"压测经营贷{n + 1}",
            guarantee_method=GuaranteeMethod.CREDIT,
            min_amount=Decimal("1000"),
            max_amount=Decimal("5000000"),
            rate_min=Decimal("3.850"),
            rate_max=Decimal("6.500"),
            term_months=60,
            status=ProductStatus.LISTED,
            rating=Decimal(rng.randint(5000, 9999)) / 100,
        )
        for n in range(config.products)
    ]
    await _bulk(config, products, "products")
    needs = [
        FinancingNeed(
            order_no=f"NB{tag}{n:05d}",
            applicant_user_id=uuid.uuid4(),
            tenant_id=bank.id,
            amount=Decimal("500000"),
            term_months=12,
            purpose="购买原材料",
            region="贵阳市",
            industry="批发零售",
            contact_name="王建国",
            contact_phone="13912345678",
            max_institutions=config.places,
        )
        for n in range(config.needs)
    ]
    await _bulk(config, needs, "needs")
    matches = [NeedMatch(need_id=need.id, institution_id=i.id) for need in needs for i in institutions]
    await _bulk(config, matches, "need matches")
    return Arena(
        tag=tag,
        institution_ids=[i.id for i in institutions],
        grabbers=grabbers,
        need_ids=[need.id for need in needs],
        setup_s=time.perf_counter() - started,
    )


# -- the storm -------------------------------------------------------------------------------------


@dataclass
class Attempt:
    grabber: int
    need: int
    started: float = 0.0  # perf_counter
    ended: float = 0.0
    outcome: str = ""  # "ok", an error code, "HTTP <status>" or a transport error
    message: str = ""
    handling_id: str | None = None
    institution_id: str | None = None  # as answered

    @property
    def answered(self) -> bool:
        """A GraphQL answer came back: the grab's Handling or an error with a code."""
        return not self.outcome.startswith(("HTTP ", "transport "))


def plan(config: GrabConfig, rng: random.Random) -> list[Attempt]:
    """Each grabber's ``tries`` needs, queued wave by wave (``hot`` needs a wave), shuffled within."""
    order = list(range(config.needs))
    rng.shuffle(order)
    wave = {need: position // config.hot for position, need in enumerate(order)}
    attempts = [
        Attempt(grabber, need)
        for grabber in range(config.grabbers)
        for need in rng.sample(range(config.needs), config.tries)
    ]
    keyed = [(wave[a.need], rng.random(), a) for a in attempts]
    keyed.sort(key=lambda item: item[:2])
    return [a for _, _, a in keyed]


def _outcome(attempt: Attempt, response: httpx.Response) -> None:
    try:
        payload = response.json()
    except ValueError:
        attempt.outcome, attempt.message = f"HTTP {response.status_code}", response.text[:200]
        return
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors:
        first = errors[0]
        attempt.outcome = str((first.get("extensions") or {}).get("code") or "NO_CODE")
        attempt.message = str(first.get("message", ""))[:200]
        return
    grab = ((payload or {}).get("data") or {}).get("grabNeed") if isinstance(payload, dict) else None
    if response.status_code != 200 or not grab:
        attempt.outcome, attempt.message = f"HTTP {response.status_code}", response.text[:200]
        return
    attempt.outcome = "ok"
    attempt.handling_id = grab["id"]
    attempt.institution_id = (grab.get("institution") or {}).get("id")


@dataclass
class Activity:
    """``pg_stat_activity`` samples of the stack's database during the storm."""

    samples: int = 0
    busy: int = 0  # connection-samples active or idle in a transaction
    chain_lock: int = 0  # waiting on an advisory lock: the audit chain's
    other_lock: int = 0  # waiting on another lock (a row, a transaction id)
    idle_in_transaction: int = 0
    samples_with_chain_wait: int = 0

    def share(self, count: int) -> str:
        return f"{count / self.busy * 100:.0f} %" if self.busy else "-"


_ACTIVITY = """
SELECT state, wait_event_type, wait_event FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
  AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
"""


async def sample_activity(database_url: str, done: asyncio.Event, activity: Activity) -> None:
    """Sample ``pg_stat_activity`` every 50 ms until ``done``."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        while not done.is_set():
            rows = await conn.fetch(_ACTIVITY)
            activity.samples += 1
            activity.busy += len(rows)
            waits = 0
            for row in rows:
                if row["state"] != "active":
                    activity.idle_in_transaction += 1
                elif row["wait_event_type"] == "Lock" and row["wait_event"] == "advisory":
                    waits += 1
                elif row["wait_event_type"] == "Lock":
                    activity.other_lock += 1
            activity.chain_lock += waits
            activity.samples_with_chain_wait += 1 if waits else 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.05)
    finally:
        await conn.close()


def stack_meter(settings: Settings, gateway_url: str) -> CpuMeter:
    """The stack's processes by group: gateway and subgraphs by their listening ports, PostgreSQL's
    backends of the stack's database (and the cluster's workers), Redis by its port."""
    gateway_port = urlparse(gateway_url).port or 80
    database = urlparse(settings.database_url).path.lstrip("/") if settings.database_url else None
    redis_port = urlparse(settings.redis_url).port if settings.redis_url else None
    return CpuMeter(
        {
            "gateway": by_port(gateway_port),
            "subgraphs": by_port(settings.port),
            **(database_and_broker(database, redis_port or 6379) if settings.database_url else {}),
        }
    )


async def storm(
    config: GrabConfig,
    arena: Arena,
    gateway_url: str,
    database_url: str | None = None,
    meter: CpuMeter | None = None,
) -> StormResult:
    """The planned grabs through the gateway, ``concurrency`` at a time, in queue order.

    Each worker has an ``httpx.AsyncClient`` of its own bounded to one connection: one client
    with a pool of ``concurrency`` connections spends O(connections) CPU per request choosing
    one (httpcore 1.0), which at 100 connections made the client use more CPU than it measured."""
    attempts = plan(config, random.Random(config.seed + 1))
    queue = iter(attempts)
    bar = _bar(config, len(attempts), "storm", "grab")
    outcomes = Counter[str]()
    health = gateway_url.rsplit("/", 1)[0] + "/healthcheck"
    tls = ssl.create_default_context()  # unused over http://, but each client would load the CAs again

    async def worker(client: httpx.AsyncClient) -> None:
        for attempt in queue:  # one shared iterator: the workers take the grabs in queue order
            grabber = arena.grabbers[attempt.grabber]
            body = {"query": GRAB, "variables": {"id": str(arena.need_ids[attempt.need])}}
            headers = {"Authorization": f"Bearer {grabber.token}", "x-request-id": uuid.uuid4().hex}
            attempt.started = time.perf_counter()
            try:
                response = await client.post(gateway_url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                attempt.outcome, attempt.message = f"transport {type(exc).__name__}", str(exc)[:200]
            else:
                _outcome(attempt, response)
            finally:
                attempt.ended = time.perf_counter()
            outcomes[attempt.outcome] += 1
            bar.update()
            if bar.n % 50 == 0:
                bar.set_postfix_str(", ".join(f"{k} {v}" for k, v in outcomes.most_common(3)))

    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(timeout=config.timeout, limits=one, trust_env=False, verify=tls)
            )
            for _ in range(config.concurrency)
        ]
        # Connections first, so the storm does not start with `concurrency` TCP handshakes.
        await asyncio.gather(*(client.get(health) for client in clients))
        activity = Activity() if database_url else None
        done = asyncio.Event()
        sampler = (
            asyncio.create_task(sample_activity(database_url, done, activity))
            if database_url and activity
            else None
        )
        machine_before, client_before = machine_busy_seconds(), cpu_seconds([os.getpid()])
        stack_before = meter.sample() if meter else None
        started = time.perf_counter()
        try:
            await asyncio.gather(*(worker(client) for client in clients))
        finally:
            wall = time.perf_counter() - started
            machine_cpu = machine_busy_seconds() - machine_before
            client_cpu = cpu_seconds([os.getpid()]) - client_before
            stack_cpu = CpuMeter.spent(stack_before, meter.sample()) if meter and stack_before else {}
            done.set()
            if sampler:
                await sampler
    bar.close()
    return StormResult(
        attempts=attempts,
        wall_s=wall,
        machine_cpu_s=machine_cpu,
        client_cpu_s=client_cpu,
        activity=activity,
        stack_cpu_s=stack_cpu,
    )


@dataclass
class StormResult:
    attempts: list[Attempt]
    wall_s: float
    machine_cpu_s: float
    client_cpu_s: float
    activity: Activity | None = None
    stack_cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds per process group

    @property
    def won(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == "ok"]

    @property
    def codes(self) -> Counter[str]:
        return Counter(a.outcome for a in self.attempts if a.outcome != "ok")

    @property
    def conflict_reasons(self) -> Counter[str]:
        reasons = Counter[str]()
        for a in self.attempts:
            if a.outcome == "CONFLICT":
                reasons[
                    NO_PLACE if NO_PLACE in a.message else COLLEAGUE if COLLEAGUE in a.message else a.message
                ] += 1
        return reasons

    def winners(self, arena: Arena) -> dict[int, set[tuple[int, UUID]]]:
        """Need index → (institution index, account manager) of every won grab."""
        result: dict[int, set[tuple[int, UUID]]] = defaultdict(set)
        for a in self.won:
            grabber = arena.grabbers[a.grabber]
            result[a.need].add((grabber.institution, grabber.user_id))
        return result

    def fill_times(self, places: int) -> list[float]:
        """Per need that filled all its places: its first grab sent → its last won grab answered."""
        first: dict[int, float] = {}
        won: dict[int, list[float]] = defaultdict(list)
        for a in self.attempts:
            first[a.need] = min(first.get(a.need, a.started), a.started)
            if a.outcome == "ok":
                won[a.need].append(a.ended)
        return sorted(max(ends) - first[n] for n, ends in won.items() if len(ends) >= places)

    def peak_in_flight(self) -> list[int]:
        """Per need: the most of its grabs in flight at one moment."""
        events: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for a in self.attempts:
            if a.ended:
                events[a.need] += [(a.started, 1), (a.ended, -1)]
        peaks = []
        for need_events in events.values():
            need_events.sort()  # at equal times an end (-1) sorts before a start (+1)
            level = peak = 0
            for _, step in need_events:
                level += step
                peak = max(peak, level)
            peaks.append(peak)
        return peaks


# -- verify against the database -------------------------------------------------------------------


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    under_filled: int = 0  # needs with a free place although more institutions tried

    @property
    def consistent(self) -> bool:
        return not self.problems


async def verify(config: GrabConfig, arena: Arena, result: StormResult) -> Verification:
    check = Verification()
    index_of = {institution: i for i, institution in enumerate(arena.institution_ids)}
    stored: dict[UUID, list[tuple[UUID, UUID | None]]] = defaultdict(list)
    for row in await Handling.filter(need_id__in=arena.need_ids).values(
        "need_id", "institution_id", "handler_id"
    ):
        stored[row["need_id"]].append((row["institution_id"], row["handler_id"]))
    needs = {n.id: n for n in await FinancingNeed.filter(id__in=arena.need_ids)}
    winners = result.winners(arena)
    tried: dict[int, set[int]] = defaultdict(set)
    for a in result.attempts:
        tried[a.need].add(arena.grabbers[a.grabber].institution)
    for a in result.won:
        grabber = arena.grabbers[a.grabber]
        if a.institution_id != str(arena.institution_ids[grabber.institution]):
            check.problems.append(f"grab of need #{a.need}: answered institution {a.institution_id}")
    for n, need_id in enumerate(arena.need_ids):
        rows = stored.get(need_id, [])
        institutions = [index_of.get(i, -1) for i, _ in rows]
        label = f"need #{n}"
        if len(set(institutions)) != len(institutions):
            check.problems.append(f"{label}: an institution holds two handlings")
        if len(rows) > config.places:
            check.problems.append(f"{label}: {len(rows)} handlings > N = {config.places}")
        if -1 in institutions:
            check.problems.append(f"{label}: a handling of an institution outside the run")
        in_db = {(index_of.get(i, -1), h) for i, h in rows}
        answered = winners.get(n, set())
        if in_db != answered:
            check.problems.append(
                f"{label}: database has {len(in_db)} handling(s), the answers {len(answered)} won grab(s) "
                f"({len(in_db - answered)} only in the database, {len(answered - in_db)} only in answers)"
            )
        need = needs.get(need_id)
        if need is None:
            check.problems.append(f"{label}: gone from the database")
            continue
        if need.grab_count != len(rows):
            check.problems.append(f"{label}: grab_count {need.grab_count} ≠ {len(rows)} handlings")
        full = len(rows) >= need.max_institutions
        if need.status != (NeedStatus.HANDLING if full else NeedStatus.OPEN):
            check.problems.append(
                f"{label}: status {need.status} with {len(rows)} of {need.max_institutions}"
            )
        if not full and len(tried[n]) > len(rows):
            check.under_filled += 1
    if check.under_filled:
        check.problems.append(
            f"{check.under_filled} need(s) left with a free place although more institutions tried"
        )
    return check


# -- SQL statements per listing request ------------------------------------------------------------


async def listing_statements(settings: Settings, token: str) -> dict[int, int]:
    """Statements of one ``financialProducts(first: n)`` request, in this process, per page size."""
    await execute("finance", LISTING, {"first": max(PAGE_SIZES)}, token, settings=settings)  # warm-up
    counts: dict[int, int] = {}
    for first in PAGE_SIZES:
        statements, answer = await counted("finance", LISTING, {"first": first}, token, settings)
        edges = answer["financialProducts"]["edges"]
        if len(edges) != first:
            raise RuntimeError(f"financialProducts(first: {first}) returned {len(edges)} products")
        counts[first] = statements
    return counts


# -- the whole benchmark ---------------------------------------------------------------------------


@dataclass
class Report:
    config: GrabConfig
    arena: Arena
    storm: StormResult
    verification: Verification
    sql_counts: dict[int, int]

    @property
    def passed(self) -> bool:
        return (
            bool(self.storm.won)
            and set(self.storm.codes) <= {"CONFLICT"}
            and self.verification.consistent
            and len(set(self.sql_counts.values())) == 1
        )


async def run(config: GrabConfig, settings: Settings, gateway_url: str) -> Report:
    """The benchmark on a stack that is up (``gateway_url``), with the ORM of its database open in
    this process and its PII cipher installed: arrange, storm, verify, count statements."""
    config.check()
    arena = await arrange(config, settings)
    result = await storm(
        config, arena, gateway_url, settings.database_url, stack_meter(settings, gateway_url)
    )
    verification = await verify(config, arena, result)
    sql_counts = await listing_statements(settings, arena.grabbers[0].token)
    return Report(config, arena, result, verification, sql_counts)


# -- report ----------------------------------------------------------------------------------------


def _ms(values: Sequence[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    return " / ".join(f"{percentile(ordered, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99)) + (
        f" (max {ordered[-1] * 1000:.0f})"
    )


def rows(report: Report) -> list[tuple[str, str]]:
    config, storm_result, check = report.config, report.storm, report.verification
    attempts, won = storm_result.attempts, storm_result.won
    wall = storm_result.wall_s
    answered = sum(1 for a in attempts if a.answered)
    peaks = storm_result.peak_in_flight()
    fills = storm_result.fill_times(config.places)
    winners = storm_result.winners(report.arena)
    per_need = Counter(len({i for i, _ in winners.get(n, set())}) for n in range(config.needs))
    most_per_institution = max(
        (max(Counter(i for i, _ in pairs).values()) for pairs in winners.values() if pairs), default=0
    )
    tried: dict[int, set[int]] = defaultdict(set)
    for a in attempts:
        tried[a.need].add(report.arena.grabbers[a.grabber].institution)
    codes = storm_result.codes
    reasons = storm_result.conflict_reasons
    counts = report.sql_counts
    activity = storm_result.activity
    return [
        ("grabbers × institutions", f"{config.grabbers} in {config.institutions} institutions"),
        ("needs × places (N)", f"{config.needs} × {config.places}"),
        (
            "grabs per grabber / hot needs / in flight",
            f"{config.tries} / {config.hot} / {config.concurrency}",
        ),
        ("setup s", f"{report.arena.setup_s:.1f}"),
        ("requests / answered", f"{len(attempts)} / {answered}"),
        ("grabs won", str(len(won))),
        ("wall s", f"{wall:.2f}"),
        ("requests/s", f"{len(attempts) / wall:.1f}" if wall else "-"),
        ("won grabs/s", f"{len(won) / wall:.1f}" if wall else "-"),
        ("latency p50 / p95 / p99 ms, all", _ms([a.ended - a.started for a in attempts if a.ended])),
        ("latency p50 / p95 / p99 ms, won", _ms([a.ended - a.started for a in won])),
        ("errors by code", ", ".join(f"{code} {n}" for code, n in codes.most_common()) or "none"),
        (
            "  CONFLICT: no place left / colleague won",
            f"{reasons.get(NO_PLACE, 0)} / {reasons.get(COLLEAGUE, 0)}"
            + "".join(f" / {m!r} {n}" for m, n in reasons.items() if m not in (NO_PLACE, COLLEAGUE)),
        ),
        (
            "time to fill a need's places s (p50 / max)",
            f"{percentile(fills, 0.5):.2f} / {fills[-1]:.2f} ({len(fills)} filled)"
            if fills
            else "none filled",
        ),
        (
            "grabs of one need in flight (median / max)",
            f"{statistics.median(peaks):.0f} / {max(peaks)}" if peaks else "-",
        ),
        (
            "institutions trying one need (mean)",
            f"{statistics.mean(len(s) for s in tried.values()):.1f}" if tried else "-",
        ),
        (
            "winners per need (needs)",
            ", ".join(f"{k} winners: {per_need[k]}" for k in sorted(per_need, reverse=True)),
        ),
        (
            "most winners on one need: institutions / of one institution",
            f"{max(per_need)} / {most_per_institution}",
        ),
        ("consistent (database)", "yes" if check.consistent else "no"),
        ("SQL statements, financialProducts first=10 / 100", " / ".join(str(counts[n]) for n in PAGE_SIZES)),
        ("SQL statements equal", "yes" if len(set(counts.values())) == 1 else "no"),
        (
            "CPU % machine / client process",
            f"{storm_result.machine_cpu_s / wall * 100:.0f} / {storm_result.client_cpu_s / wall * 100:.0f}"
            if wall
            else "-",
        ),
        *(
            [
                (
                    "stack CPU ms per grab",
                    format_ms(ms_per_request(storm_result.stack_cpu_s, len(attempts))),
                ),
                (
                    "grabs/s per core at that CPU",
                    f"{1000 / ms_per_request(storm_result.stack_cpu_s, len(attempts))['total']:.0f}",
                ),
            ]
            if storm_result.stack_cpu_s and attempts
            else []
        ),
        *(
            [
                (
                    "DB connections busy (mean, active or in a transaction)",
                    f"{activity.busy / activity.samples:.1f} over {activity.samples} samples"
                    if activity.samples
                    else "-",
                ),
                (
                    "  waiting on the audit chain lock / another lock",
                    f"{activity.share(activity.chain_lock)} / {activity.share(activity.other_lock)}",
                ),
                ("  idle in transaction", activity.share(activity.idle_in_transaction)),
                (
                    "lock waits on the audit chain (samples with one)",
                    f"{activity.samples_with_chain_wait} of {activity.samples}",
                ),
            ]
            if activity
            else []
        ),
    ]


def print_report(report: Report, header: Sequence[str]) -> None:
    print()
    print(*header, sep="\n")
    table = rows(report)
    width = max(len(label) for label, _ in table)
    print("-" * (width + 40))
    for label, value in table:
        print(f"{label.ljust(width)}  {value}")
    samples: dict[str, str] = {}
    for a in report.storm.attempts:
        if a.outcome not in ("ok", "CONFLICT"):
            samples.setdefault(a.outcome, a.message)
    for code, message in samples.items():
        print(f"\nfirst {code}: {message}")
    for problem in report.verification.problems[:20]:
        print(f"INCONSISTENT {problem}")


# -- main ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.bench_grab", description=__doc__.split("\n\n")[0]
    )
    defaults = GrabConfig()
    parser.add_argument("--grabbers", type=int, help=f"account managers grabbing ({defaults.grabbers})")
    parser.add_argument(
        "--institutions", type=int, help=f"institutions they belong to ({defaults.institutions})"
    )
    parser.add_argument("--needs", type=int, help=f"financing needs in the pool ({defaults.needs})")
    parser.add_argument("--tries", type=int, help=f"needs each grabber tries ({defaults.tries})")
    parser.add_argument("--hot", type=int, help=f"needs stormed at once ({defaults.hot})")
    parser.add_argument(
        "--concurrency", type=int, help=f"requests in flight at most ({defaults.concurrency})"
    )
    parser.add_argument("--places", type=int, help=f"institutions per need, N ({defaults.places})")
    parser.add_argument("--products", type=int, help=f"listed products to create ({defaults.products})")
    parser.add_argument("--seed", type=int, help=f"random seed of the plan ({defaults.seed})")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"seconds-long sizes: {SMOKE.grabbers} grabbers, {SMOKE.institutions} institutions, "
        f"{SMOKE.needs} needs (the flags above override)",
    )
    parser.add_argument(
        "--gateway", help="run against this stack's gateway (http://…/graphql) instead of starting one"
    )
    parser.add_argument("--customers", type=int, default=50, help="customers the stack seeds (50)")
    parser.add_argument("--keep-data", action="store_true", help="keep var/bench-grab's SQLite files")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> GrabConfig:
    base = SMOKE if args.smoke else GrabConfig()
    names = ("grabbers", "institutions", "needs", "tries", "hot", "concurrency", "places", "products", "seed")
    overrides: dict[str, Any] = {
        name: getattr(args, name) for name in names if getattr(args, name) is not None
    }
    if args.smoke and "needs" in overrides and "tries" not in overrides:
        overrides["tries"] = min(base.tries, overrides["needs"])
    return replace(base, progress=not args.no_progress, **overrides)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = config_from(args)
    try:
        config.check()
    except ValueError as exc:
        print(f"bench_grab: {exc}", file=sys.stderr)
        return 2
    if not args.gateway:
        # The stack's admission bounds (subgraphs/admission.py) above the storm's concurrency: the
        # storm measures the grab path, not the refusal of excess operations (unless set here).
        for variable in ("DCMS_MAX_IN_FLIGHT", "DCMS_GATEWAY_MAX_IN_FLIGHT"):
            os.environ.setdefault(variable, str(max(256, 2 * config.concurrency)))
    return report_on_stack(
        "DCMS Graph grab storm (抢单风暴)",
        args.gateway,
        lambda: start_stack(args.customers, args.keep_data, VAR_DIR, "GRAB", 4300),
        lambda settings, gateway_url: run(config, settings, gateway_url),
        print_report,
        "no grab won, an error other than CONFLICT, inconsistent data or unequal SQL counts",
    )


if __name__ == "__main__":
    sys.exit(main())
