"""Devices loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from models.devices import ConfigChange, ConfigItem, ConfigRelation, Device
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.devices.scopes import (
    config_change_scope,
    config_item_scope,
    config_relation_scope,
    device_scope,
)

MAX_RELATIONS = 100  # -- issue 16: cmdb -- relations read per item and direction (bounded rows)


class DevicesLoaders(LoaderRegistry):
    @property
    def device(self) -> DataLoader[UUID, Device | None]:
        return self.entity(Device, device_scope)

    def devices_of_hall(self, first: int, after: str | None) -> DataLoader[UUID, Page[Device]]:
        return self.page(Device, "hall_id", device_scope, first, after)

    # -- issue 16: cmdb (配置库): each relation in one statement per request, in the caller's scope --

    @property
    def config_item(self) -> DataLoader[UUID, ConfigItem | None]:
        return self.entity(ConfigItem, config_item_scope)

    @property
    def config_relations_from(self) -> DataLoader[UUID, list[ConfigRelation]]:
        """An item's relations to others (it is the source), at most MAX_RELATIONS, oldest first."""
        order = ("created_at", "id")
        return self.latest(ConfigRelation, "source_id", config_relation_scope, order, MAX_RELATIONS)

    @property
    def config_relations_to(self) -> DataLoader[UUID, list[ConfigRelation]]:
        """Other items' relations to an item (it is the target), at most MAX_RELATIONS."""
        order = ("created_at", "id")
        return self.latest(ConfigRelation, "target_item_id", config_relation_scope, order, MAX_RELATIONS)

    @property
    def config_items_of_device(self) -> DataLoader[UUID, list[ConfigItem]]:
        """The items a device is (usually one), at most MAX_RELATIONS."""
        order = ("created_at", "id")
        return self.latest(ConfigItem, "device_id", config_item_scope, order, MAX_RELATIONS)

    def config_changes(self, first: int, after: str | None) -> DataLoader[UUID, Page[ConfigChange]]:
        """An item's changes (变更记录), newest first, a page of ``first``."""
        return self.page_desc(ConfigChange, "item_id", "seq", config_change_scope, first, after)
