"""Devices loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.devices import (
    ConfigChange,
    ConfigItem,
    ConfigRelation,
    Device,
    DeviceCommand,
    DeviceCredential,
    DeviceStatusChange,
)
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.devices.devices import HallDeviceSummary, hall_summaries
from resolvers.devices.scopes import (
    command_scope,
    config_change_scope,
    config_item_scope,
    device_scope,
    status_change_scope,
    through_parent,
)
from resolvers.devices.telemetry import DeviceMetric, Series, SeriesPlan, load_metrics, load_series

MAX_RELATIONS = 100  # a configuration item's relations read per direction (bounded rows)


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
        return self.children(DeviceCredential, "device_id", through_parent, order=("-created_at", "-id"))

    @property
    def hall_summary(self) -> DataLoader[UUID, HallDeviceSummary]:
        """设备在线率 per hall: one GROUP BY for the halls of a request."""

        async def load(hall_ids: Sequence[UUID]) -> list[HallDeviceSummary]:
            found = {s.hall_id: s for s in await hall_summaries(self.require_principal(), hall_ids)}
            return [found.get(hall_id, HallDeviceSummary(hall_id)) for hall_id in hall_ids]

        return self._get(("hall_summary",), lambda: DataLoader(load_fn=load))

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

    # 配置库 (CMDB): each relation in one statement per request, in the caller's scope --

    @property
    def config_item(self) -> DataLoader[UUID, ConfigItem | None]:
        return self.entity(ConfigItem, config_item_scope)

    @property
    def config_relations_from(self) -> DataLoader[UUID, list[ConfigRelation]]:
        """An item's relations to others (it is the source), at most MAX_RELATIONS, oldest first."""
        order = ("created_at", "id")
        return self.latest(ConfigRelation, "source_id", through_parent, order, MAX_RELATIONS)

    @property
    def config_relations_to(self) -> DataLoader[UUID, list[ConfigRelation]]:
        """Other items' relations to an item (it is the target), at most MAX_RELATIONS."""
        order = ("created_at", "id")
        return self.latest(ConfigRelation, "target_item_id", through_parent, order, MAX_RELATIONS)

    @property
    def config_items_of_device(self) -> DataLoader[UUID, list[ConfigItem]]:
        """The items a device is (usually one), at most MAX_RELATIONS."""
        order = ("created_at", "id")
        return self.latest(ConfigItem, "device_id", config_item_scope, order, MAX_RELATIONS)

    def config_changes(self, first: int, after: str | None) -> DataLoader[UUID, Page[ConfigChange]]:
        """An item's changes (变更记录), newest first, a page of ``first``."""
        return self.page_desc(ConfigChange, "item_id", "seq", config_change_scope, first, after)
