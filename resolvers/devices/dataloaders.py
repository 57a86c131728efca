"""Devices loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from models.devices import Device
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.devices.scopes import device_scope


class DevicesLoaders(LoaderRegistry):
    @property
    def device(self) -> DataLoader[UUID, Device | None]:
        return self.entity(Device, device_scope)

    def devices_of_hall(self, first: int, after: str | None) -> DataLoader[UUID, Page[Device]]:
        return self.page(Device, "hall_id", device_scope, first, after)
