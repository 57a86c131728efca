"""Devices types: terminals, screens, servers … of the halls.

``Device`` reads its row (models/devices) as its parent; relations resolve through
``info.context.loaders`` (resolvers/devices/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from models.devices import Device as DeviceRow
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.devices.context import Info
from schema.devices.enums import DeviceKind, DeviceStatus
from schema.devices.federation import Org

if TYPE_CHECKING:  # -- issue 16: cmdb --
    from schema.devices.cmdb import ConfigItem

_ConfigItem = Annotated["ConfigItem", strawberry.lazy("schema.devices.cmdb")]  # -- issue 16: cmdb --


@strawberry.federation.type(keys=["id"], description="设备")
class Device:
    id: strawberry.ID
    code: str = strawberry.field(description="设备编号")
    name: str
    kind: DeviceKind
    vendor: str
    model: str
    status: DeviceStatus
    last_heartbeat_at: datetime | None = strawberry.field(description="最近心跳")
    cpu: float | None = strawberry.field(description="CPU %, from the last heartbeat")
    memory: float | None = strawberry.field(description="内存 %, from the last heartbeat")

    @strawberry.field(description="所在营业厅")
    @staticmethod
    def hall(parent: strawberry.Parent[DeviceRow]) -> Org:
        return Org(id=strawberry.ID(str(parent.hall_id)))

    # -- issue 16: cmdb (配置库) --
    @strawberry.field(description="配置项: the CMDB items this device is")
    @staticmethod
    async def config_items(parent: strawberry.Parent[DeviceRow], info: Info) -> list[_ConfigItem]:
        rows = await info.context.loaders.config_items_of_device.load(parent.id)
        return cast("list[ConfigItem]", rows)

    # -- end issue 16: cmdb --

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Device:
        return entity(cls, await info.context.loaders.device.load(parse_id(id)))
