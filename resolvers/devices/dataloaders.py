"""Devices loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader

from models.devices import Device
from resolvers.common.loading import LoaderRegistry
from resolvers.devices.scopes import device_scope


class DevicesLoaders(LoaderRegistry):
    @property
    def device(self) -> DataLoader[Any, Device | None]:
        return self.entity(Device, device_scope)

    def devices_of_hall(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(Device, "hall_id", device_scope, first, after)
