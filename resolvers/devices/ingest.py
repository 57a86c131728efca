"""设备数据接入 (ingestion): a batch of device messages, from the MQTT bridge or the HTTP batch
endpoint alike, parsed, authenticated and applied in one transaction, in a constant number of
statements per batch whatever its size (the units, their credentials and children are read once;
heartbeats are one bulk UPDATE; events one INSERT …), plus one conditional UPDATE per status change
or command answer, which are rare.

Each kind is idempotent by itself, so a redelivered message (MQTT QoS 1 delivers at least once)
changes nothing twice:
- heartbeat: moves the last heartbeat only forward;
- telemetry: a sample is unique per (device, metric, time) (telemetry.py);
- event: unique per (device, message id) (``DeviceMessage``);
- ack: answers a command only while it waits for one (commands.py).

A message that fails is counted with its reason and dropped, never raised: one bad device cannot
stop a batch of good ones.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models.devices import Device, DeviceCredential, DeviceMessage, DeviceStatus, StatusReason
from realtime.broker import DEVICE_STATUS
from resolvers.common.clock import now
from resolvers.common.events import publish_all
from resolvers.devices.commands import answer_commands
from resolvers.devices.envelope import Envelope, Malformed, number, parse, verify
from resolvers.devices.status import offline_after, set_status

log = logging.getLogger(__name__)

MAX_SKEW = timedelta(minutes=5)  # a message stamped later than this ahead of us is taken as now
LOG_EVERY = 10.0  # seconds between two log lines about refused messages

# event types that move the status; any other type is recorded and passed on (device.reported)
_STATUS_EVENTS = {"fault": DeviceStatus.FAULT, "recovered": DeviceStatus.ONLINE}


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index in the batch, reason)
    published: int = 0  # events recorded for the relay: the caller wakes it when > 0

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [{"index": i, "reason": r} for i, r in self.rejected],
        }


@dataclass(frozen=True, slots=True)
class Message:
    """An authenticated message, with the device it is about (the unit or one of its children)."""

    envelope: Envelope
    device: Device


_refused: Counter[str] = Counter()  # reasons since the last log line, per process
_logged_at = 0.0


def refused_counts() -> dict[str, int]:
    """Messages refused by this process since it started, by reason (for metrics and tests)."""
    return dict(_total_refused)


_total_refused: Counter[str] = Counter()


def _refuse(report: IngestReport, index: int, reason: str, topic: str) -> None:
    global _logged_at
    report.rejected.append((index, reason))
    _refused[reason] += 1
    _total_refused[reason] += 1
    if time.monotonic() - _logged_at >= LOG_EVERY:
        _logged_at = time.monotonic()
        log.warning("device messages refused: %s (latest: %s on %s)", dict(_refused), reason, topic)
        _refused.clear()


async def ingest(messages: Sequence[tuple[str, bytes]], moment: datetime | None = None) -> IngestReport:
    """Apply a batch of (topic, payload) messages; see the module doc."""
    moment = moment or now()
    report = IngestReport()
    parsed: list[tuple[int, Envelope]] = []
    for index, (topic, payload) in enumerate(messages):
        try:
            parsed.append((index, parse(topic, payload)))
        except Malformed as error:
            _refuse(report, index, f"malformed: {error}", topic)
    if not parsed:
        return report
    accepted = await _authenticate(parsed, report)
    if not accepted:
        return report
    async with in_transaction("devices"):
        by_kind: dict[str, list[Message]] = {}
        for message in accepted:
            by_kind.setdefault(message.envelope.kind, []).append(message)
        report.published += await _heartbeats(by_kind.get("heartbeat", []), moment)
        report.published += await _telemetry(by_kind.get("telemetry", []), moment)
        fresh, duplicates = await _events(by_kind.get("event", []), moment)
        report.published += fresh
        report.duplicates += duplicates
        report.published += await answer_commands(
            [(m.device, m.envelope.data) for m in by_kind.get("ack", [])], moment
        )
    report.accepted = len(accepted) - report.duplicates
    return report


async def _authenticate(parsed: list[tuple[int, Envelope]], report: IngestReport) -> list[Message]:
    """The messages signed by a current credential of their unit, under the unit's tenant, about
    the unit or one of its children: 3 statements for the batch."""
    units = {d.code: d for d in await Device.filter(code__in={e.unit for _, e in parsed})}
    keys: dict[Any, list[str]] = {}
    for credential in await DeviceCredential.filter(
        device_id__in=[d.id for d in units.values()], revoked_at__isnull=True
    ):
        keys.setdefault(credential.device_id, []).append(credential.public_key)
    child_codes = {e.device for _, e in parsed if e.device and e.device != e.unit}
    children = {d.code: d for d in await Device.filter(code__in=child_codes)} if child_codes else {}
    accepted: list[Message] = []
    for index, envelope in parsed:
        unit = units.get(envelope.unit)
        if unit is None or str(unit.tenant_id) != envelope.tenant:
            _refuse(report, index, "unknown_device", envelope.topic)
            continue
        if not any(verify(envelope.topic, envelope.message, key) for key in keys.get(unit.id, ())):
            _refuse(report, index, "unauthenticated", envelope.topic)
            continue
        device = unit
        if envelope.device and envelope.device != unit.code:
            child = children.get(envelope.device)
            if child is None or child.parent_id != unit.id:
                _refuse(report, index, "not_a_child", envelope.topic)  # or unknown: alike
                continue
            device = child
        accepted.append(Message(envelope, device))
    return accepted


def _stamp(envelope: Envelope, moment: datetime) -> datetime:
    return min(envelope.at, moment + MAX_SKEW)


async def _heartbeats(messages: list[Message], moment: datetime) -> int:
    """The latest heartbeat of each device moves its last heartbeat, window and metrics forward
    (one bulk UPDATE for the batch); a device silent until now comes ONLINE, one reporting FAULT
    (or ONLINE again) changes status. Returns the events published."""
    latest: dict[Any, Message] = {}
    for message in messages:
        seen = latest.get(message.device.id)
        if seen is None or message.envelope.at > seen.envelope.at:
            latest[message.device.id] = message
    moved: list[Device] = []
    changes: list[tuple[Device, DeviceStatus, StatusReason]] = []
    for message in latest.values():
        device, data = message.device, message.envelope.data
        at = _stamp(message.envelope, moment)
        if device.last_heartbeat_at is not None and at <= device.last_heartbeat_at:
            continue  # a redelivered or late heartbeat: nothing moves back
        interval = number(data.get("interval"))
        if interval is not None and 1 <= interval <= 3600:
            device.heartbeat_seconds = int(interval)
        device.last_heartbeat_at = at
        device.offline_after = offline_after(device, at)
        for name in ("cpu", "memory"):
            value = number(data.get(name))
            if value is not None and 0 <= value <= 100:
                setattr(device, name, value)
        moved.append(device)
        if device.offline_after <= moment or device.status is DeviceStatus.MAINTENANCE:
            continue  # an old heartbeat resent late says nothing about now
        reported = data.get("status")
        if reported == DeviceStatus.FAULT and device.status is not DeviceStatus.FAULT:
            changes.append((device, DeviceStatus.FAULT, StatusReason.HEARTBEAT))
        elif device.status is DeviceStatus.OFFLINE or (
            reported == DeviceStatus.ONLINE and device.status is DeviceStatus.FAULT
        ):
            changes.append((device, DeviceStatus.ONLINE, StatusReason.HEARTBEAT))
    if moved:
        await Device.bulk_update(
            moved, fields=["last_heartbeat_at", "offline_after", "heartbeat_seconds", "cpu", "memory"]
        )
    published = 0
    for device, status, reason in changes:
        published += await set_status(
            device, status, reason, moment, leaving=(device.status,), detail="设备上报 (reported)"
        )
    return published


async def _telemetry(messages: list[Message], moment: datetime) -> int:
    """Telemetry samples (telemetry.py): the latest cpu and memory also on the device row."""
    return 0  # wired to telemetry.py's record_telemetry when it lands


async def _events(messages: list[Message], moment: datetime) -> tuple[int, int]:
    """Events not seen before (one SELECT and one INSERT for the batch): fault and recovered move
    the status, any other type is passed on as ``device.reported`` (operations turns visitor counts
    and service-quality events into hall figures and alerts). Returns (published, duplicates)."""
    if not messages:
        return 0, 0
    seen = {
        (device_id, message_id)
        for device_id, message_id in await DeviceMessage.filter(
            device_id__in={m.device.id for m in messages},
            message_id__in={m.envelope.id for m in messages},
        ).values_list("device_id", "message_id")
    }
    fresh: dict[tuple[Any, str], Message] = {}
    for message in messages:
        key = (message.device.id, message.envelope.id)
        if key not in seen:
            fresh.setdefault(key, message)
    duplicates = len(messages) - len(fresh)
    rows = [
        DeviceMessage(
            device_id=m.device.id,
            message_id=m.envelope.id,
            type=str(m.envelope.data.get("type", ""))[:40],
            data=m.envelope.data,
            at=_stamp(m.envelope, moment),
        )
        for m in fresh.values()
    ]
    await DeviceMessage.bulk_create(rows, ignore_conflicts=True)
    published, passed_on = 0, []
    for message in fresh.values():
        device, data = message.device, message.envelope.data
        kind = str(data.get("type", ""))
        status = _STATUS_EVENTS.get(kind)
        if status is None:
            scope = {
                "hall_id": device.hall_id,
                "org_path": device.org_path,
                "event_type": kind[:40],
                "message_id": message.envelope.id,
                "at": _stamp(message.envelope, moment).isoformat(),
                "data": data,
            }
            passed_on.append(("device.reported", device, device.tenant_id, scope))
        elif device.status is not DeviceStatus.MAINTENANCE and device.status is not status:
            reason = StatusReason.FAULT if status is DeviceStatus.FAULT else StatusReason.RECOVERED
            detail = str(data.get("detail", "") or data.get("code", ""))
            published += await set_status(
                device, status, reason, moment, leaving=(device.status,), detail=detail
            )
    await publish_all(DEVICE_STATUS, passed_on)
    return published + len(passed_on), duplicates
