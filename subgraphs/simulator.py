"""设备模拟器 (device simulator, issue 16): N virtual interaction units over MQTT.

Each simulated device, from its provisioned credential (an Ed25519 key), publishes signed messages
(resolvers/devices/envelope.py) on ``dcms/<tenant>/<code>/<kind>``:

- a heartbeat every ``heartbeat`` seconds (status ONLINE, or FAULT while faulty);
- telemetry every ``telemetry`` seconds: cpu / memory / disk / temperature as bounded random walks;
- now and then (``fault_rate`` per device per second) a ``fault`` event, and a ``recovered`` event
  5–30 s later;
- an ``ack`` for each command arriving on its ``dcms/<tenant>/<code>/command``: ACKNOWLEDGED, or
  FAILED for ``fail_share`` of them, or no answer at all for ``silent_share`` (so timeouts happen).
  A command id seen before is not run again.

Connections: one MQTT connection per device is what real units hold, but 1,000 of them on two cores
cost more in the simulator than in what it measures. So the devices are spread over
``ceil(N / per_connection)`` connections (default 200 devices each); each publishes for its devices
under their own topics and signatures (the credential is per device, the topic names it; the broker
here allows anonymous connections, so no per-device broker login is simulated).

Used by ``dcms simulate devices`` (subgraphs/cli.py provisions the devices, then runs this), by
``make up`` (a small one for the demo) and by the benchmark (loadtest/bench_devices.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from realtime.mqtt import BrokerAddress, connect_client
from realtime.tasks import cancel
from resolvers.devices.envelope import command_topic, load_private, signed, up_topic

log = logging.getLogger(__name__)

TICK_SECONDS = 0.1
# A healthy device's usual readings (%, °C): the demo seed's day of telemetry has the same levels,
# so the baselines learned from it fit what the simulated devices send.
USUAL = {"cpu": 30.0, "memory": 55.0, "disk": 50.0, "temperature": 36.0}
# What a video analytics box (音视频分析盒) reports: (category, code, detail), seed 002's three kinds.
QUALITY_FINDINGS = (
    ("SERVICE_NORM", "no_greeting", "柜员未使用规范服务用语"),
    ("SERVICE_NORM", "left_post", "窗口人员离岗超过 5 分钟"),
    ("ABNORMAL_BEHAVIOUR", "loitering", "等候区人员长时间徘徊"),
    ("RISK_WARNING", "crowding", "等候区人员聚集"),
)


@dataclass
class SimulatedChild:
    """A device reporting through a simulated unit (智能互动单元): its heartbeats, and what its kind
    reports (a people counter its visitors, a video analytics box its service-quality findings)."""

    code: str
    kind: str  # a DeviceKind value
    silent: bool = False  # off the network (the demo's offline device): sends nothing
    faulty: bool = False  # reports FAULT in its heartbeats


@dataclass
class SimulatedDevice:
    tenant_id: str
    code: str
    key: Ed25519PrivateKey
    children: list[SimulatedChild] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=lambda: dict(USUAL))
    faulty_until: float | None = None  # monotonic time of the recovery, while faulty
    next_heartbeat: float = 0.0
    next_telemetry: float = 0.0
    next_visitors: float = 0.0
    commands_seen: set[str] = field(default_factory=set)

    def walk(self, rng: random.Random) -> dict[str, float]:
        """Each metric a small step, pulled back towards its usual level: a healthy device's readings
        stay within its baseline (基准线); a fault, not the walk, is what breaks it."""
        for name, value in self.metrics.items():
            usual = USUAL[name]
            self.metrics[name] = round(value + rng.uniform(-0.5, 0.5) + 0.1 * (usual - value), 1)
        return dict(self.metrics)


@dataclass
class SimulatorOptions:
    heartbeat: float = 10.0  # seconds between heartbeats
    telemetry: float = 1.0  # seconds between telemetry messages
    fault_rate: float = 0.0005  # faults per device per second
    fail_share: float = 0.1  # commands answered FAILED
    silent_share: float = 0.1  # commands never answered (they time out)
    per_connection: int = 200  # simulated devices per MQTT connection
    visitors: float = 60.0  # seconds between a people counter's visitor counts (客流)
    quality_rate: float = 1 / 600  # service-quality findings per analytics box per second
    seed: int | None = None


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Simulator:
    def __init__(
        self, url: str, devices: list[SimulatedDevice], options: SimulatorOptions | None = None
    ) -> None:
        self.address = BrokerAddress.parse(url)
        self.devices = devices
        self.options = options or SimulatorOptions()
        self.rng = random.Random(self.options.seed)
        self.sent: Counter[str] = Counter()  # kind → messages published (acknowledged by the broker)
        self.acks: Counter[str] = Counter()  # result → acks sent
        self.errors = 0
        self.ready = asyncio.Event()  # every connection up and subscribed to its command topics
        self.on_command: Callable[[SimulatedDevice, dict[str, Any]], None] | None = None
        self._clients: dict[str, aiomqtt.Client] = {}  # device code → its connection

    def message(
        self, device: SimulatedDevice, kind: str, data: dict[str, Any], child: str | None = None
    ) -> tuple[str, bytes]:
        """The topic and signed payload of one message of ``device`` (about its ``child``, if any)."""
        topic = up_topic(device.tenant_id, device.code, kind)
        body: dict[str, Any] = {"id": uuid.uuid4().hex, "at": now_iso(), "data": data}
        if child:
            body["device"] = child
        return topic, signed(topic, body, device.key)

    async def send(
        self, device: SimulatedDevice, kind: str, data: dict[str, Any], child: str | None = None
    ) -> None:
        """Publish one message now (QoS 1: returns once the broker has it)."""
        client = self._clients[device.code]
        topic, payload = self.message(device, kind, data, child)
        try:
            await client.publish(topic, payload, qos=1)
            self.sent[kind] += 1
        except aiomqtt.MqttError:
            self.errors += 1

    async def run(self, duration: float | None = None) -> None:
        """Run every device for ``duration`` seconds (None: until cancelled)."""
        size = max(1, self.options.per_connection)
        groups = [self.devices[i : i + size] for i in range(0, len(self.devices), size)]
        started = [asyncio.Event() for _ in groups]
        tasks = [
            asyncio.create_task(self._connection(group, up))
            for group, up in zip(groups, started, strict=True)
        ]
        try:
            await asyncio.gather(*(up.wait() for up in started))
            self.ready.set()
            if duration is None:
                await asyncio.gather(*tasks)
            else:
                await asyncio.sleep(duration)
        finally:
            await cancel(*tasks)

    async def _connection(self, devices: list[SimulatedDevice], up: asyncio.Event) -> None:
        backoff = 0.5
        while True:
            try:
                client = connect_client(self.address, None, persistent=False)
                # Hundreds of QoS 1 publishes in flight per connection is the point here, not a
                # backlog to warn about (aiomqtt logs one warning per publish above 10).
                client.pending_calls_threshold = 1_000_000
                async with client:
                    for device in devices:
                        self._clients[device.code] = client
                    topics = [(command_topic(d.tenant_id, d.code), 1) for d in devices]
                    for i in range(0, len(topics), 100):
                        await client.subscribe(topics[i : i + 100])
                    up.set()
                    backoff = 0.5
                    async with asyncio.TaskGroup() as tasks:
                        tasks.create_task(self._publish_loop(devices))
                        tasks.create_task(self._command_loop(client, {d.code: d for d in devices}))
            except* aiomqtt.MqttError as errors:
                log.warning("simulator: broker lost (%s), reconnecting", errors.exceptions[0])
            await asyncio.sleep(backoff)
            backoff = min(2 * backoff, 10.0)

    async def _publish_loop(self, devices: list[SimulatedDevice]) -> None:
        options = self.options
        start = time.monotonic()
        for device in devices:  # spread over the periods, not all at once
            device.next_heartbeat = start + self.rng.uniform(0, options.heartbeat)
            device.next_telemetry = start + self.rng.uniform(0, options.telemetry)
        while True:
            now = time.monotonic()
            sends = []
            for device in devices:
                if device.faulty_until is not None and now >= device.faulty_until:
                    device.faulty_until = None
                    sends.append(self.send(device, "event", {"type": "recovered"}))
                elif device.faulty_until is None and self.rng.random() < options.fault_rate * TICK_SECONDS:
                    device.faulty_until = now + self.rng.uniform(5, 30)
                    sends.append(self.send(device, "event", {"type": "fault", "detail": "模拟故障"}))
                if now >= device.next_heartbeat:
                    device.next_heartbeat += options.heartbeat
                    status = "FAULT" if device.faulty_until is not None else "ONLINE"
                    sends.append(
                        self.send(device, "heartbeat", {"status": status, "interval": options.heartbeat})
                    )
                    for child in device.children:
                        if not child.silent:
                            beat = {
                                "status": "FAULT" if child.faulty else "ONLINE",
                                "interval": options.heartbeat,
                            }
                            sends.append(self.send(device, "heartbeat", beat, child.code))
                sends += self._child_events(device, now)
                if options.telemetry > 0 and now >= device.next_telemetry:
                    device.next_telemetry += options.telemetry
                    sends.append(self.send(device, "telemetry", {"metrics": device.walk(self.rng)}))
            if sends:
                await asyncio.gather(*sends)
            await asyncio.sleep(max(0.0, TICK_SECONDS - (time.monotonic() - now)))

    def _child_events(self, device: SimulatedDevice, now: float) -> list[Coroutine[Any, Any, None]]:
        """What the unit's children report besides heartbeats: a people counter's visitors each
        ``visitors`` seconds (the count of the minute), an analytics box's findings now and then."""
        sends = []
        counting = now >= device.next_visitors
        if counting:
            device.next_visitors = now + self.options.visitors
        minute = datetime.now(UTC).replace(second=0, microsecond=0).isoformat()
        for child in device.children:
            if child.silent:
                continue
            if counting and child.kind == "PEOPLE_COUNTER":
                visitors = {"type": "visitors", "count": self.rng.randint(0, 12), "period": minute}
                sends.append(self.send(device, "event", visitors, child.code))
            if (
                child.kind == "VIDEO_ANALYTICS"
                and self.rng.random() < self.options.quality_rate * TICK_SECONDS
            ):
                category, code, detail = self.rng.choice(QUALITY_FINDINGS)
                finding = {"type": "service_quality", "category": category, "code": code, "detail": detail}
                sends.append(self.send(device, "event", finding, child.code))
        return sends

    async def _command_loop(self, client: aiomqtt.Client, devices: dict[str, SimulatedDevice]) -> None:
        async for message in client.messages:
            parts = message.topic.value.split("/")
            device = devices.get(parts[2]) if len(parts) == 4 else None
            try:
                command = orjson.loads(message.payload) if isinstance(message.payload, bytes) else None
            except orjson.JSONDecodeError:
                command = None
            if device is None or not isinstance(command, dict) or not isinstance(command.get("id"), str):
                continue
            if command["id"] in device.commands_seen:
                continue  # sent again (at least once): run once
            device.commands_seen.add(command["id"])
            if self.on_command is not None:
                self.on_command(device, command)
            await self.answer(device, command)

    async def answer(self, device: SimulatedDevice, command: dict[str, Any]) -> None:
        draw = self.rng.random()
        if draw < self.options.silent_share:
            self.acks["SILENT"] += 1
            return
        result = "FAILED" if draw < self.options.silent_share + self.options.fail_share else "ACKNOWLEDGED"
        data: dict[str, Any] = {
            "command": command["id"],
            "result": result,
            "detail": "执行失败 (simulated)" if result == "FAILED" else "已执行",
        }
        self.acks[result] += 1
        child = command.get("device")
        await self.send(device, "ack", data, child if isinstance(child, str) else None)


