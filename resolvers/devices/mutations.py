"""Devices mutations: heartbeats."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from tortoise.transactions import in_transaction

from models.devices import Device as DeviceModel
from models.devices import DeviceStatus
from realtime.broker import DEVICE_STATUS
from resolvers.common import audit
from resolvers.common.errors import bad_input, not_found
from resolvers.common.events import publish
from resolvers.common.values import parse_id
from schema.devices.types import Device, DeviceStatusEnum


@strawberry.input
class HeartbeatInput:
    device_id: strawberry.ID
    status: DeviceStatusEnum = DeviceStatusEnum.ONLINE  # type: ignore[attr-defined]
    cpu: float | None = None
    memory: float | None = None


def _check_percent(name: str, value: float | None) -> None:
    if value is not None and not 0 <= value <= 100:
        raise bad_input(f"{name} must be a percentage between 0 and 100")


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        description="上报心跳: updates status and metrics, pushes deviceStatus", authenticated=True
    )
    async def report_heartbeat(self, info: strawberry.Info, input: HeartbeatInput) -> Device:
        info.context.require_principal()
        _check_percent("cpu", input.cpu)
        _check_percent("memory", input.memory)
        device_id = parse_id(input.device_id, "deviceId")
        audit.target(audit.Target("Device", device_id))
        if await info.context.loaders.device.load(device_id) is None:
            raise not_found("device")  # or out of scope: the same answer
        async with in_transaction("devices"):
            device = await DeviceModel.select_for_update().get(id=device_id)
            device.status = DeviceStatus(input.status)
            device.last_heartbeat_at = datetime.now(UTC)
            device.cpu = input.cpu
            device.memory = input.memory
            await device.save(update_fields=["status", "last_heartbeat_at", "cpu", "memory", "updated_at"])
            await audit.record(target=audit.Target("Device", device.id))
            scope = {"hall_id": device.hall_id, "org_path": device.org_path}
            await publish(DEVICE_STATUS, "device.heartbeat", device, **scope)
        return device
