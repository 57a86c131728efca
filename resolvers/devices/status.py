"""设备状态 (device status): online / offline / fault / maintenance, each change in the device's
history (``DeviceStatusChange``) and on the ``deviceStatus`` stream (realtime DEVICE_STATUS).

Who moves it:
- heartbeats and events the device reports (ingest.py): OFFLINE → ONLINE on a heartbeat, → FAULT
  on a fault event or a heartbeat saying FAULT, FAULT → ONLINE when it says it recovered;
- the offline job (``mark_offline``): ONLINE or FAULT past its heartbeat window → OFFLINE;
- staff (``set_maintenance``): → MAINTENANCE and back; a device in maintenance keeps that status
  whatever it reports, so planned work raises no alert.

Operations raises an alert for ``device.offline`` and ``device.fault`` and resolves it on
``device.online`` (resolvers/operations/device_events.py), deduplicated per device.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from models.devices import Device, DeviceStatus, DeviceStatusChange, StatusReason
from realtime.broker import DEVICE_STATUS
from resolvers.common.clock import now
from resolvers.common.events import publish
from resolvers.common.jobs import exclusive

MISSED_BEATS = 3  # a device is offline after this many heartbeat intervals without one
OFFLINE_LOCK = 0x5D_DE_0F  # pg advisory lock key: one offline check at a time across replicas
OFFLINE_BATCH = 500  # devices marked offline per run at most; the next run takes the rest


def offline_after(device: Device, last: datetime) -> datetime:
    return last + timedelta(seconds=MISSED_BEATS * device.heartbeat_seconds)


async def set_status(
    device: Device,
    status: DeviceStatus,
    reason: StatusReason,
    moment: datetime,
    *,
    leaving: Sequence[DeviceStatus] | None = None,
    detail: str = "",
    actor_id: object = None,
    **where: object,
) -> bool:
    """Move ``device`` to ``status`` from ``leaving`` (default: any other status) in one conditional
    UPDATE (``where`` adds conditions), with its history row and event; False when the row was not
    where the caller read it (a concurrent change won, or nothing changes). In the caller's transaction."""
    states = [s for s in (leaving or DeviceStatus) if s is not status]
    if not await Device.filter(id=device.id, status__in=states, **where).update(
        status=status, status_since=moment
    ):
        return False
    previous, device.status, device.status_since = device.status, status, moment
    await DeviceStatusChange.create(
        device_id=device.id,
        org_path=device.org_path,
        previous=previous,
        status=status,
        reason=reason,
        detail=detail[:200],
        actor_id=actor_id,
    )
    await publish(
        DEVICE_STATUS,
        f"device.{status.value.lower()}",
        device,
        tenant_id=device.tenant_id,
        hall_id=device.hall_id,
        org_path=device.org_path,
        previous=previous.value,
        reason=reason.value,
        detail=detail[:200],
    )
    return True


async def mark_offline(moment: datetime | None = None) -> int:
    """设备离线判定: every device ONLINE or FAULT whose heartbeat window has passed becomes OFFLINE,
    once across replicas (``exclusive``). The UPDATE re-checks the window, so a heartbeat that
    came in after the read wins. Returns how many went offline."""
    moment = moment or now()
    async with exclusive("devices", OFFLINE_LOCK) as mine:
        if not mine:
            return 0
        silent = await (
            Device.filter(status__in=[DeviceStatus.ONLINE, DeviceStatus.FAULT], offline_after__lt=moment)
            .order_by("offline_after")
            .limit(OFFLINE_BATCH)
        )
        marked = 0
        for device in silent:
            last = device.last_heartbeat_at.isoformat() if device.last_heartbeat_at else "从未"
            marked += await set_status(
                device,
                DeviceStatus.OFFLINE,
                StatusReason.MISSED_HEARTBEAT,
                moment,
                leaving=(DeviceStatus.ONLINE, DeviceStatus.FAULT),
                detail=f"心跳超时 (last heartbeat {last})",
                offline_after__lt=moment,
            )
        return marked
