"""The replicas recipe (subgraphs/replicas.py, docs/deploy.md) proven on one machine: two
``dcms serve`` replicas and two gateways behind HAProxy, on a scratch PostgreSQL database and a
``redis-server`` of their own, in dev mode with a little demo data.

1. An event crosses processes: a subscriber on a gateway whose supergraph names replica A only
   gets the alert raised through a gateway whose supergraph names replica B only (Redis fan-out,
   or the outbox each feed reads every second).
2. A job runs once across replicas: both replicas run the reminder job every second; a 日程 due
   now makes one reminder row, one outbox event, one delivery to the subscriber.
3. Behind HAProxy, login lockout counts the caller's address (HAProxy's X-Forwarded-For).
4. A replica killed (``kill -9``) mid-load: writers send idempotent ``raiseAlert``s through
   HAProxy, retrying (same idempotencyKey) on any failure; every write ends acknowledged and
   every acknowledged alert is in the database, once.

The tests run in this order on one module-scoped set (the last one kills a replica). PostgreSQL +
Redis pass only (marker ``faults`` as well: the embedded pass deselects it).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.replicas import Layout, ReplicaSet, compose_supergraph
from tests.support import services
from tests.support.stack import free_port
from tests.support.ws import Socket

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
ALERTS = "subscription { alerts { eventId alert { title } } }"
REMINDERS = "subscription { reminders { eventId reminder { id title } } }"
ADD_ITEM = "mutation($i: ScheduleItemInput!) { addScheduleItem(input: $i) { id } }"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"
DEMO_PASSWORD = "Dcms@2026demo"
WRITES, WRITERS, KILL_AFTER = 60, 4, 15


@dataclass
class Running:
    replica_set: ReplicaSet
    env: dict[str, str]
    database_url: str
    pinned: tuple[str, str]  # ws URLs of the gateways naming replica A only, replica B only
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return self.replica_set.layout

    def token(self, username: str) -> str:
        """A seeded demo user's access token: its login through HAProxy (dev-mode demo password)."""
        if username not in self.tokens:
            body = httpx.post(
                self.layout.gateway_url,
                json={"query": LOGIN, "variables": {"u": username, "p": DEMO_PASSWORD}},
                timeout=30,
            ).json()
            self.tokens[username] = body["data"]["login"]["accessToken"]
        return self.tokens[username]


def dcms(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "subgraphs.cli", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def require_haproxy() -> None:
    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        services.missing("HAProxy (apt-get install haproxy)")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    if services.STORAGE != "real":
        pytest.skip("replicas share state through PostgreSQL and Redis: the PostgreSQL + Redis pass only")
    services.require_redis()  # its server binary is what the set runs
    services.require_node()
    require_haproxy()
    workdir = tmp_path_factory.mktemp("replicas")
    with contextlib.ExitStack() as cleanup:  # stopped in reverse: gateways, replicas, database, Redis
        redis_port = free_port()
        redis = services.redis_server(redis_port)
        cleanup.callback(services.stop, redis)
        database_url = cleanup.enter_context(services.scratch_database("dcms_replicas"))
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DCMS_VAR_DIR": str(workdir / "var"),
            "DCMS_KEYS_DIR": str(workdir / "var" / "keys"),
            "DCMS_DEV": "1",
            # The gateways sign what they send (as in production): a replica then believes the
            # caller's address they report (x-dcms-client-ip), not its peer, HAProxy.
            "DCMS_GATEWAY_HMAC_SECRET": "replicas-" + uuid.uuid4().hex,
            "DCMS_MQTT_URL": "off",
            "DCMS_RATE_LIMIT": "0",
            "DCMS_MAX_SUBSCRIPTIONS_PER_USER": "0",
            "DCMS_FEED_SYNC_SECONDS": "1",
            "DCMS_REMINDER_JOB_SECONDS": "1",  # both replicas run it every second
            "DCMS_DB_POOL_MAX": "4",
        }
        phases: dict[str, float] = {"start": time.monotonic()}
        dcms(env, "migrate")  # dev mode: also makes the keys every process then shares
        phases["migrate"] = time.monotonic()
        dcms(env, "seed", "--customers", "10")
        phases["seed"] = time.monotonic()
        layout = Layout(
            replica_ports=(free_port(), free_port()),
            gateway_ports=(free_port(), free_port()),
            port=free_port(),
            subgraph_port=free_port(),
            stats_port=free_port(),
        )
        replica_set = ReplicaSet(layout, env, workdir)
        cleanup.callback(replica_set.stop)
        replica_set.start_replicas()
        phases["replicas"] = time.monotonic()
        pinned: list[tuple[str, subprocess.Popen[bytes]]] = []
        for index, name in enumerate(("a", "b")):  # beside the set's own gateways, not behind HAProxy
            supergraph = compose_supergraph(workdir, layout.replica_url(index), f"supergraph-{name}")
            port = free_port()
            process = start_gateway(
                port, supergraph, env=env, log_file=workdir / "log" / f"pinned-{name}.log"
            )
            cleanup.callback(services.stop, process)
            pinned.append((f"http://127.0.0.1:{port}", process))
        replica_set.start_gateways()
        for url, process in pinned:
            wait_until_up(f"{url}/healthcheck", process, timeout=90)
        phases["gateways"] = time.monotonic()
        replica_set.start_front()
        phases["haproxy"] = time.monotonic()
        marks = list(phases.items())
        print(
            "\nset up (s): " + ", ".join(f"{k} {t - p:.1f}" for (_, p), (k, t) in itertools.pairwise(marks))
        )
        ws_a, ws_b = (f"{url.replace('http://', 'ws://')}/graphql" for url, _ in pinned)
        yield Running(replica_set, env, database_url, (ws_a, ws_b))


