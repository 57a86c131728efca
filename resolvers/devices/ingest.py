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
from uuid import UUID

from tortoise.transactions import in_transaction

from models.devices import Device, DeviceCredential, DeviceMessage, DeviceStatus, StatusReason
from realtime.broker import DEVICE_STATUS
from resolvers.common.clock import now
from resolvers.common.events import publish_all
from resolvers.common.rules import Rules
from resolvers.devices.commands import answer_commands
from resolvers.devices.envelope import Envelope, Malformed, number, parse, verify
from resolvers.devices.status import offline_after, set_status
from resolvers.devices.telemetry import Sample, record_telemetry

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
    published: int = 0  # events (maybe) recorded for the relay: the caller wakes it when > 0

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


# What authentication reads of a device: no status, no times (a batch reads hundreds of units).
_IDENTITY = ("id", "code", "tenant_id", "parent_id")
Authenticated = list[tuple[Envelope, UUID]]  # each message with the id of the device it is about


_refused: Counter[str] = Counter()  # reasons since the last log line, per process
_logged_at = 0.0


def _refuse(report: IngestReport, index: int, reason: str, topic: str) -> None:
    global _logged_at
    report.rejected.append((index, reason))
    _refused[reason] += 1
    if time.monotonic() - _logged_at >= LOG_EVERY:
        _logged_at = time.monotonic()
        log.warning("device messages refused: %s (latest: %s on %s)", dict(_refused), reason, topic)
        _refused.clear()


async def ingest(
    messages: Sequence[tuple[str, bytes]], moment: datetime | None = None, rules: Rules | None = None
) -> IngestReport:
    """Apply a batch of (topic, payload) messages; see the module doc. ``rules``: the platform's
    parameters (the telemetry's), the defaults when None."""
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
    authenticated = await _authenticate(parsed, report)
    if not authenticated:
        return report
    async with in_transaction("devices"):
        by_kind: dict[str, Authenticated] = {}
        for envelope, device_id in authenticated:
            by_kind.setdefault(envelope.kind, []).append((envelope, device_id))
        report.published += await _telemetry(by_kind.pop("telemetry", []), moment, rules)
        # the devices the other kinds change, read whole once (telemetry needs only their ids)
        ids = {device_id for messages in by_kind.values() for _, device_id in messages}
        devices = {d.id: d for d in await Device.filter(id__in=ids)} if ids else {}

        def of(kind: str) -> list[Message]:
            return [Message(e, devices[d]) for e, d in by_kind.get(kind, []) if d in devices]

        report.published += await _heartbeats(of("heartbeat"), moment)
        fresh, duplicates = await _events(of("event"), moment)
        report.published += fresh
        report.duplicates += duplicates
        report.published += await answer_commands([(m.device, m.envelope.data) for m in of("ack")], moment)
    report.accepted = len(authenticated) - report.duplicates
    return report


async def _authenticate(parsed: list[tuple[int, Envelope]], report: IngestReport) -> Authenticated:
    """The messages signed by a current credential of their unit, under the unit's tenant, about
    the unit or one of its children, each with the id of the device it is about: 3 statements for
    the batch, reading only the devices' identities and keys."""
    units = {
        row[1]: row
        for row in await Device.filter(code__in={e.unit for _, e in parsed}).values_list(*_IDENTITY)
    }
    keys: dict[UUID, list[str]] = {}
    for device_id, public_key in await DeviceCredential.filter(
        device_id__in=[row[0] for row in units.values()], revoked_at__isnull=True
    ).values_list("device_id", "public_key"):
        keys.setdefault(device_id, []).append(public_key)
    child_codes = {e.device for _, e in parsed if e.device and e.device != e.unit}
    children = (
        {row[1]: row for row in await Device.filter(code__in=child_codes).values_list(*_IDENTITY)}
        if child_codes
        else {}
    )
    accepted: Authenticated = []
    for index, envelope in parsed:
        unit = units.get(envelope.unit)
        if unit is None or str(unit[2]) != envelope.tenant:
            _refuse(report, index, "unknown_device", envelope.topic)
            continue
        if not any(verify(envelope.topic, envelope.message, key) for key in keys.get(unit[0], ())):
            _refuse(report, index, "unauthenticated", envelope.topic)
            continue
        device_id = unit[0]
        if envelope.device and envelope.device != unit[1]:
            child = children.get(envelope.device)
            if child is None or child[3] != unit[0]:
                _refuse(report, index, "not_a_child", envelope.topic)  # or unknown: alike
                continue
            device_id = child[0]
        accepted.append((envelope, device_id))
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


async def _telemetry(messages: Authenticated, moment: datetime, rules: Rules | None) -> int:
    """The samples of the batch (telemetry.py: stored once, breaches published); how many were new."""
    samples = [
        Sample(device_id, str(name), _stamp(envelope, moment), value)
        for envelope, device_id in messages
        for name, raw in envelope.data["metrics"].items()
        if (value := number(raw)) is not None
    ]
    return await record_telemetry(samples, moment, rules=rules) if samples else 0


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
