"""配置库 (CMDB) types: configuration items, their relations and their change history.

``ConfigItem`` reads its row (models/devices/cmdb.py) as its parent; every relation resolves
through ``info.context.loaders`` (resolvers/devices/dataloaders.py), in the caller's scope: a
relation whose other end the caller does not see is left out, as if it were not there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date, datetime
from typing import cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from models.devices import ConfigChange as ConfigChangeRow
from models.devices import ConfigItem as ConfigItemRow
from models.devices import ConfigRelation as ConfigRelationRow
from models.devices import Device as DeviceRow
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.federation import entity
from schema.devices.context import Info
from schema.devices.enums import (
    ConfigChangeAction,
    ConfigItemKind,
    ConfigItemStatus,
    ConfigRelationDirection,
    ConfigRelationKind,
)
from schema.devices.federation import Org
from schema.devices.types.devices import Device


@strawberry.type(description="变更记录: who changed what, when, and why")
class ConfigChange:
    id: strawberry.ID
    seq: int = strawberry.field(description="1, 2, … per item: the order of its changes")
    action: ConfigChangeAction
    changes: JSON = strawberry.field(
        description='field → {"before", "after"}; a key of the configuration as "config.<key>"'
    )
    reason: str = strawberry.field(description="变更原因")
    change_request_id: strawberry.ID | None = strawberry.field(description="变更单 (operations)")
    actor_id: strawberry.ID = strawberry.field(description="变更人")
    actor_name: str

    @strawberry.field(description="变更时间")
    @staticmethod
    def at(parent: strawberry.Parent[ConfigChangeRow]) -> datetime:
        return parent.created_at


@strawberry.type(description="配置关系, seen from one of its items")
class ConfigRelation:
    id: strawberry.ID
    kind: ConfigRelationKind
    direction: ConfigRelationDirection
    item: ConfigItem | None = strawberry.field(description="the other item (null: the other end is a device)")
    device: Device | None = strawberry.field(description="the device this item relates to (OUTGOING only)")
    created_at: datetime


@strawberry.federation.type(keys=["id"], description="配置项 (CMDB)")
class ConfigItem:
    id: strawberry.ID
    code: str = strawberry.field(description="配置项编号")
    name: str
    kind: ConfigItemKind
    vendor: str = strawberry.field(description="厂商")
    model: str = strawberry.field(description="型号")
    serial_number: str = strawberry.field(description="序列号")
    location: str = strawberry.field(description="位置")
    owner_contact: str = strawberry.field(description="责任人及联系方式")
    warranty_until: date | None = strawberry.field(description="维保到期")
    status: ConfigItemStatus
    original_config: JSON = strawberry.field(description="原始配置: as delivered, never changed")
    config: JSON = strawberry.field(description="当前配置")
    version: int = strawberry.field(description="the number of its last change (变更记录)")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="所属单位")
    @staticmethod
    def org(parent: strawberry.Parent[ConfigItemRow]) -> Org:
        return Org(id=strawberry.ID(str(parent.org_id)))

    @strawberry.field(description="对应的监控设备")
    @staticmethod
    async def device(parent: strawberry.Parent[ConfigItemRow], info: Info) -> Device | None:
        if parent.device_id is None:
            return None
        return cast("Device | None", await info.context.loaders.device.load(parent.device_id))

    @strawberry.field(description="配置关系, both directions (at most 100 each)")
    @staticmethod
    async def relations(parent: strawberry.Parent[ConfigItemRow], info: Info) -> list[ConfigRelation]:
        loaders = info.context.loaders
        outgoing, incoming = await asyncio.gather(
            loaders.config_relations_from.load(parent.id), loaders.config_relations_to.load(parent.id)
        )
        item_ids = [r.target_item_id for r in outgoing if r.target_item_id is not None]
        item_ids += [r.source_id for r in incoming]
        device_ids = [r.target_device_id for r in outgoing if r.target_device_id is not None]
        items, devices = await asyncio.gather(
            loaders.config_item.load_many(item_ids), loaders.device.load_many(device_ids)
        )
        seen_items = {row.id: row for row in items if row is not None}
        seen_devices = {row.id: row for row in devices if row is not None}
        relations = [
            _relation(r, ConfigRelationDirection.OUTGOING, seen_items, seen_devices) for r in outgoing
        ]
        relations += [
            _relation(r, ConfigRelationDirection.INCOMING, seen_items, seen_devices) for r in incoming
        ]
        return [r for r in relations if r is not None]

    @strawberry.field(description="变更记录, newest first")
    @staticmethod
    async def changes(
        parent: strawberry.Parent[ConfigItemRow], info: Info, first: int = 20, after: str | None = None
    ) -> Connection[ConfigChange]:
        page = await info.context.loaders.config_changes(first, after).load(parent.id)
        return cast("Connection[ConfigChange]", page)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> ConfigItem:
        return entity(cls, await info.context.loaders.config_item.load(parse_id(id)))


def _relation(
    row: ConfigRelationRow,
    direction: ConfigRelationDirection,
    items: Mapping[UUID, ConfigItemRow],
    devices: Mapping[UUID, DeviceRow],
) -> ConfigRelation | None:
    """The relation as its item sees it, or None when the caller does not see the other end."""
    if direction is ConfigRelationDirection.INCOMING:
        other, device = items.get(row.source_id), None
    elif row.target_item_id is not None:
        other, device = items.get(row.target_item_id), None
    else:
        assert row.target_device_id is not None  # one target or the other (resolvers/devices/cmdb.py)
        other, device = None, devices.get(row.target_device_id)
    if other is None and device is None:
        return None
    return ConfigRelation(
        id=strawberry.ID(str(row.id)),
        kind=row.kind,
        direction=direction,
        item=cast("ConfigItem | None", other),
        device=cast("Device | None", device),
        created_at=row.created_at,
    )
