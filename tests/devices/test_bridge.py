"""设备接入 through the real broker (issue 16): devices' messages through Mosquitto → the MQTT bridge
(realtime/mqtt.py, subgraphs/mqtt_bridge.py) → ``ingest`` → rows; the same through ``POST
/devices/ingest``; commands down to the unit and its acknowledgement back.

Each test has its own hall, devices (unique codes, so unique topics) and its own shared-subscription
group and client id, so a parallel run or another test's bridge never takes its messages. Both
storage passes run them; in CI (``DCMS_REQUIRE_SERVICES=1``) a missing broker fails them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from clients.python.dcms_client import data, gql, subscribe_ws
from models.devices import (
    CommandAction,
    CommandStatus,
    Device,
    DeviceCommand,
    DeviceMessage,
    DeviceStatus,
    MetricBaseline,
)
from models.operations import Alert, AlertStatus, Org, OrgKind
from realtime.hub import Realtime
from realtime.mqtt import BrokerAddress, MqttBridge, Report, connect_client, end_session, stop
from resolvers.common.clock import now
from resolvers.devices.commands import issue_command
from resolvers.devices.envelope import load_private, new_credential, signed, up_topic
from resolvers.devices.ingest import ingest
from resolvers.devices.jobs import check_devices
from resolvers.devices.registry import provision_devices
from resolvers.operations.identity import principal_for
from security.sessions import session_store
from subgraphs.app import lockout_policy, realtime_for
from subgraphs.mqtt_bridge import make_bridge, send_commands
from subgraphs.settings import Settings
from subgraphs.simulator import SimulatedDevice, Simulator, SimulatorOptions, now_iso
from testkit.factories import make_org, make_tenant, make_user
from tests.support import services
from tests.support.stack import Stack
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@dataclass
class Hall:
    org: Org
    prefix: str
    devices: list[SimulatedDevice]
    rows: list[Device]


async def make_hall(count: int = 3) -> Hall:
    root = await make_org("测试省联社", OrgKind.PROVINCE_UNION)
    org = await make_org("测试供电营业厅", OrgKind.HALL, root, tenant_id=root.id)
    prefix = "T" + uuid.uuid4().hex[:8].upper()
    provisioned = await provision_devices(org.id, count, prefix)
    devices = [
        SimulatedDevice(str(i.device.tenant_id), i.device.code, load_private(i.private_key))
        for i in provisioned
    ]
    return Hall(org, prefix, devices, [i.device for i in provisioned])


def message(unit: SimulatedDevice, kind: str, data: dict[str, Any], **extra: Any) -> tuple[str, bytes]:
    """A message of ``unit`` signed with its key (``extra``: "device" for a child, …)."""
    topic = up_topic(unit.tenant_id, unit.code, kind)
    body = {"id": extra.pop("id", uuid.uuid4().hex), "at": now_iso(), "data": data, **extra}
    return topic, signed(topic, body, unit.key)


@pytest.fixture
async def realtime(database: Settings) -> AsyncIterator[Realtime]:
    from tortoise import Tortoise

    sessions = session_store(database.redis_url, lockout_policy(database))
    hub = realtime_for(database, sessions)
    await hub.start([Tortoise.apps["devices"]["OutboxEvent"]])
    yield hub
    await hub.stop()
    await sessions.close()


@pytest.fixture
def mqtt_settings(database: Settings) -> Settings:
    return replace(database, mqtt_url=services.require_mqtt())


BRIDGES: list[MqttBridge] = []  # their persistent sessions, ended after each test


@pytest.fixture(autouse=True)
async def _end_sessions() -> AsyncIterator[None]:
    yield
    while BRIDGES:
        bridge = BRIDGES.pop()
        await end_session(bridge.address, bridge.client_id)


def new_bridge(
    realtime: Realtime, settings: Settings, name: str, tenant_id: str, apply: Any = None
) -> MqttBridge:
    """A bridge of this test's own group and client id (``name``), ``apply`` wrapping ``ingest``,
    subscribed to its tenant's units only: the broker is shared, and a stack or simulator running
    beside the tests (``make up``, the browser test's stack) publishes units this database lacks."""
    bridge = make_bridge(realtime, settings, group=f"test-{name}", client_id=f"test-{name}-r1")
    bridge.topic_filter = f"dcms/{tenant_id}/+/+"
    if apply is not None:
        bridge.ingest = apply
    BRIDGES.append(bridge)
    return bridge


async def publish(settings: Settings, messages: Sequence[tuple[str, bytes]]) -> None:
    assert settings.mqtt_url
    async with connect_client(BrokerAddress.parse(settings.mqtt_url), None, persistent=False) as client:
        await asyncio.gather(*(client.publish(topic, payload, qos=1) for topic, payload in messages))


async def running(bridge: MqttBridge) -> asyncio.Task[None]:
    task = asyncio.create_task(bridge.run())
    await asyncio.wait_for(bridge.connected.wait(), 10)
    return task


def visitors(device: SimulatedDevice, count: int) -> tuple[str, bytes]:
    return message(device, "event", {"type": "visitors", "count": count})


async def stored_events(hall: Hall) -> int:
    return await DeviceMessage.filter(device_id__in=[row.id for row in hall.rows]).count()


async def test_messages_through_mosquitto_become_rows_once(
    realtime: Realtime, mqtt_settings: Settings
) -> None:
    hall = await make_hall(3)
    bridge = new_bridge(realtime, mqtt_settings, uuid.uuid4().hex[:10], hall.devices[0].tenant_id)
    task = await running(bridge)
    try:
        beats = [message(d, "heartbeat", {"status": "ONLINE", "cpu": 12.5}) for d in hall.devices]
        events = [visitors(d, 7) for d in hall.devices]
        fault = message(hall.devices[0], "event", {"type": "fault", "detail": "卡纸"})
        await publish(mqtt_settings, [*beats, *events, fault])
        await eventually(lambda: bridge.counters.accepted == 7, seconds=15)
        # The same events again (a QoS 1 redelivery, the device resending): applied once.
        await publish(mqtt_settings, [events[0], fault])
        await eventually(lambda: bridge.counters.duplicates == 2, seconds=15)
        assert bridge.counters.accepted == 7 and not bridge.counters.rejected
    finally:
        await stop(task)
    rows = {row.code: row for row in await Device.filter(code__in=[d.code for d in hall.devices])}
    assert rows[hall.devices[0].code].status == DeviceStatus.FAULT
    assert {rows[d.code].status for d in hall.devices[1:]} == {DeviceStatus.ONLINE}
    assert all(row.last_heartbeat_at is not None for row in rows.values())
    assert await stored_events(hall) == 4


async def test_malformed_and_unauthenticated_are_refused_and_counted(
    realtime: Realtime, mqtt_settings: Settings
) -> None:
    hall, other = await make_hall(2), await make_hall(1)
    device = hall.devices[0]
    topic = up_topic(device.tenant_id, device.code, "event")
    body = {"at": now_iso(), "data": {"type": "visitors"}}
    forged = signed(topic, {"id": "forged-1", **body}, load_private(new_credential()[0]))
    old_key = device.key
    again = await provision_devices(hall.org.id, 2, hall.prefix)  # new credentials: the old revoked
    revoked = signed(topic, {"id": "revoked-1", **body}, old_key)
    fresh = SimulatedDevice(device.tenant_id, device.code, load_private(again[0].private_key))
    foreign_child = message(fresh, "event", {"type": "visitors"}, device=other.devices[0].code)
    bridge = new_bridge(realtime, mqtt_settings, uuid.uuid4().hex[:10], device.tenant_id)
    task = await running(bridge)
    try:
        await publish(
            mqtt_settings,
            [
                (topic, b"not json at all"),
                (topic, b'{"id": 1}'),
                (topic, forged),
                (topic, revoked),
                foreign_child,
                visitors(fresh, 1),  # the one good message
            ],
        )
        counters = bridge.counters
        await eventually(lambda: counters.accepted + sum(counters.rejected.values()) == 6, seconds=15)
    finally:
        await stop(task)
    assert bridge.counters.accepted == 1, bridge.counters
    assert bridge.counters.rejected == {"malformed": 2, "unauthenticated": 2, "not_a_child": 1}
    assert await stored_events(hall) == 1


async def test_bridge_killed_after_commit_before_ack_applies_nothing_twice(
    realtime: Realtime, mqtt_settings: Settings
) -> None:
    """The bridge dies between a batch's commit and its PUBACKs: the broker keeps the messages for
    the persistent session, delivers them again to the restarted bridge (same client id), and
    ``ingest`` counts them as duplicates. Messages published while it is down are queued."""
    hall = await make_hall(5)
    name = uuid.uuid4().hex[:10]
    killed = asyncio.Event()

    async def commit_then_die(batch: Sequence[tuple[str, bytes]]) -> Report:
        report = await ingest(batch)
        killed.set()
        await asyncio.sleep(3600)  # cancelled here: committed, never acknowledged
        return report

    first = new_bridge(realtime, mqtt_settings, name, hall.devices[0].tenant_id, commit_then_die)
    task = await running(first)
    before = [visitors(d, i) for i in range(20) for d in hall.devices]
    await publish(mqtt_settings, before)
    await asyncio.wait_for(killed.wait(), 15)
    await stop(task)
    while_down = [visitors(d, 100 + i) for i in range(10) for d in hall.devices]
    await publish(mqtt_settings, while_down)
    second = new_bridge(realtime, mqtt_settings, name, hall.devices[0].tenant_id)
    task = await running(second)
    total = len(before) + len(while_down)
    try:
        await eventually(lambda: _count_is(hall, total), seconds=30)
        await asyncio.sleep(0.5)  # nothing more arrives
    finally:
        await stop(task)
    assert not second.counters.rejected
    assert second.counters.duplicates >= 1  # the killed batch came again and changed nothing
    assert second.counters.accepted + second.counters.duplicates == second.counters.received
    assert await stored_events(hall) == total  # each message once, none lost


async def _count_is(hall: Hall, total: int) -> bool:
    return await stored_events(hall) == total


async def test_http_batch_endpoint(stack: Stack) -> None:
    hall = await make_hall(2)
    good = [visitors(d, 3) for d in hall.devices]
    body: dict[str, Any] = {"messages": [{"topic": t, "payload": orjson.loads(p)} for t, p in good]}
    body["messages"].append({"topic": good[0][0], "payload": "{not json"})
    url = f"{stack.subgraphs_url}/devices/ingest"
    async with httpx.AsyncClient(timeout=10) as client:
        first = await client.post(url, json=body)
        assert first.status_code == 200, first.text
        report = first.json()
        assert report["accepted"] == 2 and report["duplicates"] == 0
        assert [r["index"] for r in report["rejected"]] == [2]
        assert report["rejected"][0]["reason"].startswith("malformed")
        again = (await client.post(url, json=body)).json()  # the device resending: nothing twice
        assert again["accepted"] == 0 and again["duplicates"] == 2
        for bad in (b"[]", b'{"messages": []}', b'{"messages": [{"topic": 5}]}', b'{"messages": "x"}'):
            refused = await client.post(url, content=bad, headers={"content-type": "application/json"})
            assert refused.status_code == 400, refused.text
            assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        many = {"messages": [{"topic": good[0][0], "payload": {}}] * 1001}
        too_many = await client.post(url, json=many)
        assert too_many.status_code == 400
        not_json = await client.post(url, content=b"\xff", headers={"content-type": "application/json"})
        assert not_json.status_code == 400
    assert await stored_events(hall) == 2


async def test_commands_down_and_acks_back(realtime: Realtime, mqtt_settings: Settings) -> None:
    """A command issued by staff goes down on the unit's topic (PENDING → SENT); the unit's ack
    (ACKNOWLEDGED or FAILED) comes back on its own topic and settles the command."""
    hall = await make_hall(2)
    manager = await make_user(hall.org, ("HALL_MANAGER",), "测试厅经理")
    principal = principal_for(manager, hall.org)
    assert mqtt_settings.mqtt_url
    simulator = Simulator(
        mqtt_settings.mqtt_url,
        hall.devices,
        SimulatorOptions(heartbeat=3600, telemetry=0, fault_rate=0, fail_share=0, silent_share=0),
    )
    bridge = new_bridge(realtime, mqtt_settings, uuid.uuid4().hex[:10], hall.devices[0].tenant_id)
    tasks = [await running(bridge), asyncio.create_task(send_commands(realtime, bridge))]
    sim = asyncio.create_task(simulator.run())
    try:
        await asyncio.wait_for(simulator.ready.wait(), 10)
        ok = await issue_command(principal, uuid.uuid4(), hall.rows[0].id, CommandAction.RESTART, {})
        realtime.relay.wake({"devices"})
        await eventually(lambda: _status_is(ok.id, CommandStatus.ACKNOWLEDGED), seconds=15)
        simulator.options.fail_share = 1.0
        failed = await issue_command(principal, uuid.uuid4(), hall.rows[1].id, CommandAction.SCREEN_OFF, {})
        realtime.relay.wake({"devices"})
        await eventually(lambda: _status_is(failed.id, CommandStatus.FAILED), seconds=15)
    finally:
        for task in (sim, *tasks):
            await stop(task)
    assert simulator.acks == {"ACKNOWLEDGED": 1, "FAILED": 1}
    settled = await DeviceCommand.get(id=ok.id)
    assert settled.sent_at is not None and settled.answered_at is not None


async def _status_is(command_id: uuid.UUID, status: CommandStatus) -> bool:
    return (await DeviceCommand.get(id=command_id)).status == status


STATUS_STREAM = """subscription($p: String) { deviceStatus(orgPath: $p) { type device { id status } } }"""
COMMAND = "mutation($i: DeviceCommandInput!) { issueDeviceCommand(input: $i) { id status } }"
COMMANDS = "query($id: ID!) { device(id: $id) { commands(first: 5) { id status } } }"


async def test_a_device_through_mosquitto_the_bridge_and_the_gateway(
    stack: Stack, realtime: Realtime, mqtt_settings: Settings
) -> None:
    """The whole chain, as the wall sees it: a unit heartbeats over Mosquitto → online on the
    gateway's ``deviceStatus``; it falls silent → offline there and one alert; it heartbeats again →
    online and the alert resolved; a reading past its baseline → an alert; three commands issued
    through the gateway come back acknowledged, failed and timed out."""
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    (issued,) = await provision_devices(tenant.hall.id, 1, "E" + uuid.uuid4().hex[:8].upper())
    unit = SimulatedDevice(str(tenant.hall.tenant_id), issued.device.code, load_private(issued.private_key))
    device_id = issued.device.id
    assert mqtt_settings.mqtt_url
    options = SimulatorOptions(heartbeat=3600, telemetry=0, fault_rate=0, fail_share=0, silent_share=0)
    simulator = Simulator(mqtt_settings.mqtt_url, [unit], options)
    bridge = new_bridge(realtime, mqtt_settings, uuid.uuid4().hex[:10], unit.tenant_id)
    tasks = [await running(bridge), asyncio.create_task(send_commands(realtime, bridge))]
    tasks.append(asyncio.create_task(simulator.run()))
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def read() -> None:  # the wall's stream, as a task: stopping it closes the subscription
        variables = {"p": tenant.hall.path}
        async for payload in subscribe_ws(stack.gateway_ws, STATUS_STREAM, variables, tenant.hall_token):
            events.put_nowait(payload["data"]["deviceStatus"])

    tasks.append(asyncio.create_task(read()))

    async def until(kind: str, trigger: Any = None) -> dict[str, Any]:
        """The next event of type ``kind``, calling ``trigger`` (if any) every half second meanwhile."""
        async with asyncio.timeout(30):  # generous: a loaded machine (the embedded feed polls)
            while True:
                if trigger is not None:
                    await trigger()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.5):
                        while (event := await events.get())["type"] != kind:
                            pass
                        return event

    try:
        await asyncio.wait_for(simulator.ready.wait(), 10)
        # Until the subscription is live an event is missed: the unit says FAULT, ONLINE, FAULT …
        # in turn (each a change of status) until it is seen coming ONLINE.
        said = itertools.cycle(["FAULT", "ONLINE"])
        online = await until(
            "device.online", lambda: simulator.send(unit, "heartbeat", {"status": next(said), "interval": 5})
        )
        assert online["device"] == {"id": str(device_id), "status": "ONLINE"}

        await check_devices(now() + timedelta(seconds=16))  # 3 heartbeats of 5 s missed
        await until("device.offline")
        offline_key = f"device-offline:{device_id}"
        await eventually(lambda: Alert.exists(dedup_key=offline_key, status=AlertStatus.OPEN))
        # back: heartbeating again, as a unit does (every half second here, until it is seen online)
        await until("device.online", lambda: simulator.send(unit, "heartbeat", {"interval": 5}))
        await eventually(lambda: Alert.exists(dedup_key=offline_key, status=AlertStatus.RESOLVED))
        assert await Alert.filter(dedup_key__startswith=f"device-offline:{device_id}").count() == 1

        # 基准线: learned as 40 ± 2 °C; 90 °C is past it
        await MetricBaseline.create(
            id=uuid.uuid4(),
            device_id=device_id,
            metric="temperature",
            mean=40.0,
            stddev=2.0,
            samples=3000,
            hours=48,
            learned_at=now(),
        )
        await simulator.send(unit, "telemetry", {"metrics": {"temperature": 90.0}})
        await until("device.breach")
        breach_key = f"device-breach:{device_id}:temperature"
        await eventually(lambda: Alert.exists(dedup_key=breach_key, status=AlertStatus.OPEN))

        ids = []
        for share in (0.0, 1.0):  # acknowledged, then failed
            simulator.options.fail_share = share
            ids.append(await _issue(stack, tenant.hall_token, device_id))
            await eventually(lambda: _answered(ids[-1]), seconds=15)
        simulator.options.silent_share = 1.0  # the third is never answered
        ids.append(await _issue(stack, tenant.hall_token, device_id, seconds=5))
        await eventually(lambda: _status_is(uuid.UUID(ids[-1]), CommandStatus.SENT), seconds=15)
        await check_devices(now() + timedelta(seconds=6))
        listed = data(await gql(stack.gateway_url, COMMANDS, {"id": str(device_id)}, tenant.hall_token))
        statuses = {c["id"]: c["status"] for c in listed["device"]["commands"]}
        assert [statuses[i] for i in ids] == ["ACKNOWLEDGED", "FAILED", "TIMED_OUT"]
    finally:
        for task in tasks:
            await stop(task)


async def _issue(stack: Stack, token: str, device_id: uuid.UUID, seconds: int = 60) -> str:
    command_id = str(uuid.uuid4())
    variables = {
        "i": {
            "commandId": command_id,
            "deviceId": str(device_id),
            "action": "RESTART",
            "timeoutSeconds": seconds,
        }
    }
    data(await gql(stack.gateway_url, COMMAND, variables, token))
    return command_id


async def _answered(command_id: str) -> bool:
    status = (await DeviceCommand.get(id=command_id)).status
    return status in (CommandStatus.ACKNOWLEDGED, CommandStatus.FAILED)
