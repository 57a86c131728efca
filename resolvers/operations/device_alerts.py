"""设备告警 (device alerts): the devices subgraph's status events become operations alerts, one per
device and cause, raised and resolved by dedup key (告警去重, alerts.py ``raise_system_alert``):

| event (DEVICE_STATUS)  | alert                                  | key                            |
|------------------------|----------------------------------------|--------------------------------|
| ``device.offline``     | raised, WARNING                        | ``device-offline:<device>``    |
| ``device.fault``       | raised, CRITICAL                       | ``device-fault:<device>``      |
| ``device.online``      | both above resolved                    |                                |
| ``device.maintenance`` | both above resolved (planned work)     |                                |
| ``device.breach``      | raised, WARNING (基准线 / 阈值 exceeded) | ``device-breach:<device>:<metric>`` |
| ``device.breach_cleared`` | resolved                            |                                |

A repeat of an event (a redelivery, a second replica) counts one more sighting or resolves nothing
twice. Read by a durable consumer (jobs.py ``device_alerts``), each event once in effect.
"""

from __future__ import annotations

import logging
from uuid import UUID

from models.operations import AlertLevel
from realtime.events import Event
from resolvers.operations.alerts import raise_system_alert, resolve_system_alert

log = logging.getLogger(__name__)

_RAISED = {
    "device.offline": ("offline", AlertLevel.WARNING, "离线"),
    "device.fault": ("fault", AlertLevel.CRITICAL, "故障"),
}
_RECOVERED = {"device.online": "设备恢复在线，自动解决", "device.maintenance": "设备进入维护，自动解决"}


async def alert_from_device(event: Event) -> bool:
    """Raise or resolve the device alert ``event`` calls for: True when it published something."""
    device, scope = event.payload, event.scope
    try:
        device_id, hall_id = UUID(str(device["id"])), UUID(str(scope["hall_id"]))
    except (KeyError, ValueError):
        log.warning("device event %s names no device or hall", event.id)
        return False
    name = f"{device.get('name', '')}（{device.get('code', '')}）"
    if event.type in _RAISED:
        cause, level, verb = _RAISED[event.type]
        detail = str(scope.get("detail", ""))
        alert = await raise_system_alert(
            hall_id,
            level,
            f"设备{verb}：{name}",
            source="device",
            dedup_key=f"device-{cause}:{device_id}",
            detail=detail,
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
