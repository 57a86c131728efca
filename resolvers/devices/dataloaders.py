"""Devices loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.devices import Device
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.devices.scopes import device_scope
from resolvers.devices.telemetry import DeviceMetric, Series, SeriesPlan, load_metrics, load_series


class DevicesLoaders(LoaderRegistry):
    @property
    def device(self) -> DataLoader[UUID, Device | None]:
        return self.entity(Device, device_scope)

    def devices_of_hall(self, first: int, after: str | None) -> DataLoader[UUID, Page[Device]]:
        return self.page(Device, "hall_id", device_scope, first, after)

    # -- issue 16: telemetry --
    async def _visible(self, ids: Sequence[UUID]) -> list[UUID]:
        """Of ``ids``, the devices in the caller's scope (through the device loader: often cached)."""
        rows = await self.device.load_many(list(ids))
        return [row.id for row in rows if row is not None]

    def telemetry(self, plan: SeriesPlan) -> DataLoader[UUID, Series]:
        """A device's series by ``plan`` (its metric, range and step): one statement per request."""

        async def load(ids: Sequence[UUID]) -> list[Series]:
            found = await load_series(await self._visible(ids), plan)
            empty = Series(plan.metric, plan.step, [])
            return [found.get(i, empty) for i in ids]

        return self._get(("telemetry", plan), lambda: DataLoader(load_fn=load))

    @property
    def metrics(self) -> DataLoader[UUID, list[DeviceMetric]]:
        """A device's metrics (latest value, threshold, baseline, breached): three statements."""

        async def load(ids: Sequence[UUID]) -> list[list[DeviceMetric]]:
            found = await load_metrics(await self._visible(ids))
            return [found.get(i, []) for i in ids]

        return self._get(("metrics",), lambda: DataLoader(load_fn=load))

    # -- end issue 16: telemetry --
