"""The MQTT bridge's transport (realtime/mqtt.py) through the real Mosquitto, with a recording
``ingest`` in place of the devices subgraph's (the whole path is tests/devices/test_bridge.py):
batches, acknowledgement only after the batch is applied (a bridge killed before that gets the
batch again from its persistent session), messages queued while it is down, refusals counted and
survived, commands' own topic ignored, a missing broker retried."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import pytest

from realtime.mqtt import BrokerAddress, MqttBridge, connect_client, end_session, stop, up_topic_kind
from tests.support import services
from tests.support.stack import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@dataclass
class Recorded:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


class Recorder:
    """Applies a payload once: ``b"bad"`` is refused as malformed, a payload seen before is a duplicate."""

    def __init__(self, hang_first: bool = False) -> None:
        self.applied: list[bytes] = []
        self.batches: list[int] = []
        self.hang_first = hang_first
        self.hung = asyncio.Event()

    async def __call__(self, batch: Sequence[tuple[str, bytes]]) -> Recorded:
        report = Recorded()
        for index, (_, payload) in enumerate(batch):
            if payload == b"bad":
                report.rejected.append((index, "malformed"))
            elif payload in self.applied:
                report.duplicates += 1
            else:
                self.applied.append(payload)
                report.accepted += 1
        self.batches.append(len(batch))
        if self.hang_first and not self.hung.is_set():
            self.hung.set()
            await asyncio.sleep(3600)  # applied, then killed here: never acknowledged
        return report


@pytest.fixture
def url() -> str:
    return services.require_mqtt()


@pytest.fixture
async def names(url: str) -> AsyncIterator[list[str]]:
    """Client ids whose persistent sessions the broker forgets after the test."""
    ids: list[str] = []
    yield ids
    for client_id in ids:
        await end_session(BrokerAddress.parse(url), client_id)


def bridge_for(url: str, ingest: Recorder, names: list[str], name: str) -> MqttBridge:
    """A bridge of the test's own group and client id, on the test's own topics (``dcms/<name>/…``):
    the broker is shared with whatever else runs beside the tests."""
    names.append(f"t-{name}-r1")
    return MqttBridge(
        url,
        ingest,
        group=f"t-{name}",
        client_id=f"t-{name}-r1",
        batch_size=100,
        batch_ms=20,
        topic_filter=f"dcms/{name}/+/+",
    )


async def publish(url: str, messages: Sequence[tuple[str, bytes]]) -> None:
    async with connect_client(BrokerAddress.parse(url), None, persistent=False) as client:
        for topic, payload in messages:
            await client.publish(topic, payload, qos=1)


async def started(bridge: MqttBridge) -> asyncio.Task[None]:
    task = asyncio.create_task(bridge.run())
    await asyncio.wait_for(bridge.connected.wait(), 10)
    return task


def test_up_topic_kind() -> None:
    assert up_topic_kind("dcms/t/u/heartbeat") == "heartbeat"
    assert up_topic_kind("dcms/t/u/ack") == "ack"
    assert up_topic_kind("dcms/t/u/command") is None
    assert up_topic_kind("dcms/t/u") is None and up_topic_kind("other/t/u/event") is None


async def test_batches_refusals_and_commands_topic(url: str, names: list[str]) -> None:
    recorder = Recorder()
    name = uuid.uuid4().hex[:10]
    bridge = bridge_for(url, recorder, names, name)
    task = await started(bridge)
    topic = f"dcms/{name}/u1/telemetry"
    try:
        messages = [(topic, f"m{i}".encode()) for i in range(250)]
        await publish(url, [*messages, (topic, b"bad"), (f"dcms/{name}/u1/command", b"{}"), messages[0]])
        counters = bridge.counters
        await eventually(lambda: (counters.accepted, counters.duplicates) == (250, 1), seconds=15)
    finally:
        await stop(task)
    assert bridge.counters.accepted == 250 and bridge.counters.duplicates == 1
    assert bridge.counters.rejected == {"malformed": 1} and bridge.counters.ignored == 1
    assert max(recorder.batches) <= 100 and len(recorder.batches) >= 3  # batch_size bounds a batch
    assert recorder.applied == [payload for _, payload in messages]  # in order, each once


async def test_killed_before_ack_gets_the_batch_again_and_what_was_sent_meanwhile(
    url: str, names: list[str]
) -> None:
    recorder = Recorder(hang_first=True)
    name = uuid.uuid4().hex[:10]
    topic = f"dcms/{name}/u1/telemetry"
    first = bridge_for(url, recorder, names, name)
    task = await started(first)
    await publish(url, [(topic, f"a{i}".encode()) for i in range(30)])
    await asyncio.wait_for(recorder.hung.wait(), 10)
    await stop(task)  # killed after applying its first batch, before acknowledging it
    hung_batch = recorder.batches[0]
    await publish(url, [(topic, f"b{i}".encode()) for i in range(30)])  # while no bridge runs
    second = bridge_for(url, recorder, names, name)
    task = await started(second)
    try:
        await eventually(lambda: len(recorder.applied) == 60, seconds=15)
        await eventually(lambda: second.counters.duplicates >= hung_batch, seconds=15)
    finally:
        await stop(task)
    assert sorted(recorder.applied) == sorted(
        [f"a{i}".encode() for i in range(30)] + [f"b{i}".encode() for i in range(30)]
    )
    assert second.counters.duplicates == hung_batch  # the unacknowledged batch, again: changed nothing


async def test_no_broker_the_bridge_keeps_retrying(names: list[str]) -> None:
    bridge = MqttBridge(f"mqtt://127.0.0.1:{free_port()}", Recorder(), group="t-none", client_id="t-none-r1")
    task = asyncio.create_task(bridge.run())
    await asyncio.sleep(1.5)
    assert not task.done() and not bridge.connected.is_set()
    await stop(task)
