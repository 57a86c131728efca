"""Devices subgraph: terminals, screens, servers … and their heartbeats."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import Entity
from models.outbox import OutboxEventBase, OutboxSequenceBase


class DeviceKind(StrEnum):
    SELF_SERVICE_TERMINAL = "SELF_SERVICE_TERMINAL"  # 自助终端
    VTM = "VTM"
    PAYMENT_KIOSK = "PAYMENT_KIOSK"  # 缴费机
    GUIDE_SCREEN = "GUIDE_SCREEN"  # 引导屏
    LED_SCREEN = "LED_SCREEN"
    QUEUE_MACHINE = "QUEUE_MACHINE"  # 排队机
    RATING_DEVICE = "RATING_DEVICE"  # 评价器
    CCTV = "CCTV"
    INTERACTION_UNIT = "INTERACTION_UNIT"  # 交互单元 / 网关
    SERVER = "SERVER"
    NETWORK = "NETWORK"


class DeviceStatus(StrEnum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    FAULT = "FAULT"
    MAINTENANCE = "MAINTENANCE"


class Device(Entity):
    code = fields.CharField(max_length=40, unique=True)  # 设备编号
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(DeviceKind, max_length=24)
    vendor = fields.CharField(max_length=60, default="")
    model = fields.CharField(max_length=60, default="")
    hall_id = fields.UUIDField(db_index=True)  # operations Org of kind HALL
    org_path = fields.CharField(max_length=400, db_index=True)  # the hall's path, for scope
    status = fields.CharEnumField(DeviceStatus, max_length=12, default=DeviceStatus.OFFLINE)
    last_heartbeat_at = fields.DatetimeField(null=True)
    cpu = fields.FloatField(null=True)  # last reported %, from the heartbeat
    memory = fields.FloatField(null=True)

    class Meta:
        table = "device"


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE


class OutboxEvent(OutboxEventBase):
    """Events of this subgraph waiting for (or past) publication: see models/outbox.py."""

    class Meta:
        table = "outbox_event"
        unique_together = (("channel", "seq"),)


class OutboxSequence(OutboxSequenceBase):
    """The last number given to an event of each of this subgraph's channels."""

    class Meta:
        table = "outbox_sequence"


# -- issue 16: cmdb (配置库): models/devices/cmdb.py --
from models.devices.cmdb import ConfigChange as ConfigChange  # noqa: E402
from models.devices.cmdb import ConfigChangeAction as ConfigChangeAction  # noqa: E402
from models.devices.cmdb import ConfigItem as ConfigItem  # noqa: E402
from models.devices.cmdb import ConfigItemKind as ConfigItemKind  # noqa: E402
from models.devices.cmdb import ConfigItemStatus as ConfigItemStatus  # noqa: E402
from models.devices.cmdb import ConfigRelation as ConfigRelation  # noqa: E402
from models.devices.cmdb import ConfigRelationKind as ConfigRelationKind  # noqa: E402
