"""Devices streams."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from models.devices import Device as DeviceModel
from realtime.broker import DEVICE_STATUS
from resolvers.common.events import stream
from resolvers.common.values import parse_id
from resolvers.devices.scopes import device_scope
from schema.common.events import AFTER, StreamEvent
from schema.devices.types import DeviceEvent


@strawberry.type
class Subscription:
    @strawberry.subscription(description="设备状态推送: for one hall, one device, or all")
    async def device_status(
        self,
        info: strawberry.Info,
        hall_id: strawberry.ID | None = None,
        device_id: strawberry.ID | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[DeviceEvent, None]:
        hall = str(parse_id(hall_id, "hallId")) if hall_id else None
        device = str(parse_id(device_id, "deviceId")) if device_id else None
        scope = device_scope(info.context.require_principal())
        async for event, row in stream(
            info.context.require_principal(), info.context.realtime, DEVICE_STATUS, DeviceModel, after
        ):
            if (
                scope.test(row)
                and (hall is None or event.scope.get("hall_id") == hall)
                and (device is None or event.payload["id"] == device)
            ):
                yield DeviceEvent(**StreamEvent.stamp(event.id, event.occurred_at), device=row)
