"""Device ingestion benchmark (设备接入压测, issue 16): ``python -m loadtest.bench_devices``.

    .venv/bin/python -m loadtest.bench_devices [--devices 1000] [--heartbeat 10] [--telemetry 1]
        [--duration 60] [--faults 5] [--gateway URL] [--smoke]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dcms_bench REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python -m loadtest.bench_devices

Starts a stack of its own (``dcms up`` in ``var/bench-devices``, gateway on 4600 and subgraphs on
4601 or free ports, its own bridge switched off: ``DCMS_MQTT_URL=off``), or runs against
``--gateway``. Arranged in the stack's database: a grid company with one hall, its manager (the
stream's subscriber) and ``--devices`` devices provisioned with fresh credentials. Then, over the
broker (``DCMS_MQTT_URL``, default the local Mosquitto):

- the MQTT bridge runs in this process (as ``dcms mqtt-bridge`` would beside the subgraphs), in a
  shared-subscription group of its own;
- the simulator (subgraphs/simulator.py) runs the devices: a heartbeat every ``--heartbeat`` s and
  telemetry every ``--telemetry`` s each, no random faults;
- ``--faults`` times a second a device, in turn, reports a ``fault`` event and then ``recovered``:
  the time from its MQTT publish to its status change arriving on the hall manager's
  ``deviceStatus`` stream through the gateway (WebSocket) is the latency measured;
- the baseline, in the same run at the same pace: a message published to the broker and received
  by a plain MQTT subscriber (the broker's own round trip, no bridge, database or gateway).

Printed: messages offered and ingested per second (accepted by ``ingest``; duplicates and refusals
apart), publish → stream latency p50/p95/p99/max and the baseline's, their p99 ratio, and database
bytes per device per day (the growth of the devices subgraph's storage during the run — PostgreSQL
``pg_total_relation_size`` of its tables, or the SQLite file — per device, scaled to 24 h). The
latency is only meaningful with Redis (``REDIS_URL``): with the in-memory broker the stack's
subscribers hear the bridge's events when their feed next reads the outbox (``DCMS_FEED_SYNC_SECONDS``).
Passes when every message offered was ingested (or counted a duplicate), none refused, and every
timed status change arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from tortoise import Tortoise

from clients.python.dcms_client import subscribe_ws
from loadtest.common import percentile, print_rows, report_on_stack, stack_arguments, start_stack
from models.operations import OrgKind
from realtime.mqtt import BrokerAddress, connect_client, end_session
from resolvers.devices.envelope import load_private
from resolvers.devices.registry import provision_devices
from security.sessions import session_store
from subgraphs.app import lockout_policy, realtime_for
from subgraphs.mqtt_bridge import make_bridge, serve
from subgraphs.settings import DEV_MQTT_URL, Settings
from subgraphs.simulator import SimulatedDevice, Simulator, SimulatorOptions, write_devices
from testkit.factories import make_org, make_user, token_for

VAR_DIR = Path("var/bench-devices")
STREAM = "subscription { deviceStatus { device { code status } } }"


@dataclass(frozen=True)
class DeviceConfig:
    devices: int = 1000
    heartbeat: float = 10.0
    telemetry: float = 1.0
    duration: float = 60.0
    faults: float = 5.0  # timed status changes a second
    mqtt_url: str = DEV_MQTT_URL


SMOKE = DeviceConfig(devices=20, heartbeat=2.0, telemetry=1.0, duration=4.0, faults=2.0)


@dataclass
class Report:
    config: DeviceConfig
    offered: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)  # publish → stream, seconds
    timed: int = 0  # status changes sent to be timed
    baseline: list[float] = field(default_factory=list)  # publish → plain MQTT subscriber
    storage_bytes: int = 0  # growth of the devices subgraph's storage during the run
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


TIMED_DEVICES = 10  # devices apart from the fleet whose fault / recovered events are timed


@dataclass
class Arena:
    fleet: list[tuple[str, str, str]]  # (tenant id, code, private key): the simulator process's
    timed: list[SimulatedDevice]  # this process's, for the timed status changes
    token: str  # the hall manager's: the stream's subscriber


async def arrange(config: DeviceConfig, settings: Settings) -> Arena:
    tag = uuid.uuid4().hex[:6].upper()
    company = await make_org(f"压测设备电网{tag}", OrgKind.GRID_COMPANY, own_tenant=True)
    hall = await make_org(f"压测设备营业厅{tag}", OrgKind.HALL, company)
    manager = await make_user(hall, ("HALL_MANAGER",), "压测厅经理")
    fleet = await provision_devices(hall.id, config.devices, f"B{tag}")
    timed = await provision_devices(hall.id, TIMED_DEVICES, f"L{tag}")
    return Arena(
        [(str(i.device.tenant_id), i.device.code, i.private_key) for i in fleet],
        [SimulatedDevice(str(i.device.tenant_id), i.device.code, load_private(i.private_key)) for i in timed],
        token_for(manager, hall, settings),
    )


async def fleet_process(config: DeviceConfig, arena: Arena, folder: Path) -> asyncio.subprocess.Process:
    """The simulated fleet in a process of its own (its signing and publishing would otherwise take
    the bridge's CPU), once it said "ready"."""
    devices = folder / "devices.json"
    write_devices(devices, arena.fleet)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "subgraphs.simulator",
        "--devices",
        str(devices),
        "--url",
        config.mqtt_url,
        "--heartbeat",
        str(config.heartbeat),
        "--telemetry",
        str(config.telemetry),
        "--duration",
        str(config.duration),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    if line.strip() != b"ready":
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process


async def storage_bytes(settings: Settings) -> int:
    """The devices subgraph's storage: its tables' total size (PostgreSQL) or its SQLite file."""
    connection = Tortoise.get_connection("devices")
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS size FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'devices' AND c.relkind = 'r'"
        )
        return int(rows[0]["size"])
    return sum(path.stat().st_size for path in settings.var_dir.glob("devices*.sqlite3*"))


