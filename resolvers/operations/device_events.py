"""What operations does with the devices subgraph's events (DEVICE_STATUS), read by a durable
consumer (jobs.py ``device_events``), each event once in effect.

设备告警 (device alerts): a device's troubles become operations alerts, one per device and cause,
raised and resolved by dedup key (告警去重, alerts.py ``raise_system_alert``):

| event                     | alert                                    | key                                 |
|---------------------------|------------------------------------------|-------------------------------------|
| ``device.offline``        | raised, WARNING                          | ``device-offline:<device>``         |
| ``device.fault``          | raised, CRITICAL                         | ``device-fault:<device>``           |
| ``device.online``         | both above resolved                      |                                     |
| ``device.maintenance``    | both above resolved (planned work)       |                                     |
| ``device.breach``         | raised, WARNING (基准线 / 阈值 exceeded) | ``device-breach:<device>:<metric>`` |
| ``device.breach_cleared`` | resolved                                 |                                     |

A status change also refreshes the hall's status (``hallStatus``: its device counts), at most once
a second per hall (``announce_changed_halls``, run by the same job): a hall whose devices change
five times a second is announced once.

营业厅 (halls): what the hall's devices report (``device.reported``) becomes hall figures:

- ``visitors`` (``count``, ``period``: its start, default the minute): a visitor count (客流);
- ``service_quality`` (``category``: SERVICE_NORM / ABNORMAL_BEHAVIOUR / RISK_WARNING, ``code``,
  ``detail``): a service-quality event, alerts by rule;
- ``ticket`` (``business``: a business type code): a queue ticket issued (取号).

A repeat of an event (a redelivery, a second replica) counts one more sighting, resolves nothing
twice, and records a hall figure once (keyed by the event). What the data gets wrong is logged and
skipped: one bad report never stops the consumer.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from models.operations import AlertLevel, QualityCategory
from realtime.events import Event
from resolvers.common.errors import CodedError
from resolvers.operations import halls, queues
from resolvers.operations.alerts import raise_system_alert, resolve_system_alert

log = logging.getLogger(__name__)

_RAISED = {
    "device.offline": ("offline", AlertLevel.WARNING, "离线"),
    "device.fault": ("fault", AlertLevel.CRITICAL, "故障"),
}
_RECOVERED = {"device.online": "设备恢复在线，自动解决", "device.maintenance": "设备进入维护，自动解决"}
_STATUS = ("device.online", "device.offline", "device.fault", "device.maintenance")


async def on_device_event(event: Event) -> bool:
    """Act on one devices event: True when it published something."""
    device, scope = event.payload, event.scope
    try:
        device_id, hall_id = UUID(str(device["id"])), UUID(str(scope["hall_id"]))
    except (KeyError, ValueError):
        log.warning("device event %s names no device or hall", event.id)
        return False
    if event.type == "device.reported":
        return await _reported(event, device_id, hall_id)
    if event.type in _STATUS:
        _changed_halls.add(hall_id)
    return await _alert(event, device_id, hall_id)


_changed_halls: set[UUID] = set()  # halls whose devices changed since the last announcement


async def announce_changed_halls() -> int:
    """Announce each hall whose devices changed since the last call (its own transaction each).
    A process stopped in between loses at most that second's refresh: the figures are in the
    tables, and the hall's next change announces it again."""
    changed = list(_changed_halls)
    _changed_halls.clear()
    for hall_id in changed:
        await halls.announce_hall(hall_id)
    return len(changed)


async def _alert(event: Event, device_id: UUID, hall_id: UUID) -> bool:
    device, scope = event.payload, event.scope
    name = f"{device.get('name', '')}（{device.get('code', '')}）"
    if event.type in _RAISED:
        cause, level, verb = _RAISED[event.type]
        alert = await raise_system_alert(
            hall_id,
            level,
            f"设备{verb}：{name}",
            source="device",
            dedup_key=f"device-{cause}:{device_id}",
            detail=str(scope.get("detail", "")),
            device_id=device_id,
        )
        return alert is not None
    if event.type in _RECOVERED:
        note = _RECOVERED[event.type]
        offline = await resolve_system_alert(f"device-offline:{device_id}", note)
        fault = await resolve_system_alert(f"device-fault:{device_id}", note)
        return offline is not None or fault is not None
    if event.type in ("device.breach", "device.breach_cleared"):
        metric = str(scope.get("metric", ""))
        key = f"device-breach:{device_id}:{metric}"
        if event.type == "device.breach_cleared":
            return await resolve_system_alert(key, "指标恢复正常，自动解决") is not None
        basis = "阈值" if scope.get("basis") == "THRESHOLD" else "基准线"
        value, limit, bound = scope.get("value"), scope.get("limit"), scope.get("bound")
        alert = await raise_system_alert(
            hall_id,
            AlertLevel.WARNING,
            f"指标越限：{name} {metric}",
            source="device_metric",
            dedup_key=key,
            detail=f"{metric} = {value}，越过{basis} {limit} ({bound})",
            device_id=device_id,
        )
        return alert is not None
    return False


async def _reported(event: Event, device_id: UUID, hall_id: UUID) -> bool:
    """A hall figure from what a device reported; False (logged) when the data will not do."""
    scope = event.scope
    kind, data = scope.get("event_type"), scope.get("data")
    if kind not in ("visitors", "service_quality", "ticket") or not isinstance(data, dict):
        return False  # another kind of report: recorded by devices, nothing for the halls
    try:
        at = datetime.fromisoformat(str(scope["at"]))
        async with in_transaction("operations"):  # a savepoint: a refused report writes nothing
            await _record(kind, data, event.id, device_id, hall_id, at)
    except (CodedError, KeyError, TypeError, ValueError) as error:
        log.warning("device %s reported %s the hall cannot take (%s): %r", device_id, kind, error, data)
        return False
    return True


async def _record(
    kind: str, data: dict[str, Any], key: str, device_id: UUID, hall_id: UUID, at: datetime
) -> None:
    if kind == "visitors":
        period = datetime.fromisoformat(str(data["period"])) if "period" in data else at
        count = data["count"]
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError("count must be an integer")
        await halls.record_visitors(hall_id, device_id, period.replace(second=0, microsecond=0), count)
    elif kind == "service_quality":
        category = QualityCategory(str(data["category"]))
        code, detail = str(data.get("code", "")), str(data.get("detail", ""))
        await halls.record_service_event(hall_id, category, code, detail, at, device_id, source_event_id=key)
    else:
        await queues.issue_ticket(hall_id, str(data["business"]), at, source_event_id=key)
