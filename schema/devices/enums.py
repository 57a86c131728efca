"""Every enum of the devices schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.devices import CommandAction, CommandStatus, DeviceKind, DeviceStatus, StatusReason

strawberry.enum(DeviceKind, name="DeviceKind", description="设备类型")
strawberry.enum(DeviceStatus, name="DeviceStatus", description="设备状态")
strawberry.enum(StatusReason, name="DeviceStatusReason", description="状态变更原因")
strawberry.enum(CommandAction, name="DeviceCommandAction", description="远程指令")
strawberry.enum(CommandStatus, name="DeviceCommandStatus", description="指令状态")

__all__ = ["CommandAction", "CommandStatus", "DeviceKind", "DeviceStatus", "StatusReason"]
