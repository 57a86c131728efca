"""设备数据接入 (resolvers/devices/ingest.py) and status (status.py): signed messages of a unit and its
children move the status, each change in the history and on the stream once; a redelivered message
changes nothing twice; malformed, unsigned, revoked and foreign messages are refused and counted;
the offline job marks silent devices; commands are answered or time out; one batch costs the same
statements whatever its size. Through the real gateway: the credential is issued by staff, the
fault reaches the ``deviceStatus`` stream and raises one alert, the recovery resolves it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.devices import (
    CommandStatus,
    Device,
    DeviceCommand,
    DeviceKind,
    DeviceStatus,
    DeviceStatusChange,
)
from models.operations import Alert, AlertStatus, QueueTicket, ServiceQualityEvent, VisitorCount
from resolvers.common.clock import now
from resolvers.devices.commands import mark_sent
from resolvers.devices.envelope import load_private, signed, up_topic
from resolvers.devices.ingest import ingest
from resolvers.devices.jobs import check_devices
from testkit.factories import Tenant, make_tenant, make_user, token_for
from testkit.sqlcount import count_statements
from tests.support.stack import Stack
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

ISSUE = """mutation($d: ID!) { issueDeviceCredential(deviceId: $d) {
  privateKey fingerprint topics { heartbeat event command } device { id code } } }"""
COMMAND = """mutation($i: DeviceCommandInput!) { issueDeviceCommand(input: $i) { id status action } }"""
DEVICE = """query($id: ID!) { device(id: $id) { status statusHistory(first: 10) { previous status reason }
  commands(first: 10) { id status detail } credential { fingerprint } children { code } } }"""


@dataclass
class Unit:
    """An interaction unit with one child device, at the tenant's hall, and its private key."""

    tenant: Tenant
    unit: Device
    child: Device
    key: str
    engineer: str
    counter: int = 0

    def message(
        self, kind: str, data: dict[str, Any], device: str | None = None, **extra: Any
    ) -> tuple[str, bytes]:
        self.counter += 1
        topic = up_topic(self.unit.tenant_id or "", self.unit.code, kind)
        body: dict[str, Any] = {"id": f"m{self.counter}", "at": now().isoformat(), "data": data, **extra}
        if device:
            body["device"] = device
        return topic, signed(topic, body, load_private(self.key))


async def make_unit(stack: Stack) -> Unit:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    hall = tenant.hall
    code = f"IU-{uuid.uuid4().hex[:8]}"
    unit = await Device.create(
        code=code,
        name="智能互动单元",
        kind=DeviceKind.INTERACTION_UNIT,
        hall_id=hall.id,
        org_path=hall.path,
        tenant_id=hall.tenant_id,
    )
    child = await Device.create(
        code=f"{code}-Q1",
        name="智能排队机",
        kind=DeviceKind.QUEUE_MACHINE,
        hall_id=hall.id,
        org_path=hall.path,
        tenant_id=hall.tenant_id,
        parent_id=unit.id,
    )
    engineer = token_for(await make_user(hall, ("OPS_ENGINEER",), "运维工程师"), hall, stack.settings)
    issued = data(await gql(stack.gateway_url, ISSUE, {"d": str(unit.id)}, engineer))["issueDeviceCredential"]
    assert issued["topics"]["heartbeat"] == up_topic(hall.tenant_id or "", code, "heartbeat")
    return Unit(tenant, unit, child, issued["privateKey"], engineer)


async def _status(device: Device) -> DeviceStatus:
    return (await Device.get(id=device.id)).status


async def test_heartbeats_and_events_move_status_once(stack: Stack) -> None:
    unit = await make_unit(stack)
    beat = unit.message("heartbeat", {"cpu": 12.5})
    report = await ingest([beat])
    assert (report.accepted, report.rejected) == (1, [])
    assert await _status(unit.unit) is DeviceStatus.ONLINE
    await ingest([beat])  # redelivered: the last heartbeat does not move, no second change
    fault = unit.message("event", {"type": "fault", "detail": "卡纸"}, device=unit.child.code)
    first = await ingest([fault])
    again = await ingest([fault])
    assert (first.accepted, again.duplicates) == (1, 1)
    assert await _status(unit.child) is DeviceStatus.FAULT
    history = await DeviceStatusChange.filter(device_id=unit.child.id).values_list("status", flat=True)
    assert list(history) == [DeviceStatus.FAULT]
    assert await DeviceStatusChange.filter(device_id=unit.unit.id).count() == 1


