"""设备 (devices) of the halls: listed and streamed by the same scope rule (scopes.py
``device_scope``). A device's status changes by its heartbeats (heartbeats.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

from models.devices import Device, DeviceStatus
from realtime.broker import DEVICE_STATUS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.events import stream
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.devices.scopes import device_scope
from security.principal import Principal


async def list_devices(
    principal: Principal,
    first: int,
    after: str | None,
    hall_id: UUID | None = None,
    status: DeviceStatus | None = None,
) -> Page[Device]:
    """The devices in the caller's scope, optionally of one hall and in one status, by id."""
    queryset = scoped(principal, Device, device_scope)
    if hall_id is not None:
        queryset = queryset.filter(hall_id=hall_id)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after)


async def status_feed(
    principal: Principal,
    realtime: Realtime,
    hall_id: UUID | None,
    device_id: UUID | None,
    after: str | None,
) -> AsyncGenerator[tuple[Event, Device], None]:
    """Device status as heartbeats report it, in the caller's scope, for one hall, one device, or
    all: the events after ``after`` first, then live ones."""
    hall = str(hall_id) if hall_id else None
    device = str(device_id) if device_id else None
    scope = device_scope(principal)
    async for event, row in stream(principal, realtime, DEVICE_STATUS, Device, after):
        if (
            scope.test(row)
            and (hall is None or event.scope.get("hall_id") == hall)
            and (device is None or event.payload["id"] == device)
        ):
            yield event, row
