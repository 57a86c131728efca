"""Every enum of the devices schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.devices import DeviceKind, DeviceStatus

strawberry.enum(DeviceKind, name="DeviceKind", description="设备类型")
strawberry.enum(DeviceStatus, name="DeviceStatus", description="设备状态")

__all__ = ["DeviceKind", "DeviceStatus"]