async def test_refused_messages_are_counted_not_applied(stack: Stack) -> None:
    unit = await make_unit(stack)
    other = await make_unit(stack)
    topic, payload = unit.message("heartbeat", {})
    forged = payload.replace(b'"data":{}', b'"data":{"status":"FAULT"}')
    report = await ingest(
        [
            ("dcms/x", b"{}"),  # not a topic of ours
            (topic, b"not json"),
            (topic, forged),  # the signature no longer matches
            other.message("event", {"type": "fault"}, device=unit.child.code),  # not its child
            (up_topic(uuid.uuid4(), unit.unit.code, "heartbeat"), payload),  # another tenant's topic
        ]
    )
    reasons = [reason.split(":")[0] for _, reason in report.rejected]
    assert reasons == ["malformed", "malformed", "unauthenticated", "not_a_child", "unknown_device"]
    assert report.accepted == 0
    assert await _status(unit.child) is DeviceStatus.OFFLINE
    # a rotated credential: the old key signs nothing any more
    old = unit.key
    issued = data(await gql(stack.gateway_url, ISSUE, {"d": str(unit.unit.id)}, unit.engineer))
    unit.key = old
    stale = await ingest([unit.message("heartbeat", {})])
    unit.key = issued["issueDeviceCredential"]["privateKey"]
    fresh = await ingest([unit.message("heartbeat", {})])
    assert [r for _, r in stale.rejected] == ["unauthenticated"] and fresh.accepted == 1


async def test_silent_device_goes_offline_once(stack: Stack) -> None:
    unit = await make_unit(stack)
    await ingest([unit.message("heartbeat", {"interval": 10})])
    later = now() + timedelta(seconds=31)
    await check_devices(later)
    await check_devices(later)
    assert await _status(unit.unit) is DeviceStatus.OFFLINE
    statuses = await DeviceStatusChange.filter(device_id=unit.unit.id).order_by("created_at")
    assert [(c.status, c.reason) for c in statuses] == [
        (DeviceStatus.ONLINE, "HEARTBEAT"),
        (DeviceStatus.OFFLINE, "MISSED_HEARTBEAT"),
    ]


async def test_commands_acknowledged_failed_timed_out(stack: Stack) -> None:
    unit = await make_unit(stack)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for command_id, action in zip(ids, ("RESTART", "OPEN_LOCK", "SYNC_TIME"), strict=True):
        variables = {"i": {"commandId": command_id, "deviceId": str(unit.child.id), "action": action}}
        issued = data(await gql(stack.gateway_url, COMMAND, variables, unit.tenant.hall_token))
        assert issued["issueDeviceCommand"]["status"] == "PENDING"
        again = data(await gql(stack.gateway_url, COMMAND, variables, unit.tenant.hall_token))
        assert again == issued  # a retry issues nothing twice
    await mark_sent([uuid.UUID(i) for i in ids])
    await ingest(
        [
            unit.message("ack", {"command": ids[0], "result": "ACKNOWLEDGED"}, device=unit.child.code),
            unit.message(
                "ack", {"command": ids[1], "result": "FAILED", "detail": "锁舌卡滞"}, device=unit.child.code
            ),
        ]
    )
    await check_devices(now() + timedelta(seconds=61))
    statuses = {c.id: (c.status, c.detail) for c in await DeviceCommand.filter(device_id=unit.child.id)}
    assert statuses[uuid.UUID(ids[0])][0] is CommandStatus.ACKNOWLEDGED
    assert statuses[uuid.UUID(ids[1])] == (CommandStatus.FAILED, "锁舌卡滞")
    assert statuses[uuid.UUID(ids[2])][0] is CommandStatus.TIMED_OUT
    # a late ack of a timed-out command changes nothing
    await ingest([unit.message("ack", {"command": ids[2], "result": "ACKNOWLEDGED"}, device=unit.child.code)])
    assert (await DeviceCommand.get(id=ids[2])).status is CommandStatus.TIMED_OUT


async def test_out_of_scope_staff_cannot_manage_or_command(stack: Stack) -> None:
    unit = await make_unit(stack)
    stranger = await make_unit(stack)
    command = {"i": {"commandId": str(uuid.uuid4()), "deviceId": str(unit.child.id), "action": "RESTART"}}
    for query, variables in (
        (ISSUE, {"d": str(unit.unit.id)}),
        (COMMAND, command),
        (
            "mutation($d: ID!) { setDeviceMaintenance(deviceId: $d, on: true) { id } }",
            {"d": str(unit.unit.id)},
        ),
        ("mutation($d: ID!) { revokeDeviceCredential(deviceId: $d) { id } }", {"d": str(unit.unit.id)}),
    ):
        assert error_codes(await gql(stack.gateway_url, query, variables, stranger.engineer)) == ["NOT_FOUND"]
    seen = data(await gql(stack.gateway_url, DEVICE, {"id": str(unit.unit.id)}, stranger.engineer))
    assert seen["device"] is None
    # the hall's online figures and a command of its device: not the stranger's to read either
    own = data(await gql(stack.gateway_url, COMMAND, command, unit.tenant.hall_token))["issueDeviceCommand"]
    summary = "{ deviceSummary { hall { id } total } }"
    halls = data(await gql(stack.gateway_url, summary, {}, stranger.engineer))["deviceSummary"]
    assert str(unit.tenant.hall.id) not in {row["hall"]["id"] for row in halls}
    command_query = "query($id: ID!) { deviceCommand(id: $id) { id } }"
    assert data(await gql(stack.gateway_url, command_query, {"id": own["id"]}, stranger.engineer)) == {
        "deviceCommand": None
    }