def connections_for(count: int, per_connection: int) -> int:
    return max(1, math.ceil(count / max(1, per_connection)))


# -- as a process of its own (the benchmark's: the simulated fleet must not share the bridge's CPU) --


def write_devices(path: Path, devices: list[tuple[str, str, str]]) -> None:
    """(tenant id, code, private key) of each device, for ``python -m subgraphs.simulator``."""
    path.write_bytes(orjson.dumps(devices))


async def _main(args: argparse.Namespace, rows: list[list[str]]) -> None:
    devices = [SimulatedDevice(tenant, code, load_private(key)) for tenant, code, key in rows]
    options = SimulatorOptions(heartbeat=args.heartbeat, telemetry=args.telemetry, fault_rate=args.fault_rate)
    simulator = Simulator(args.url, devices, options)
    task = asyncio.create_task(simulator.run(args.duration))
    await simulator.ready.wait()
    print("ready", flush=True)
    await task
    print(orjson.dumps({"sent": simulator.sent, "errors": simulator.errors}).decode(), flush=True)


def main(argv: list[str] | None = None) -> None:
    """``python -m subgraphs.simulator --devices FILE --url mqtt://… --duration S``: prints "ready"
    once every connection is up, then at the end one JSON line of what was sent."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--devices", required=True, help="JSON file: [[tenant id, code, private key], …]")
    parser.add_argument("--url", required=True)
    parser.add_argument("--heartbeat", type=float, default=10.0)
    parser.add_argument("--telemetry", type=float, default=1.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--duration", type=float, required=True)
    args = parser.parse_args(argv)
    asyncio.run(_main(args, orjson.loads(Path(args.devices).read_bytes())))


if __name__ == "__main__":
    main()
