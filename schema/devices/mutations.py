"""Every root mutation of the devices subgraph: parse, call resolvers/devices, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices import registry
from resolvers.devices.commands import issue_command
from resolvers.devices.heartbeats import report_heartbeat
from schema.devices.context import Info
from schema.devices.inputs import DeviceCommandInput, DeviceFieldsInput, HeartbeatInput, RegisterDeviceInput
from schema.devices.types import Device, DeviceCommand, IssuedDeviceCredential


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
