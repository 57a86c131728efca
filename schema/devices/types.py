"""Devices types: terminals, screens, servers … of the halls.

``Device`` reads its row (models/devices) as its parent; relations resolve through
``info.context.loaders`` (resolvers/devices/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import strawberry

from models.devices import Device as DeviceRow
from resolvers.common.values import parse_id
from resolvers.devices.telemetry import plan_series  # -- issue 16: telemetry --
from schema.common.federation import entity
from schema.devices.context import Info
from schema.devices.enums import DeviceKind, DeviceStatus
from schema.devices.federation import Org
from schema.devices.telemetry import DeviceMetric, TelemetrySeries  # -- issue 16: telemetry --


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

    # -- issue 16: telemetry --
    @strawberry.field(
        description="遥测曲线: one metric between from and to, at most `points` points (≤ 1000)"
    )
    @staticmethod
    async def telemetry(
        parent: strawberry.Parent[DeviceRow],
        info: Info,
        metric: str,
        start: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        points: int = 120,
    ) -> TelemetrySeries:
        plan = plan_series(metric, start, to, points, info.context.rules)
        return cast(TelemetrySeries, await info.context.loaders.telemetry(plan).load(parent.id))

    @strawberry.field(description="设备指标: each metric's latest value, threshold, baseline and breach")
    @staticmethod
    async def metrics(parent: strawberry.Parent[DeviceRow], info: Info) -> list[DeviceMetric]:
        return cast(list[DeviceMetric], await info.context.loaders.metrics.load(parent.id))

    # -- end issue 16: telemetry --

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Device:
        return entity(cls, await info.context.loaders.device.load(parse_id(id)))
