"""Every root query of the devices subgraph: parse, call resolvers/devices, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices.devices import hall_summaries, list_devices
from schema.common.connection import Connection
from schema.devices.context import Info
from schema.devices.enums import DeviceStatus
from schema.devices.types import Device, DeviceCommand, HallDeviceSummary


@strawberry.type
class Query:
    @strawberry.field(description="设备详情")
    async def device(self, info: Info, id: strawberry.ID) -> Device | None:
        return cast("Device | None", await info.context.loaders.device.load(parse_id(id)))

    @strawberry.field(description="设备列表")
    async def devices(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        hall_id: strawberry.ID | None = None,
        status: DeviceStatus | None = None,
    ) -> Connection[Device]:
        principal = info.context.require_principal()
        hall = parse_id(hall_id, "hallId") if hall_id is not None else None
        page = await list_devices(principal, first, after, hall, status)
        return cast(Connection[Device], page)

    @strawberry.field(description="设备在线率 per hall in scope, optionally under one org path (the wall's)")
    async def device_summary(self, info: Info, org_path: str | None = None) -> list[HallDeviceSummary]:
        rows = await hall_summaries(info.context.require_principal(), org_path=org_path)
        return cast(list[HallDeviceSummary], rows)

    @strawberry.field(description="远程指令详情 (null: unknown or out of scope)")
    async def device_command(self, info: Info, id: strawberry.ID) -> DeviceCommand | None:
        return cast("DeviceCommand | None", await info.context.loaders.command.load(parse_id(id)))
