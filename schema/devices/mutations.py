"""Every root mutation of the devices subgraph: parse, call resolvers/devices, return."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices.cmdb import (
    ConfigItemDraft,
    Why,
    check_config,
    create_config_item,
    relate_config_item,
    retire_config_item,
    unrelate_config_item,
    update_config_item,
)
from resolvers.devices.heartbeats import report_heartbeat
from schema.devices.cmdb import ConfigItem
from schema.devices.context import Info
from schema.devices.inputs import (
    CreateConfigItemInput,
    HeartbeatInput,
    RelateConfigItemInput,
    RetireConfigItemInput,
    UnrelateConfigItemInput,
    UpdateConfigItemInput,
)
from schema.devices.types import Device


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        description="上报心跳: updates status and metrics, pushes deviceStatus", authenticated=True
    )
    async def report_heartbeat(self, info: Info, input: HeartbeatInput) -> Device:
        principal = info.context.require_principal()
        device = await report_heartbeat(
            principal, parse_id(input.device_id, "deviceId"), input.status, input.cpu, input.memory
        )
        return cast(Device, device)

    # -- issue 16: cmdb (配置库) --
    @strawberry.federation.mutation(
        description="配置项入库: its config is the original one (原始配置)", authenticated=True
    )
    async def create_config_item(self, info: Info, input: CreateConfigItemInput) -> ConfigItem:
        draft = ConfigItemDraft(
            org_id=parse_id(input.org_id, "orgId"),
            code=input.code,
            name=input.name,
            kind=input.kind,
            vendor=input.vendor,
            model=input.model,
            serial_number=input.serial_number,
            location=input.location,
            owner_contact=input.owner_contact,
            warranty_until=input.warranty_until,
            config=check_config(input.config if input.config is not None else {}),
            device_id=_optional_id(input.device_id, "deviceId"),
        )
        why = _why(input.reason, input.change_request_id)
        row = await create_config_item(info.context.require_principal(), draft, input.idempotency_key, why)
        return cast(ConfigItem, row)

    @strawberry.federation.mutation(
        description="修改配置项: one change record with every field changed", authenticated=True
    )
    async def update_config_item(self, info: Info, input: UpdateConfigItemInput) -> ConfigItem:
        given = {
            "name": input.name,
            "kind": input.kind,
            "vendor": input.vendor,
            "model": input.model,
            "serial_number": input.serial_number,
            "location": input.location,
            "owner_contact": input.owner_contact,
            "status": input.status,
            "config": input.config,
        }
        values: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
        if input.warranty_until is not strawberry.UNSET:
            values["warranty_until"] = input.warranty_until
        if input.device_id is not strawberry.UNSET:
            values["device_id"] = _optional_id(input.device_id, "deviceId")
        why = _why(input.reason, input.change_request_id)
        item_id = parse_id(input.id)
        row = await update_config_item(info.context.require_principal(), item_id, values, why)
        return cast(ConfigItem, row)

    @strawberry.federation.mutation(
        description="新增配置关系 (recorded on the source item)", authenticated=True
    )
    async def relate_config_item(self, info: Info, input: RelateConfigItemInput) -> ConfigItem:
        row = await relate_config_item(
            info.context.require_principal(),
            parse_id(input.source_id, "sourceId"),
            input.kind,
            _optional_id(input.target_item_id, "targetItemId"),
            _optional_id(input.target_device_id, "targetDeviceId"),
            _why(input.reason, input.change_request_id),
        )
        return cast(ConfigItem, row)

    @strawberry.federation.mutation(description="解除配置关系: returns the source item", authenticated=True)
    async def unrelate_config_item(self, info: Info, input: UnrelateConfigItemInput) -> ConfigItem:
        why = _why(input.reason, input.change_request_id)
        relation = parse_id(input.relation_id, "relationId")
        row = await unrelate_config_item(info.context.require_principal(), relation, why)
        return cast(ConfigItem, row)

    @strawberry.federation.mutation(description="配置项退役 (read-only from then on)", authenticated=True)
    async def retire_config_item(self, info: Info, input: RetireConfigItemInput) -> ConfigItem:
        why = _why(input.reason, input.change_request_id)
        row = await retire_config_item(info.context.require_principal(), parse_id(input.id), why)
        return cast(ConfigItem, row)


def _optional_id(value: strawberry.ID | None, what: str) -> UUID | None:
    return parse_id(value, what) if value is not None else None


def _why(reason: str, change_request_id: strawberry.ID | None) -> Why:
    return Why(reason, _optional_id(change_request_id, "changeRequestId"))
