"""Every enum of the devices schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from models.devices import (
    CommandAction,
    CommandStatus,
    ConfigChangeAction,
    ConfigItemKind,
    ConfigItemStatus,
    ConfigRelationKind,
    DeviceKind,
    DeviceStatus,
    StatusReason,
)

strawberry.enum(DeviceKind, name="DeviceKind", description="设备类型")
strawberry.enum(DeviceStatus, name="DeviceStatus", description="设备状态")
strawberry.enum(StatusReason, name="DeviceStatusReason", description="状态变更原因")
strawberry.enum(CommandAction, name="DeviceCommandAction", description="远程指令")
strawberry.enum(CommandStatus, name="DeviceCommandStatus", description="指令状态")
# 配置库 (CMDB)
strawberry.enum(ConfigItemKind, name="ConfigItemKind", description="配置项类型")
strawberry.enum(ConfigItemStatus, name="ConfigItemStatus", description="配置项状态")
strawberry.enum(ConfigRelationKind, name="ConfigRelationKind", description="配置关系类型")
strawberry.enum(ConfigChangeAction, name="ConfigChangeAction", description="配置变更类型")


@strawberry.enum(description="关系方向: seen from the item whose relations are read")
class ConfigRelationDirection(StrEnum):
    OUTGOING = "OUTGOING"  # this item → the other item or device
    INCOMING = "INCOMING"  # the other item → this item


__all__ = [
    "CommandAction",
    "CommandStatus",
    "ConfigChangeAction",
    "ConfigItemKind",
    "ConfigItemStatus",
    "ConfigRelationDirection",
    "ConfigRelationKind",
    "DeviceKind",
    "DeviceStatus",
    "StatusReason",
]