async def baseline(config: DeviceConfig, stop: asyncio.Event, into: list[float]) -> None:
    """The broker's own publish → subscribe time at the timed pace, on a topic no bridge reads."""
    address = BrokerAddress.parse(config.mqtt_url)
    topic = f"bench/{uuid.uuid4().hex}/ping"
    async with (
        connect_client(address, None, persistent=False) as subscriber,
        connect_client(address, None, persistent=False) as publisher,
    ):
        await subscriber.subscribe(topic, qos=1)

        async def receive() -> None:
            async for message in subscriber.messages:
                if isinstance(message.payload, bytes):
                    into.append(time.perf_counter() - float(message.payload))

        receiver = asyncio.create_task(receive())
        while not stop.is_set():
            await publisher.publish(topic, str(time.perf_counter()).encode(), qos=1)
            await asyncio.sleep(1 / config.faults)
        await asyncio.sleep(0.5)
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiver


async def run(config: DeviceConfig, settings: Settings, gateway_url: str) -> Report:
    from dataclasses import replace

    settings = replace(settings, mqtt_url=config.mqtt_url)
    report = Report(config)
    arena = await arrange(config, settings)
    sessions = session_store(settings.redis_url, lockout_policy(settings))
    realtime = realtime_for(settings, sessions)
    await realtime.start([Tortoise.apps["devices"]["OutboxEvent"]])
    group = f"bench-{uuid.uuid4().hex[:8]}"
    bridge = make_bridge(realtime, settings, group=group, client_id=f"{group}-r1")
    bridge.topic_filter = f"dcms/{arena.timed[0].tenant_id}/+/+"  # the shared broker may carry others' units
    timed = Simulator(
        config.mqtt_url, arena.timed, SimulatorOptions(heartbeat=3600, telemetry=0, fault_rate=0)
    )
    pending: dict[str, tuple[str, float]] = {}  # device code → (status awaited, publish time)
    stop = asyncio.Event()

    async def listen() -> None:
        ws_url = gateway_url.replace("http://", "ws://")
        async for payload in subscribe_ws(ws_url, STREAM, None, arena.token):
            device = ((payload.get("data") or {}).get("deviceStatus") or {}).get("device") or {}
            awaited = pending.get(device.get("code", ""))
            if awaited is not None and device.get("status") == awaited[0]:
                report.latencies.append(time.perf_counter() - awaited[1])
                del pending[device["code"]]

    async def toggle() -> None:
        turn = 0
        while not stop.is_set():
            device = arena.timed[turn % len(arena.timed)]
            faulty = (turn // len(arena.timed)) % 2 == 0
            pending[device.code] = ("FAULT" if faulty else "ONLINE", time.perf_counter())
            report.timed += 1
            await timed.send(device, "event", {"type": "fault" if faulty else "recovered"})
            turn += 1
            await asyncio.sleep(1 / config.faults)

    tasks = [
        asyncio.create_task(serve(realtime, bridge)),
        asyncio.create_task(listen()),
        asyncio.create_task(timed.run()),
    ]
    try:
        await asyncio.wait_for(bridge.connected.wait(), 30)
        await asyncio.wait_for(timed.ready.wait(), 30)
        await asyncio.sleep(1.0)  # the subscription is open
        size_before = await storage_bytes(settings)
        with tempfile.TemporaryDirectory() as folder:
            fleet = await fleet_process(config, arena, Path(folder))
            start = time.perf_counter()
            baseline_task = asyncio.create_task(baseline(config, stop, report.baseline))
            toggler = asyncio.create_task(toggle())
            output, _ = await fleet.communicate()  # it runs for the duration
            stop.set()
            await toggler
        sent = orjson.loads(output.strip().splitlines()[-1])["sent"] if output.strip() else {}
        report.offered = sum(sent.values()) + sum(timed.sent.values())
        deadline = time.perf_counter() + 30  # the bridge drains what was offered
        while time.perf_counter() < deadline:
            counters = bridge.counters
            if counters.accepted + counters.duplicates + sum(counters.rejected.values()) >= report.offered:
                break
            await asyncio.sleep(0.1)
        report.wall = time.perf_counter() - start
        await asyncio.sleep(1.0)  # the last status changes reach the stream
        await baseline_task
        report.storage_bytes = await storage_bytes(settings) - size_before
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await realtime.stop()
        await sessions.close()
        await end_session(bridge.address, bridge.client_id)  # the broker keeps nothing for it
    report.accepted, report.duplicates = bridge.counters.accepted, bridge.counters.duplicates
    report.rejected = dict(bridge.counters.rejected)
    if report.accepted + report.duplicates < report.offered:
        report.problems.append(
            f"{report.offered - report.accepted - report.duplicates} messages not ingested"
        )
    if report.rejected:
        report.problems.append(f"refused: {report.rejected}")
    if len(report.latencies) < report.timed:
        report.problems.append(
            f"{report.timed - len(report.latencies)} status changes never reached the stream"
        )
    return report


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    return " / ".join(f"{percentile(ordered, q) * 1000:.1f}" for q in (0.5, 0.95, 0.99, 1.0))


def rows(report: Report) -> list[tuple[str, str]]:
    config = report.config
    offered_rate = config.devices * (1 / config.heartbeat + (1 / config.telemetry if config.telemetry else 0))
    p99, base99 = percentile(sorted(report.latencies), 0.99), percentile(sorted(report.baseline), 0.99)
    per_day = report.storage_bytes / max(1, config.devices) * 86400 / max(report.wall, 1e-9)
    return [
        (
            "devices / heartbeat s / telemetry s",
            f"{config.devices} / {config.heartbeat:g} / {config.telemetry:g}",
        ),
        (
            "messages offered (published)",
            f"{report.offered} in {report.wall:.1f} s (aimed {offered_rate:.0f}/s)",
        ),
        ("ingested messages/s", f"{report.accepted / max(report.wall, 1e-9):.0f}"),
        (
            "accepted / duplicates / refused",
            f"{report.accepted} / {report.duplicates} / {report.rejected or 0}",
        ),
        ("publish → deviceStatus p50/p95/p99/max ms", _ms(report.latencies)),
        ("baseline MQTT publish → subscribe p50/p95/p99/max ms", _ms(report.baseline)),
        ("stream p99 / baseline p99", f"{p99 / base99:.1f}×" if base99 else "-"),
        ("status changes timed / arrived", f"{report.timed} / {len(report.latencies)}"),
        ("database bytes per device per day", f"{per_day:,.0f}"),
    ]


def print_report(report: Report, header: list[str]) -> None:
    print_rows(header, rows(report), report.problems)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = DeviceConfig()
    parser.add_argument("--devices", type=int, default=defaults.devices)
    parser.add_argument("--heartbeat", type=float, default=defaults.heartbeat, help="seconds")
    parser.add_argument("--telemetry", type=float, default=defaults.telemetry, help="seconds")
    parser.add_argument("--duration", type=float, default=defaults.duration, help="seconds")
    parser.add_argument("--faults", type=float, default=defaults.faults, help="timed status changes a second")
    return stack_arguments(parser).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mqtt_url = Settings.from_env().mqtt_url or DEV_MQTT_URL
    config = (
        SMOKE
        if args.smoke
        else DeviceConfig(args.devices, args.heartbeat, args.telemetry, args.duration, args.faults, mqtt_url)
    )

    def start() -> Any:
        os.environ["DCMS_MQTT_URL"] = "off"  # the stack's own bridge: this process runs the bridge
        return start_stack(0, args.keep_data, VAR_DIR, "DEVICES", 4600)

    return report_on_stack(
        "DCMS Graph device ingestion (设备接入) over MQTT",
        args.gateway,
        start,
        lambda settings, gateway_url: run(config, settings, gateway_url),
        print_report,
        "a message not ingested or refused, or a status change that never reached the stream",
    )


if __name__ == "__main__":
    sys.exit(main())
