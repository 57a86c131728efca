"""心跳 (heartbeats) reported through GraphQL (``reportHeartbeat``): a person or a system with a
token reporting for a device in its scope (人工上报). Devices themselves report over MQTT or the
HTTP batch endpoint (ingest.py), signed with their own credential; both move the same columns and
change the status through status.py, so the history and the stream are the same."""

from __future__ import annotations

from uuid import UUID

from models.devices import Device, DeviceStatus, StatusReason
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, not_found
from resolvers.common.loading import scoped
from resolvers.devices.scopes import device_scope
from resolvers.devices.status import offline_after, set_status
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
    """Sets the device's last heartbeat, window and metrics (cpu and memory in %) and its status
    (a device in maintenance stays so). A device out of the caller's scope is NOT_FOUND, as an
    unknown one."""
    _check_percent("cpu", cpu)
    _check_percent("memory", memory)
    async with change("devices", "Device", device_id):
        device = await scoped(principal, Device, device_scope).select_for_update().get_or_none(id=device_id)
        if device is None:
            raise not_found("device")  # or out of scope: the same answer
        moment = now()
        device.last_heartbeat_at = moment
        device.offline_after = offline_after(device, moment)
        device.cpu = cpu
        device.memory = memory
        await device.save(update_fields=["last_heartbeat_at", "offline_after", "cpu", "memory", "updated_at"])
        if device.status is not status and device.status is not DeviceStatus.MAINTENANCE:
            await set_status(
                device, status, StatusReason.HEARTBEAT, moment, detail="人工上报", actor_id=principal.user_id
            )
    return device
