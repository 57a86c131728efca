"""Devices loaders, one per relation; a fresh registry per request."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from models.devices import Device
from resolvers.common.loading import LoaderRegistry, by_id, page_by


class DevicesLoaders(LoaderRegistry):
    @cached_property
    def device(self) -> DataLoader[Any, Device | None]:
        return by_id(Device)

    def devices_of_hall(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(("devices_of_hall", first, after), lambda: page_by(Device, "hall_id", first, after))
