"""Every root subscription of the devices subgraph: the stream of resolvers/devices as events."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices.devices import status_feed
from schema.common.events import AFTER, StreamEvent
from schema.devices.context import Info
from schema.devices.events import DeviceEvent
from schema.devices.types import Device


@strawberry.type
class Subscription:
    @strawberry.subscription(description="设备状态推送: for one hall, one device, or all")
    async def device_status(
        self,
        info: Info,
        hall_id: strawberry.ID | None = None,
        device_id: strawberry.ID | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[DeviceEvent, None]:
        hall = parse_id(hall_id, "hallId") if hall_id else None
        device = parse_id(device_id, "deviceId") if device_id else None
        feed = status_feed(info.context.require_principal(), info.context.realtime, hall, device, after)
        async with aclosing(feed):
            async for event, row in feed:
                yield DeviceEvent(**StreamEvent.stamp(event.id, event.occurred_at), device=cast(Device, row))
