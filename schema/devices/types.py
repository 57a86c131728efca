"""Devices types: terminals, screens, servers … and the operations ``Org`` (a hall)
extended with its devices.

Relations resolve through ``info.context.loaders`` (resolvers/devices/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.devices import DeviceKind, DeviceStatus
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.events import StreamEvent
from schema.common.federation import entity

DeviceKindEnum = strawberry.enum(DeviceKind, name="DeviceKind", description="设备类型")
DeviceStatusEnum = strawberry.enum(DeviceStatus, name="DeviceStatus", description="设备状态")


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; devices adds the devices of a hall (营业厅)."""

    id: strawberry.ID

    @strawberry.field(description="厅内设备")
    async def devices(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Device]:
        return await info.context.loaders.devices_of_hall(first, after).load(parse_id(self.id))


@strawberry.federation.type(keys=["id"], description="设备")
class Device:
    id: strawberry.ID
    code: str = strawberry.field(description="设备编号")
    name: str
    kind: DeviceKindEnum
    vendor: str
    model: str
    status: DeviceStatusEnum
    last_heartbeat_at: datetime | None = strawberry.field(description="最近心跳")
    cpu: float | None = strawberry.field(description="CPU %, from the last heartbeat")
    memory: float | None = strawberry.field(description="内存 %, from the last heartbeat")

    @strawberry.field(description="所在营业厅")
    def hall(self) -> Org:
        return Org(id=self.hall_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Device | None:
        return entity(cls, await info.context.loaders.device.load(parse_id(id)))


@strawberry.type(description="设备状态事件")
class DeviceEvent(StreamEvent):
    device: Device
