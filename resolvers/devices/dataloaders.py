"""Devices loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.devices import Device, DeviceCommand, DeviceCredential, DeviceStatusChange
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.devices.devices import HallDeviceSummary, hall_summaries
from resolvers.devices.scopes import command_scope, device_scope, status_change_scope, through_device


class DevicesLoaders(LoaderRegistry):
    @property
    def device(self) -> DataLoader[UUID, Device | None]:
        return self.entity(Device, device_scope)

    def devices_of_hall(self, first: int, after: str | None) -> DataLoader[UUID, Page[Device]]:
        return self.page(Device, "hall_id", device_scope, first, after)

    @property
    def unit_devices(self) -> DataLoader[UUID, list[Device]]:
        """The devices reporting through a unit (所属交互单元), by code."""
        return self.children(Device, "parent_id", device_scope, order=("code",))

    def status_history(self, first: int) -> DataLoader[UUID, list[DeviceStatusChange]]:
        """The latest ``first`` status changes of each device, newest first."""
        return self.latest(
            DeviceStatusChange, "device_id", status_change_scope, ("-created_at", "-id"), first
        )

    def device_commands(self, first: int) -> DataLoader[UUID, list[DeviceCommand]]:
        """The latest ``first`` commands of each device, newest first."""
        return self.latest(DeviceCommand, "device_id", command_scope, ("-created_at", "-id"), first)

    @property
    def command(self) -> DataLoader[UUID, DeviceCommand | None]:
        return self.entity(DeviceCommand, command_scope)

    @property
    def credentials(self) -> DataLoader[UUID, list[DeviceCredential]]:
        """Every credential each device had (rotations are rare), newest first."""
        return self.children(DeviceCredential, "device_id", through_device, order=("-created_at", "-id"))

    @property
    def hall_summary(self) -> DataLoader[UUID, HallDeviceSummary]:
        """设备在线率 per hall: one GROUP BY for the halls of a request."""

        async def load(hall_ids: Sequence[UUID]) -> list[HallDeviceSummary]:
            found = {s.hall_id: s for s in await hall_summaries(self.require_principal(), hall_ids)}
            return [found.get(hall_id, HallDeviceSummary(hall_id)) for hall_id in hall_ids]

        return self._get(("hall_summary",), lambda: DataLoader(load_fn=load))
