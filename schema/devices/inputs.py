"""Input types of the devices schema."""

from __future__ import annotations

import strawberry

from schema.devices.enums import DeviceStatus


@strawberry.input
class HeartbeatInput:
    device_id: strawberry.ID
    status: DeviceStatus = DeviceStatus.ONLINE
    cpu: float | None = None
    memory: float | None = None
