"""Devices subgraph: terminals, screens, servers … of the halls and machine rooms; their
credentials (设备凭证), status history, the messages they report (心跳, 事件) and the commands staff
send them (远程指令)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import Entity
from models.outbox import ConsumerCursorBase, OutboxEventBase, OutboxSequenceBase


class DeviceKind(StrEnum):
    SELF_SERVICE_TERMINAL = "SELF_SERVICE_TERMINAL"  # 自助终端
    VTM = "VTM"
    PAYMENT_KIOSK = "PAYMENT_KIOSK"  # 缴费机
    GUIDE_SCREEN = "GUIDE_SCREEN"  # 引导屏
    LED_SCREEN = "LED_SCREEN"
    QUEUE_MACHINE = "QUEUE_MACHINE"  # 排队机
    RATING_DEVICE = "RATING_DEVICE"  # 评价器
    CCTV = "CCTV"
    INTERACTION_UNIT = "INTERACTION_UNIT"  # 智能互动单元 / 网关: other devices report through it
    SERVER = "SERVER"
    NETWORK = "NETWORK"  # 网络设备
    QUERY_KIOSK = "QUERY_KIOSK"  # 查询机
    AD_PLAYER = "AD_PLAYER"  # 广告机
    AUDIO_DEVICE = "AUDIO_DEVICE"  # 音频设备
    VIDEO_ANALYTICS = "VIDEO_ANALYTICS"  # 视频分析盒: 服务规范, 异常行为, 风险预警 events
    PEOPLE_COUNTER = "PEOPLE_COUNTER"  # 客流计数器: visitor counts
    STORAGE = "STORAGE"  # 存储
    SAN_SWITCH = "SAN_SWITCH"  # SAN 交换机
    SECURITY_DEVICE = "SECURITY_DEVICE"  # 安全设备
    FILE_CABINET = "FILE_CABINET"  # 档案柜
    LOCK = "LOCK"  # 智能锁


class DeviceStatus(StrEnum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    FAULT = "FAULT"
    MAINTENANCE = "MAINTENANCE"


class Device(Entity):
    code = fields.CharField(max_length=40, unique=True)  # 设备编号: names the device in its MQTT topics
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(DeviceKind, max_length=24)
    vendor = fields.CharField(max_length=60, default="")  # 厂商
    model = fields.CharField(max_length=60, default="")  # 型号
    protocol = fields.CharField(max_length=40, default="")  # 接入协议 behind the unit (Modbus, ONVIF …)
    firmware = fields.CharField(max_length=60, default="")  # 固件版本
    hall_id = fields.UUIDField(db_index=True)  # operations Org of kind HALL
    org_path = fields.CharField(max_length=400, db_index=True)  # the hall's path, for scope
    tenant_id = fields.UUIDField(null=True)  # the hall's tenant: the first level of its topics
    # 所属交互单元: a child device reports through this unit (its messages carry the child's code).
    parent: fields.ForeignKeyNullableRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: UUID | None  # the key column, for the type checker
    owner_contact = fields.CharField(max_length=100, default="")  # 负责人 / 联系方式
    location = fields.CharField(max_length=200, default="")  # 安装位置
    warranty_until = fields.DateField(null=True)  # 保修期至
    status = fields.CharEnumField(DeviceStatus, max_length=12, default=DeviceStatus.OFFLINE)
    status_since = fields.DatetimeField(null=True)
    last_heartbeat_at = fields.DatetimeField(null=True)
    heartbeat_seconds = fields.IntField(default=30)  # the interval the device reports at
    # A heartbeat moves this on (at + the window); the offline job marks devices past it OFFLINE.
    offline_after = fields.DatetimeField(null=True, db_index=True)
    cpu = fields.FloatField(null=True)  # last reported %, from the heartbeat
    memory = fields.FloatField(null=True)

    class Meta:
        table = "device"


class StatusReason(StrEnum):
    HEARTBEAT = "HEARTBEAT"  # a heartbeat after silence, or one reporting a status
    MISSED_HEARTBEAT = "MISSED_HEARTBEAT"  # the offline job: no heartbeat within the window
    FAULT = "FAULT"  # a fault event
    RECOVERED = "RECOVERED"  # a recovered event
    STAFF = "STAFF"  # set by staff (maintenance, back in service)


class DeviceStatusChange(Entity):
    """设备状态变更记录: every status change, why, and who (null: the device or the platform)."""

    device: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="status_changes", on_delete=fields.CASCADE
    )
    device_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400)  # the device's, for scope
    previous = fields.CharEnumField(DeviceStatus, max_length=12)
    status = fields.CharEnumField(DeviceStatus, max_length=12)
    reason = fields.CharEnumField(StatusReason, max_length=20)
    detail = fields.CharField(max_length=200, default="")
    actor_id = fields.UUIDField(null=True)

    class Meta:
        table = "device_status_change"
        indexes = (("device_id", "created_at", "id"),)


class DeviceCredential(Entity):
    """设备凭证: the public half of the Ed25519 key a device signs its messages with. The private
    half is shown once, when staff issue or rotate it, and never stored (resolvers/devices/credentials.py)."""

    device: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="credentials", on_delete=fields.CASCADE
    )
    device_id: UUID  # the key column, for the type checker
    public_key = fields.CharField(max_length=64)  # base64 of the 32 raw bytes
    fingerprint = fields.CharField(max_length=64, unique=True)  # sha256 hex of the public key
    issued_by = fields.UUIDField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "device_credential"
        indexes = (("device_id", "revoked_at"),)


class DeviceMessage(Entity):
    """An event a device reported (fault, recovered, visitors …): one row per (device, message id),
    so a redelivered MQTT message (QoS 1) is recognised and applied once."""

    device: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="messages", on_delete=fields.CASCADE
    )
    device_id: UUID  # the key column, for the type checker
    message_id = fields.CharField(max_length=64)
    type = fields.CharField(max_length=40)
    data: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    at = fields.DatetimeField()

    class Meta:
        table = "device_message"
        unique_together = (("device_id", "message_id"),)
        indexes = (("device_id", "at"),)


class CommandAction(StrEnum):
    RESTART = "RESTART"  # 重启
    UPDATE_CONTENT = "UPDATE_CONTENT"  # 更新内容 (screens, ad players)
    OPEN_LOCK = "OPEN_LOCK"  # 开锁
    CLOSE_LOCK = "CLOSE_LOCK"  # 关锁
    SCREEN_ON = "SCREEN_ON"  # 开屏
    SCREEN_OFF = "SCREEN_OFF"  # 关屏
    SYNC_TIME = "SYNC_TIME"  # 校时
    UPGRADE_FIRMWARE = "UPGRADE_FIRMWARE"  # 固件升级


class CommandStatus(StrEnum):
    PENDING = "PENDING"  # issued, waiting for the bridge
    SENT = "SENT"  # published to the unit's command topic
    ACKNOWLEDGED = "ACKNOWLEDGED"  # the unit says done
    FAILED = "FAILED"  # the unit says it could not
    TIMED_OUT = "TIMED_OUT"  # no answer before expires_at


class DeviceCommand(Entity):
    """远程指令: issued by staff to a device, sent through its unit, answered on the unit's ack topic.
    The id is the client's command id, so issuing the same command twice issues it once."""

    device: fields.ForeignKeyRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="commands", on_delete=fields.CASCADE
    )
    device_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # the device's, for scope
    action = fields.CharEnumField(CommandAction, max_length=20)
    params: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(CommandStatus, max_length=14, default=CommandStatus.PENDING)
    issued_by = fields.UUIDField()
    sent_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(db_index=True)
    detail = fields.CharField(max_length=500, default="")  # the unit's answer, or why it timed out

    class Meta:
        table = "device_command"
        indexes = (("device_id", "created_at", "id"),)


class ConsumerCursor(ConsumerCursorBase):
    """How far a durable consumer here has got (realtime/consumer.py): the bridge's command sender."""

    class Meta:
        table = "consumer_cursor"


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