async def gql(url: str, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            url, json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return dict(body["data"])


async def org_of(url: str, token: str) -> str:
    return str((await gql(url, "{ me { org { id } } }", {}, token))["me"]["org"]["id"])


async def next_data(socket: Socket, field_name: str, within: float) -> dict[str, Any]:
    message = await socket.next(within)
    assert message["type"] == "next" and not message["payload"].get("errors"), message
    return dict(message["payload"]["data"][field_name])


# -- 1. an event crosses gateways and replicas ------------------------------------------------------


async def test_a_subscriber_on_replica_a_gets_the_event_of_a_write_on_replica_b(running: Running) -> None:
    token = running.token("ops")
    via_b = running.pinned[1].replace("ws://", "http://")
    org = await org_of(via_b, token)
    socket = await Socket.open(running.pinned[0], token)
    try:
        await socket.subscribe("1", ALERTS)
        # Raise through B until one arrives on A (the first may precede the subscription upstream).
        for attempt in range(40):
            title = f"跨副本{attempt}"
            variables = {"i": {"orgId": org, "level": "INFO", "title": title}}
            await gql(via_b, RAISE, variables, token)
            try:
                event = await next_data(socket, "alerts", within=0.5)
            except TimeoutError:
                continue
            assert event["alert"]["title"].startswith("跨副本")
            return
        raise AssertionError("no alert raised through gateway B / replica B reached gateway A / replica A")
    finally:
        await socket.close()


# -- 2. a job runs once across replicas -------------------------------------------------------------


async def _reminder_of(socket: Socket, marker: str, seen: list[str], within: float = 30.0) -> None:
    """Read reminder events (keeping their titles in ``seen``) until one names ``marker``."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            event = await next_data(socket, "reminders", within=deadline - time.monotonic())
        except TimeoutError:
            break
        seen.append(event["reminder"]["title"])
        if marker in seen[-1]:
            return
    raise AssertionError(f"no reminder about {marker} within {within:.0f}s: {seen}")


async def _add_item(url: str, token: str, title: str) -> str:
    """A 日程 whose reminder is due now (it stays due for a day: nothing here races the clock)."""
    starts = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    item = {"title": title, "startsAt": starts, "remindMinutesBefore": 1}
    return str((await gql(url, ADD_ITEM, {"i": item}, token))["addScheduleItem"]["id"])


async def test_the_reminder_job_of_two_replicas_delivers_a_due_item_once(running: Running) -> None:
    token = running.token("manager")
    url = running.layout.gateway_url  # through HAProxy, either gateway, either replica
    socket = await Socket.open(url.replace("http://", "ws://"), token)
    seen: list[str] = []
    try:
        await socket.subscribe("1", REMINDERS)
        for attempt in range(10):  # until a probe's reminder arrives: the subscription is live
            probe = f"探针{attempt}-{uuid.uuid4().hex[:4]}"
            await _add_item(url, token, probe)
            try:
                await _reminder_of(socket, probe, seen, within=5)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError(f"the reminders subscription never went live: {seen}")
        markers = [f"副本日程{uuid.uuid4().hex[:6]}", f"副本日程{uuid.uuid4().hex[:6]}"]
        ids = []
        for marker in markers:  # the second one's reminder: the jobs ran on past the first
            ids.append(await _add_item(url, token, marker))
            await _reminder_of(socket, marker, seen)
    finally:
        await socket.close()
    assert sum(markers[0] in title for title in seen) == 1, seen
    connection = await asyncpg.connect(running.database_url)
    try:
        rows = await connection.fetch(
            "SELECT id FROM customers.reminder WHERE source_key LIKE $1", f"schedule:{ids[0]}:%"
        )
        assert len(rows) == 1, rows
        events = await connection.fetchval(
            "SELECT count(*) FROM customers.outbox_event WHERE type = 'reminder.created' AND payload::text LIKE $1",
            f"%{rows[0]['id']}%",
        )
        assert events == 1
    finally:
        await connection.close()


# -- 3. the caller's address behind HAProxy ---------------------------------------------------------


async def test_lockout_counts_the_callers_address_behind_haproxy(running: Running) -> None:
    """The gateways trust HAProxy's X-Forwarded-For (gateway/client_address.ts), not the client's:
    a failed login from 127.0.0.2 with a forged header counts for 127.0.0.2, not for HAProxy's
    127.0.0.1 (every caller would share that lockout) nor for the forged address."""
    username = f"nobody{uuid.uuid4().hex[:6]}"  # unknown usernames count failures the same way
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(transport=transport, timeout=30) as client:
        response = await client.post(
            running.layout.gateway_url,
            json={"query": LOGIN, "variables": {"u": username, "p": "wrong-Password-1"}},
            headers={"x-forwarded-for": "10.9.9.9"},
        )
    assert response.json()["errors"], response.text
    redis = Redis.from_url(running.env["REDIS_URL"])
    try:
        keys = [key.decode() async for key in redis.scan_iter(match=f"*failures-at:* {username}")]
    finally:
        await redis.aclose()
    assert [key.split("failures-at:")[1] for key in keys] == [f"127.0.0.2 {username}"], keys


# -- 4. a replica killed mid-load -------------------------------------------------------------------


@dataclass
class Writes:
    url: str
    token: str
    org: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotencyKey → alert id
    failures: list[str] = field(default_factory=list)  # what each retried attempt got
    enough: asyncio.Event = field(default_factory=asyncio.Event)  # KILL_AFTER acknowledged

    async def write(self, client: httpx.AsyncClient, key: str, title: str) -> None:
        """One alert, sent again with the same key until it is acknowledged (60 s at most)."""
        variables = {"i": {"orgId": self.org, "level": "INFO", "title": title, "idempotencyKey": key}}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                response = await client.post(
                    self.url,
                    json={"query": RAISE, "variables": variables},
                    headers={"authorization": f"Bearer {self.token}"},
                )
                body = response.json() if response.status_code == 200 else {}
                if body.get("data") and not body.get("errors"):
                    self.acknowledged[key] = body["data"]["raiseAlert"]["id"]
                    if len(self.acknowledged) >= KILL_AFTER:
                        self.enough.set()
                    return
                codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
                self.failures.append(f"HTTP {response.status_code} {codes}")
            except (httpx.HTTPError, ValueError) as error:
                self.failures.append(repr(error))
            await asyncio.sleep(0.1)
        raise AssertionError(f"{title} never acknowledged: {self.failures[-5:]}")

    async def writer(self, keys: asyncio.Queue[str]) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            while not keys.empty():
                key = keys.get_nowait()
                await self.write(client, key, f"负载{key[:8]}")


async def test_a_replica_killed_mid_load_loses_no_acknowledged_write(running: Running) -> None:
    token = running.token("ops")
    url = running.layout.gateway_url
    writes = Writes(url, token, await org_of(url, token))
    keys: asyncio.Queue[str] = asyncio.Queue()
    for _ in range(WRITES):
        keys.put_nowait(uuid.uuid4().hex)
    started = time.monotonic()
    writers = [asyncio.create_task(writes.writer(keys)) for _ in range(WRITERS)]
    enough = asyncio.create_task(writes.enough.wait())
    await asyncio.wait([enough, *writers], return_when=asyncio.FIRST_COMPLETED)
    enough.cancel()
    running.replica_set.kill_replica(1)  # kill -9 replica B, writes in flight
    killed_at = len(writes.acknowledged)
    await asyncio.gather(*writers)
    elapsed = time.monotonic() - started
    assert len(writes.acknowledged) == WRITES and killed_at < WRITES
    connection = await asyncpg.connect(running.database_url)
    try:
        rows = await connection.fetch(
            "SELECT idempotency_key, id::text AS id FROM operations.alert WHERE idempotency_key = ANY($1::text[])",
            list(writes.acknowledged),
        )
    finally:
        await connection.close()
    stored = {row["idempotency_key"]: row["id"] for row in rows}
    assert len(rows) == WRITES, "an alert stored twice or missing"
    assert set(stored) == set(writes.acknowledged)
    print(
        f"\n{WRITES} writes by {WRITERS} writers, replica B killed after {killed_at}: all acknowledged and "
        f"stored once, {len(writes.failures)} failed attempts retried, {elapsed:.1f}s; "
        f"failures: {sorted(set(writes.failures))[:5]}"
    )