async def test_batch_costs_constant_statements(stack: Stack) -> None:
    unit = await make_unit(stack)

    async def run(messages: Sequence[tuple[str, bytes]]) -> int:
        with count_statements() as counter:
            await ingest(messages)
        return counter.count

    def batch(n: int) -> list[tuple[str, bytes]]:
        return [unit.message("heartbeat", {"cpu": float(i % 90)}) for i in range(n)] + [
            unit.message("event", {"type": "visitors", "count": i}, device=unit.child.code) for i in range(n)
        ]

    await run(batch(1))  # the unit comes online: a status change, not counted below
    assert await run(batch(2)) == await run(batch(40))


async def test_fault_reaches_stream_and_raises_one_alert_resolved_on_recovery(stack: Stack) -> None:
    unit = await make_unit(stack)
    await ingest([unit.message("event", {"type": "fault", "detail": "打印机卡纸"}, device=unit.child.code)])

    key = f"device-fault:{unit.child.id}"

    async def raised() -> bool:
        return await Alert.exists(dedup_key=key)

    await eventually(raised)
    alert = await Alert.get(dedup_key=key)
    assert alert.status is AlertStatus.OPEN and alert.count == 1
    await ingest([unit.message("event", {"type": "recovered"}, device=unit.child.code)])

    async def resolved() -> bool:
        return await Alert.exists(dedup_key=key, status=AlertStatus.RESOLVED)

    await eventually(resolved)
    result = data(await gql(stack.gateway_url, DEVICE, {"id": str(unit.child.id)}, unit.tenant.hall_token))
    assert [c["status"] for c in result["device"]["statusHistory"]] == ["ONLINE", "FAULT"]


async def test_telemetry_stored_once_and_a_breach_raises_one_alert_resolved_when_cleared(
    stack: Stack,
) -> None:
    unit = await make_unit(stack)
    threshold = """mutation($i: MetricThresholdInput!) { setMetricThreshold(input: $i) { metric } }"""
    variables = {"i": {"deviceId": str(unit.child.id), "metric": "temperature", "high": 80}}
    data(await gql(stack.gateway_url, threshold, variables, unit.tenant.hall_token))
    hot = unit.message("telemetry", {"metrics": {"temperature": 95.5, "cpu": 20}}, device=unit.child.code)
    first, again = await ingest([hot]), await ingest([hot])
    assert (first.accepted, again.accepted, first.rejected) == (1, 1, [])
    key = f"device-breach:{unit.child.id}:temperature"

    async def raised() -> bool:
        return await Alert.exists(dedup_key=key, status=AlertStatus.OPEN)

    await eventually(raised)
    assert (await Alert.get(dedup_key=key)).count == 1  # the redelivery published nothing more
    await ingest([unit.message("telemetry", {"metrics": {"temperature": 40.0}}, device=unit.child.code)])

    async def resolved() -> bool:
        return await Alert.exists(dedup_key=key, status=AlertStatus.RESOLVED)

    await eventually(resolved)
    bad = await ingest([unit.message("telemetry", {"metrics": {"temperature": "hot"}})])
    assert [reason for _, reason in bad.rejected] == ["malformed: a metric is not a finite number"]


async def test_what_hall_devices_report_becomes_hall_figures(stack: Stack) -> None:
    """营业厅: a counter's visitors, an analytics box's finding and a queue machine's ticket, reported
    through the unit, become the hall's figures (operations' device-events consumer), each once; a
    report the hall cannot take (a count that is no number) is skipped, not stuck on."""
    unit = await make_unit(stack)
    hall = unit.tenant.hall
    minute = now().replace(second=0, microsecond=0)
    bad = unit.message("event", {"type": "visitors", "count": "many"}, device=unit.child.code)
    visitors = unit.message(
        "event", {"type": "visitors", "count": 7, "period": minute.isoformat()}, device=unit.child.code
    )
    finding = {
        "type": "service_quality",
        "category": "RISK_WARNING",
        "code": "crowding",
        "detail": "等候区聚集",
    }
    ticket = unit.message("event", {"type": "ticket", "business": "PAYMENT"}, device=unit.child.code)
    report = await ingest([bad, visitors, unit.message("event", finding, device=unit.child.code), ticket])
    assert (report.accepted, report.rejected) == (4, [])
    await ingest([visitors, ticket])  # redelivered: nothing twice

    async def recorded() -> bool:
        return await QueueTicket.exists(hall_id=hall.id) and await ServiceQualityEvent.exists(hall_id=hall.id)

    await eventually(recorded)
    counts = await VisitorCount.filter(hall_id=hall.id).values_list("count", flat=True)
    assert list(counts) == [7]
    assert await QueueTicket.filter(hall_id=hall.id).count() == 1
    assert await ServiceQualityEvent.filter(hall_id=hall.id, device_id=unit.child.id).count() == 1
