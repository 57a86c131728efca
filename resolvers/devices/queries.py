"""Devices root queries."""

from __future__ import annotations

import strawberry

from models.devices import Device as DeviceModel
from models.devices import DeviceStatus
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.devices.scopes import device_scope
from schema.common.connection import Connection
from schema.devices.types import Device, DeviceStatusEnum


@strawberry.type
class Query:
    @strawberry.field(description="设备详情")
    async def device(self, info: strawberry.Info, id: strawberry.ID) -> Device | None:
        return await info.context.loaders.device.load(parse_id(id))

    @strawberry.field(description="设备列表")
    async def devices(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        hall_id: strawberry.ID | None = None,
        status: DeviceStatusEnum | None = None,
    ) -> Connection[Device]:
        queryset = scoped(info.context.require_principal(), DeviceModel, device_scope)
        if hall_id is not None:
            queryset = queryset.filter(hall_id=parse_id(hall_id, "hallId"))
        if status is not None:
            queryset = queryset.filter(status=DeviceStatus(status))
        return await paginate(queryset, first, after)
