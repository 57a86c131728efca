"""心跳 (heartbeats): a device reports its status and metrics; the change is pushed on
``deviceStatus``. Today through GraphQL (``reportHeartbeat``); any other intake (e.g. MQTT)
calls ``report_heartbeat`` the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from models.devices import Device, DeviceStatus
from realtime.broker import DEVICE_STATUS
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, not_found
from resolvers.common.events import publish
from resolvers.common.loading import scoped
from resolvers.devices.scopes import device_scope
from security.principal import Principal


def _check_percent(name: str, value: float | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise bad_input(f"{name} must be a percentage between 0 and 100")


async def report_heartbeat(
    principal: Principal,
    device_id: UUID,
    status: DeviceStatus = DeviceStatus.ONLINE,
    cpu: float | None = None,
    memory: float | None = None,
) -> Device:
    """Sets the device's status, last heartbeat and metrics (cpu and memory in %). A device out of
    the caller's scope is NOT_FOUND, as an unknown one."""
    _check_percent("cpu", cpu)
    _check_percent("memory", memory)
    async with change("devices", "Device", device_id):
        device = await scoped(principal, Device, device_scope).select_for_update().get_or_none(id=device_id)
        if device is None:
            raise not_found("device")  # or out of scope: the same answer
        device.status = status
        device.last_heartbeat_at = datetime.now(UTC)
        device.cpu = cpu
        device.memory = memory
        await device.save(update_fields=["status", "last_heartbeat_at", "cpu", "memory", "updated_at"])
        await publish(
            DEVICE_STATUS, "device.heartbeat", device, hall_id=device.hall_id, org_path=device.org_path
        )
    return device
