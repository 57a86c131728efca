"""Entities of other subgraphs that devices extends: the operations ``Org`` (a hall, 营业厅) with
its devices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.devices.context import Info

if TYPE_CHECKING:
    from schema.devices.types import Device

_Device = Annotated["Device", strawberry.lazy("schema.devices.types")]


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; devices adds the devices of a hall (营业厅)."""

    id: strawberry.ID

    @strawberry.field(description="厅内设备")
    async def devices(self, info: Info, first: int = 20, after: str | None = None) -> Connection[_Device]:
        page = await info.context.loaders.devices_of_hall(first, after).load(parse_id(self.id))
        return cast("Connection[Device]", page)
