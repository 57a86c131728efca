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


# -- issue 16: telemetry --
@strawberry.input(description="阈值: high and/or low; both null removes the fixed threshold")
class MetricThresholdInput:
    device_id: strawberry.ID
    metric: str
    high: float | None = None
    low: float | None = None


# -- end issue 16: telemetry --
