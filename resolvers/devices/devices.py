"""设备 (devices) of the halls: listed, counted per hall and streamed by the same scope rule
(scopes.py ``device_scope``). A device's status changes by what it reports (ingest.py), the
offline job and staff (status.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from uuid import UUID

from tortoise.functions import Count

from models.devices import Device, DeviceStatus
from realtime.broker import DEVICE_STATUS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.events import stream
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.devices.scopes import device_scope
from security.conditions import Prefix
from security.principal import Principal


@dataclass(frozen=True)
class HallDeviceSummary:
    """设备在线率 of one hall: its devices by status."""

    hall_id: UUID
    total: int = 0
    online: int = 0
    offline: int = 0
    fault: int = 0
    maintenance: int = 0

    @property
    def online_rate(self) -> float:
        """Online among the devices not in maintenance (planned work is not downtime)."""
        expected = self.total - self.maintenance
        return round(self.online / expected, 4) if expected else 1.0


async def hall_summaries(
    principal: Principal, hall_ids: Sequence[UUID] | None = None, org_path: str | None = None
) -> list[HallDeviceSummary]:
    """Per hall with devices in the caller's scope (of ``hall_ids``, or under ``org_path``, or
    all), its devices by status: one GROUP BY statement whatever the number of halls."""
    queryset = scoped(principal, Device, device_scope)
    if hall_ids is not None:
        queryset = queryset.filter(hall_id__in=list(hall_ids))
    if org_path:
        queryset = queryset.filter(Prefix("org_path", org_path).q())
    counts: dict[UUID, dict[str, int]] = {}
    for hall_id, status, n in (
        await queryset.annotate(n=Count("id"))
        .group_by("hall_id", "status")
        .values_list("hall_id", "status", "n")
    ):
        counts.setdefault(UUID(str(hall_id)), {})[str(status)] = n
    return [
        HallDeviceSummary(
            hall_id=hall_id,
            total=sum(by.values()),
            online=by.get(DeviceStatus.ONLINE, 0),
            offline=by.get(DeviceStatus.OFFLINE, 0),
            fault=by.get(DeviceStatus.FAULT, 0),
            maintenance=by.get(DeviceStatus.MAINTENANCE, 0),
        )
        for hall_id, by in sorted(counts.items(), key=lambda item: str(item[0]))
    ]


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
    org_path: str | None = None,
) -> AsyncGenerator[tuple[Event, Device], None]:
    """Device status changes, breaches and reported events (the event's type says which), in the
    caller's scope, for one hall, one device, an org subtree, or all: the events after ``after``
    first, then live ones."""
    hall = str(hall_id) if hall_id else None
    device = str(device_id) if device_id else None
    scope = device_scope(principal)
    async for event, row in stream(principal, realtime, DEVICE_STATUS, Device, after):
        if (
            scope.test(row)
            and (hall is None or event.scope.get("hall_id") == hall)
            and (device is None or event.payload["id"] == device)
            and (org_path is None or str(event.scope.get("org_path", "")).startswith(org_path))
        ):
            yield event, row
