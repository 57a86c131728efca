"""Devices types: terminals, screens, servers … of the halls, their status history and commands.

``Device`` reads its row (models/devices) as its parent; relations resolve through
``info.context.loaders`` (resolvers/devices/dataloaders.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from models.devices import Device as DeviceRow
from models.devices import DeviceCommand as DeviceCommandRow
from models.devices import DeviceStatusChange as DeviceStatusChangeRow
from resolvers.common.values import parse_id
from resolvers.devices.devices import HallDeviceSummary as HallDeviceSummaryRow
from resolvers.devices.registry import IssuedCredential
from schema.common.federation import entity
from schema.devices.context import Info
from schema.devices.enums import CommandAction, CommandStatus, DeviceKind, DeviceStatus, StatusReason
from schema.devices.federation import Org, User

MAX_FIRST = 100


def _first(first: int) -> int:
    return max(1, min(first, MAX_FIRST))


@strawberry.type(description="设备状态变更记录")
class DeviceStatusChange:
    previous: DeviceStatus
    status: DeviceStatus
    reason: StatusReason
    detail: str
    at: datetime = strawberry.field(resolver=lambda root: root.created_at)

    @strawberry.field(description="操作人 (null: the device or the platform)")
    @staticmethod
    def actor(parent: strawberry.Parent[DeviceStatusChangeRow]) -> User | None:
        return User(id=strawberry.ID(str(parent.actor_id))) if parent.actor_id else None


@strawberry.type(description="设备凭证 (the public half; the private key is shown once, when issued)")
class DeviceCredential:
    fingerprint: str = strawberry.field(description="SHA-256 of the public key")
    public_key: str
    issued_at: datetime = strawberry.field(resolver=lambda root: root.created_at)
    revoked_at: datetime | None


@strawberry.federation.type(keys=["id"], description="设备")
class Device:
    id: strawberry.ID
    code: str = strawberry.field(description="设备编号: names the device in its MQTT topics")
    name: str
    kind: DeviceKind
    vendor: str = strawberry.field(description="厂商")
    model: str = strawberry.field(description="型号")
    protocol: str = strawberry.field(description="接入协议")
    firmware: str = strawberry.field(description="固件版本")
    owner_contact: str = strawberry.field(description="负责人 / 联系方式")
    location: str = strawberry.field(description="安装位置")
    warranty_until: date | None = strawberry.field(description="保修期至")
    status: DeviceStatus
    status_since: datetime | None
    last_heartbeat_at: datetime | None = strawberry.field(description="最近心跳")
    heartbeat_seconds: int = strawberry.field(description="心跳间隔: offline after 3 missed")
    cpu: float | None = strawberry.field(description="CPU %, last reported")
    memory: float | None = strawberry.field(description="内存 %, last reported")

    @strawberry.field(description="所在营业厅")
    @staticmethod
    def hall(parent: strawberry.Parent[DeviceRow]) -> Org:
        return Org(id=strawberry.ID(str(parent.hall_id)))

    @strawberry.field(description="所属交互单元: the unit this device reports through")
    @staticmethod
    async def parent(root: strawberry.Parent[DeviceRow], info: Info) -> Device | None:
        if root.parent_id is None:
            return None
        return cast("Device | None", await info.context.loaders.device.load(root.parent_id))

    @strawberry.field(description="下挂设备: the devices reporting through this unit")
    @staticmethod
    async def children(root: strawberry.Parent[DeviceRow], info: Info) -> list[Device]:
        return cast("list[Device]", await info.context.loaders.unit_devices.load(root.id))

    @strawberry.field(description="状态变更记录, newest first")
    @staticmethod
    async def status_history(
        root: strawberry.Parent[DeviceRow], info: Info, first: int = 20
    ) -> list[DeviceStatusChange]:
        rows = await info.context.loaders.status_history(_first(first)).load(root.id)
        return cast("list[DeviceStatusChange]", rows)

    @strawberry.field(description="远程指令, newest first")
    @staticmethod
    async def commands(
        root: strawberry.Parent[DeviceRow], info: Info, first: int = 20
    ) -> list[DeviceCommand]:
        rows = await info.context.loaders.device_commands(_first(first)).load(root.id)
        return cast("list[DeviceCommand]", rows)

    @strawberry.field(description="当前设备凭证 (null: none issued, revoked, or it reports through its unit)")
    @staticmethod
    async def credential(root: strawberry.Parent[DeviceRow], info: Info) -> DeviceCredential | None:
        rows = await info.context.loaders.credentials.load(root.id)
        current = next((row for row in rows if row.revoked_at is None), None)
        return cast("DeviceCredential | None", current)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Device:
        return entity(cls, await info.context.loaders.device.load(parse_id(id)))


@strawberry.type(description="远程指令")
class DeviceCommand:
    id: strawberry.ID = strawberry.field(description="指令编号 (the client's, for retries)")
    action: CommandAction
    params: JSON
    status: CommandStatus
    issued_at: datetime = strawberry.field(resolver=lambda root: root.created_at)
    sent_at: datetime | None
    answered_at: datetime | None
    expires_at: datetime
    detail: str = strawberry.field(description="the unit's answer, or why it timed out")

    @strawberry.field(description="下发人")
    @staticmethod
    def issued_by(parent: strawberry.Parent[DeviceCommandRow]) -> User:
        return User(id=strawberry.ID(str(parent.issued_by)))

    @strawberry.field
    @staticmethod
    async def device(root: strawberry.Parent[DeviceCommandRow], info: Info) -> Device | None:
        return cast("Device | None", await info.context.loaders.device.load(root.device_id))


@strawberry.type(description="营业厅设备在线情况")
class HallDeviceSummary:
    total: int
    online: int
    offline: int
    fault: int
    maintenance: int
    online_rate: float = strawberry.field(description="在线率: online / (total − maintenance)")

    @strawberry.field(description="营业厅")
    @staticmethod
    def hall(parent: strawberry.Parent[HallDeviceSummaryRow]) -> Org:
        return Org(id=strawberry.ID(str(parent.hall_id)))


@strawberry.type(description="设备的 MQTT 主题")
class DeviceTopics:
    heartbeat: str
    telemetry: str
    event: str
    ack: str
    command: str = strawberry.field(description="下行指令: the unit subscribes to this")


@strawberry.type(description="新发的设备凭证: the private key is shown this once and never stored")
class IssuedDeviceCredential:
    private_key: str = strawberry.field(description="Ed25519 私钥 (base64url): install it on the device")
    fingerprint: str

    @strawberry.field
    @staticmethod
    def device(parent: strawberry.Parent[IssuedCredential]) -> Device:
        return cast(Device, parent.device)

    @strawberry.field
    @staticmethod
    def topics(parent: strawberry.Parent[IssuedCredential]) -> DeviceTopics:
        kinds = ("heartbeat", "telemetry", "event", "ack")
        return DeviceTopics(**{kind: parent.topic(kind) for kind in kinds}, command=parent.command_topic)
