"""Input types of the devices schema."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from schema.devices.enums import (
    CommandAction,
    ConfigItemKind,
    ConfigItemStatus,
    ConfigRelationKind,
    DeviceKind,
    DeviceStatus,
)


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


@strawberry.input(description="阈值: high and/or low; both null removes the fixed threshold")
class MetricThresholdInput:
    device_id: strawberry.ID
    metric: str
    high: float | None = None
    low: float | None = None


# 配置库 (CMDB)
# Every change may say why (reason) and name the operations change request (变更单) it carries out.
_WHY = "变更原因"
_CHANGE_REQUEST = "变更单: the operations change request this carries out (one the caller sees)"


@strawberry.input(description="新建配置项 (入库)")
class CreateConfigItemInput:
    org_id: strawberry.ID = strawberry.field(description="所属单位 (an operations Org)")
    code: str = strawberry.field(description="配置项编号, unique")
    name: str
    kind: ConfigItemKind
    vendor: str = ""
    model: str = ""
    serial_number: str = ""
    location: str = strawberry.field(default="", description="位置: 机房、机柜、U 位")
    owner_contact: str = strawberry.field(default="", description="责任人及联系方式")
    warranty_until: date | None = strawberry.field(default=None, description="维保到期")
    config: JSON | None = strawberry.field(
        default=None, description="原始配置: a JSON object, kept as delivered; also the current one"
    )
    device_id: strawberry.ID | None = strawberry.field(default=None, description="the monitored device it is")
    reason: str = strawberry.field(default="", description=_WHY)
    change_request_id: strawberry.ID | None = strawberry.field(default=None, description=_CHANGE_REQUEST)
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="幂等键: the same caller with the same key gets the first item back, nothing twice",
    )


@strawberry.input(description="修改配置项: a field left out (or null) stays as it is")
class UpdateConfigItemInput:
    id: strawberry.ID
    name: str | None = None
    kind: ConfigItemKind | None = None
    vendor: str | None = None
    model: str | None = None
    serial_number: str | None = None
    location: str | None = None
    owner_contact: str | None = None
    status: ConfigItemStatus | None = strawberry.field(default=None, description="IN_SERVICE or MAINTENANCE")
    warranty_until: date | None = strawberry.field(default=strawberry.UNSET, description="null clears it")
    config: JSON | None = strawberry.field(default=None, description="当前配置: replaces it whole")
    device_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="null unlinks")
    reason: str = strawberry.field(default="", description=_WHY)
    change_request_id: strawberry.ID | None = strawberry.field(default=None, description=_CHANGE_REQUEST)


@strawberry.input(description="新增配置关系: to another item or to a device (exactly one)")
class RelateConfigItemInput:
    source_id: strawberry.ID
    kind: ConfigRelationKind
    target_item_id: strawberry.ID | None = None
    target_device_id: strawberry.ID | None = None
    reason: str = strawberry.field(default="", description=_WHY)
    change_request_id: strawberry.ID | None = strawberry.field(default=None, description=_CHANGE_REQUEST)


@strawberry.input(description="解除配置关系")
class UnrelateConfigItemInput:
    relation_id: strawberry.ID
    reason: str = strawberry.field(default="", description=_WHY)
    change_request_id: strawberry.ID | None = strawberry.field(default=None, description=_CHANGE_REQUEST)


@strawberry.input(description="配置项退役")
class RetireConfigItemInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="退役原因, required")
    change_request_id: strawberry.ID | None = strawberry.field(default=None, description=_CHANGE_REQUEST)
