"""Every root subscription of the devices subgraph: the streams of resolvers/devices as events."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices.commands import command_feed
from resolvers.devices.devices import status_feed
from schema.common.events import AFTER, StreamEvent
from schema.devices.context import Info
from schema.devices.events import DeviceCommandEvent, DeviceEvent
from schema.devices.types import Device, DeviceCommand


@strawberry.type
class Subscription:
    @strawberry.subscription(description="设备状态推送: for one hall, one device, an org subtree, or all")
    async def device_status(
        self,
        info: Info,
        hall_id: strawberry.ID | None = None,
        device_id: strawberry.ID | None = None,
        org_path: str | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[DeviceEvent, None]:
        hall = parse_id(hall_id, "hallId") if hall_id else None
        device = parse_id(device_id, "deviceId") if device_id else None
        principal = info.context.require_principal()
        feed = status_feed(principal, info.context.realtime, hall, device, after, org_path)
        async with aclosing(feed):
            async for event, row in feed:
                yield DeviceEvent(
                    **StreamEvent.stamp(event.id, event.occurred_at),
                    type=event.type,
                    device=cast(Device, row),
                )

    @strawberry.subscription(
        description="远程指令推送: each command's answer, for one device or all in scope"
    )
    async def device_commands(
        self,
        info: Info,
        device_id: strawberry.ID | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[DeviceCommandEvent, None]:
        device = parse_id(device_id, "deviceId") if device_id else None
        feed = command_feed(info.context.require_principal(), info.context.realtime, device, after)
        async with aclosing(feed):
            async for event, row in feed:
                yield DeviceCommandEvent(
                    **StreamEvent.stamp(event.id, event.occurred_at),
                    type=event.type,
                    command=cast(DeviceCommand, row),
                )
