"""Input types of the devices schema."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from schema.devices.enums import CommandAction, DeviceKind, DeviceStatus


@strawberry.input
class HeartbeatInput:
    device_id: strawberry.ID
    status: DeviceStatus = DeviceStatus.ONLINE
    cpu: float | None = None
    memory: float | None = None


@strawberry.input(description="下发远程指令")
class DeviceCommandInput:
    command_id: strawberry.ID = strawberry.field(
        description="指令编号, a UUID the client makes: sending it again (a retry) issues nothing twice"
    )
    device_id: strawberry.ID
    action: CommandAction
    params: JSON = strawberry.field(default_factory=dict, description="the action's parameters (≤ 4 KB)")
    timeout_seconds: int = strawberry.field(default=60, description="TIMED_OUT when not answered by then")


@strawberry.input(description="设备台账字段 (on update, a field left out stays as it is)")
class DeviceFieldsInput:
    name: str | None = None
    vendor: str | None = strawberry.field(default=None, description="厂商")
    model: str | None = strawberry.field(default=None, description="型号")
    protocol: str | None = strawberry.field(default=None, description="接入协议")
    firmware: str | None = strawberry.field(default=None, description="固件版本")
    owner_contact: str | None = strawberry.field(default=None, description="负责人 / 联系方式")
    location: str | None = strawberry.field(default=None, description="安装位置")
    warranty_until: date | None = strawberry.field(default=None, description="保修期至")
    heartbeat_seconds: int | None = strawberry.field(default=None, description="心跳间隔 (5–3600 s)")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="所属交互单元: an interaction unit of the same hall"
    )


@strawberry.input(description="登记设备")
class RegisterDeviceInput:
    code: str = strawberry.field(description="设备编号: letters, digits, '.', '_', '-'; names its topics")
    kind: DeviceKind
    hall_id: strawberry.ID
    fields: DeviceFieldsInput
