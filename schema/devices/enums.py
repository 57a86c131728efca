"""Every enum of the devices schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.devices import DeviceKind, DeviceStatus

strawberry.enum(DeviceKind, name="DeviceKind", description="设备类型")
strawberry.enum(DeviceStatus, name="DeviceStatus", description="设备状态")

__all__ = ["DeviceKind", "DeviceStatus"]


# -- issue 16: cmdb (配置库) --------------------------------------------------------------------------
from enum import StrEnum  # noqa: E402

from models.devices import (  # noqa: E402
    ConfigChangeAction,
    ConfigItemKind,
    ConfigItemStatus,
    ConfigRelationKind,
)

strawberry.enum(ConfigItemKind, name="ConfigItemKind", description="配置项类型")
strawberry.enum(ConfigItemStatus, name="ConfigItemStatus", description="配置项状态")
strawberry.enum(ConfigRelationKind, name="ConfigRelationKind", description="配置关系类型")
strawberry.enum(ConfigChangeAction, name="ConfigChangeAction", description="配置变更类型")


@strawberry.enum(description="关系方向: seen from the item whose relations are read")
class ConfigRelationDirection(StrEnum):
    OUTGOING = "OUTGOING"  # this item → the other item or device
    INCOMING = "INCOMING"  # the other item → this item


__all__ += [
    "ConfigChangeAction",
    "ConfigItemKind",
    "ConfigItemStatus",
    "ConfigRelationDirection",
    "ConfigRelationKind",
]
