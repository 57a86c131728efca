"""Every root mutation of the devices subgraph: parse, call resolvers/devices, return."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices import registry
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
from resolvers.devices.commands import issue_command
from resolvers.devices.heartbeats import report_heartbeat
from resolvers.devices.telemetry import set_metric_threshold
from schema.devices.context import Info
from schema.devices.inputs import (
    CreateConfigItemInput,
    DeviceCommandInput,
    DeviceFieldsInput,
    HeartbeatInput,
    MetricThresholdInput,
    RegisterDeviceInput,
    RelateConfigItemInput,
    RetireConfigItemInput,
    UnrelateConfigItemInput,
    UpdateConfigItemInput,
)
from schema.devices.types.cmdb import ConfigItem
from schema.devices.types.devices import Device, DeviceCommand, IssuedDeviceCredential
from schema.devices.types.telemetry import MetricThreshold


def _fields(given: DeviceFieldsInput) -> registry.DeviceFields:
    parent = parse_id(given.parent_id, "parentId") if given.parent_id is not None else None
    return registry.DeviceFields(
        name=given.name,
        vendor=given.vendor,
        model=given.model,
        protocol=given.protocol,
        firmware=given.firmware,
        owner_contact=given.owner_contact,
        location=given.location,
        warranty_until=given.warranty_until,
        heartbeat_seconds=given.heartbeat_seconds,
        parent_id=parent,
    )


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        description="登记设备 at a hall (a retry with the same code is safe)", authenticated=True
    )
    async def register_device(self, info: Info, input: RegisterDeviceInput) -> Device:
        principal = info.context.require_principal()
        hall = parse_id(input.hall_id, "hallId")
        device = await registry.register_device(
            principal, input.code, input.kind, hall, _fields(input.fields)
        )
        return cast(Device, device)

    @strawberry.federation.mutation(description="修改设备台账", authenticated=True)
    async def update_device(self, info: Info, device_id: strawberry.ID, fields: DeviceFieldsInput) -> Device:
        principal = info.context.require_principal()
        device = await registry.update_device(principal, parse_id(device_id, "deviceId"), _fields(fields))
        return cast(Device, device)

    @strawberry.federation.mutation(
        description="上报心跳 (人工上报): updates status and metrics, pushes deviceStatus", authenticated=True
    )
    async def report_heartbeat(self, info: Info, input: HeartbeatInput) -> Device:
        principal = info.context.require_principal()
        device = await report_heartbeat(
            principal, parse_id(input.device_id, "deviceId"), input.status, input.cpu, input.memory
        )
        return cast(Device, device)

    @strawberry.federation.mutation(
        description="签发 / 轮换设备凭证: a new key pair, the old one revoked; the private key is shown once",
        authenticated=True,
    )
    async def issue_device_credential(self, info: Info, device_id: strawberry.ID) -> IssuedDeviceCredential:
        principal = info.context.require_principal()
        issued = await registry.issue_credential(principal, parse_id(device_id, "deviceId"))
        return cast(IssuedDeviceCredential, issued)

    @strawberry.federation.mutation(description="吊销设备凭证: its messages are refused", authenticated=True)
    async def revoke_device_credential(self, info: Info, device_id: strawberry.ID) -> Device:
        principal = info.context.require_principal()
        return cast(Device, await registry.revoke_credential(principal, parse_id(device_id, "deviceId")))

    @strawberry.federation.mutation(
        description="设备维护: on → MAINTENANCE (no alerts); off → OFFLINE until its next heartbeat",
        authenticated=True,
    )
    async def set_device_maintenance(
        self, info: Info, device_id: strawberry.ID, on: bool, note: str = ""
    ) -> Device:
        principal = info.context.require_principal()
        device = await registry.set_maintenance(principal, parse_id(device_id, "deviceId"), on, note)
        return cast(Device, device)

    @strawberry.federation.mutation(
        description="下发远程指令: sent through the device's unit; ACKNOWLEDGED / FAILED / TIMED_OUT",
        authenticated=True,
    )
    async def issue_device_command(self, info: Info, input: DeviceCommandInput) -> DeviceCommand:
        principal = info.context.require_principal()
        command = await issue_command(
            principal,
            parse_id(input.command_id, "commandId"),
            parse_id(input.device_id, "deviceId"),
            input.action,
            input.params,
            input.timeout_seconds,
        )
        return cast(DeviceCommand, command)

    @strawberry.federation.mutation(
        description="设置阈值: a fixed high/low threshold on one metric of a device (wins over the baseline)",
        authenticated=True,
    )
    async def set_metric_threshold(self, info: Info, input: MetricThresholdInput) -> MetricThreshold:
        principal = info.context.require_principal()
        row = await set_metric_threshold(
            principal, parse_id(input.device_id, "deviceId"), input.metric, input.high, input.low
        )
        return cast(MetricThreshold, row)

    # 配置库 (CMDB)
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
