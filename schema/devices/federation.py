"""Entities of other subgraphs that devices extends or names: the operations ``Org`` (a hall,
营业厅) with its devices and their online figures, and the ``User`` who issued a command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.devices.context import Info

if TYPE_CHECKING:
    from schema.devices.types import Device, HallDeviceSummary

_Device = Annotated["Device", strawberry.lazy("schema.devices.types")]
_HallDeviceSummary = Annotated["HallDeviceSummary", strawberry.lazy("schema.devices.types")]


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; devices adds the devices of a hall (营业厅) and their online figures."""

    id: strawberry.ID

    @strawberry.field(description="厅内设备")
    async def devices(self, info: Info, first: int = 20, after: str | None = None) -> Connection[_Device]:
        page = await info.context.loaders.devices_of_hall(first, after).load(parse_id(self.id))
        return cast("Connection[Device]", page)

    @strawberry.field(description="设备在线情况 of the hall's devices in the caller's scope")
    async def device_summary(self, info: Info) -> _HallDeviceSummary:
        summary = await info.context.loaders.hall_summary.load(parse_id(self.id))
        return cast("HallDeviceSummary", summary)


@strawberry.federation.type(keys=["id"])
class User:
    """Owned by operations: who issued a command or changed a device's status."""

    id: strawberry.ID
