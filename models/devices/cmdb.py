"""配置库 (CMDB, seed 004 "设备配置管理": 原始配置资料，整理入库，且在修改设备配置后及时对录入的数据
进行更新): configuration items (配置项) — servers, storage, SAN switches, network and security
devices, databases, middleware, applications — with their original configuration (原始配置, fixed
at creation) and their current one, relations between them and to monitored devices, and every
change (变更记录) with who, when, what (field → before / after) and why.

An item belongs to an org (the owning unit, an operations ``Org`` by id) and carries its path for
the row scope, as a ``Device`` carries its hall's (resolvers/devices/scopes.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.devices import Device


class ConfigItemKind(StrEnum):
    SERVER = "SERVER"  # 服务器 (数据库 / 应用 / WEB / 备份服务器)
    STORAGE = "STORAGE"  # 存储设备 (磁盘阵列)
    SAN_SWITCH = "SAN_SWITCH"  # SAN 交换机
    TAPE_LIBRARY = "TAPE_LIBRARY"  # 磁带库
    NETWORK_DEVICE = "NETWORK_DEVICE"  # 网络设备 (交换机、路由器)
    SECURITY_DEVICE = "SECURITY_DEVICE"  # 安全设备 (防火墙、入侵检测)
    DATABASE = "DATABASE"  # 数据库软件
    MIDDLEWARE = "MIDDLEWARE"  # 中间件
    APPLICATION = "APPLICATION"  # 应用系统


class ConfigItemStatus(StrEnum):
    IN_SERVICE = "IN_SERVICE"  # 在用
    MAINTENANCE = "MAINTENANCE"  # 维护中
    RETIRED = "RETIRED"  # 已退役: read-only from then on


class ConfigRelationKind(StrEnum):
    RUNS_ON = "RUNS_ON"  # 运行于 (an application on a server)
    CONNECTS_TO = "CONNECTS_TO"  # 连接 (a server to a switch)
    DEPENDS_ON = "DEPENDS_ON"  # 依赖
    STORES_ON = "STORES_ON"  # 存储于 (a server's volumes on an array)
    PROTECTS = "PROTECTS"  # 防护 (a firewall in front of a network)
    BACKS_UP = "BACKS_UP"  # 备份 (a backup server or tape library of an item)


class ConfigChangeAction(StrEnum):
    CREATED = "CREATED"  # 入库
    UPDATED = "UPDATED"  # 配置 / 属性变更
    RELATED = "RELATED"  # 新增关系
    UNRELATED = "UNRELATED"  # 解除关系
    RETIRED = "RETIRED"  # 退役


class ConfigItem(Entity):
    """配置项: one managed piece of hardware or software of a unit."""

    code = fields.CharField(max_length=40, unique=True)  # 配置项编号, unique across tenants
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(ConfigItemKind, max_length=16)
    org_id = fields.UUIDField(db_index=True)  # the owning operations Org (机房 / 单位)
    org_path = fields.CharField(max_length=400, db_index=True)  # that org's path, for scope
    vendor = fields.CharField(max_length=60, default="")  # 厂商
    model = fields.CharField(max_length=60, default="")  # 型号
    serial_number = fields.CharField(max_length=80, default="")  # 序列号
    location = fields.CharField(max_length=200, default="")  # 位置 (机房、机柜、U 位)
    owner_contact = fields.CharField(max_length=100, default="")  # 责任人及联系方式
    warranty_until = fields.DateField(null=True)  # 维保到期
    status = fields.CharEnumField(ConfigItemStatus, max_length=12, default=ConfigItemStatus.IN_SERVICE)
    # 原始配置: what the item was delivered with, fixed at creation (no mutation writes it again)
    original_config: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    config: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)  # 当前配置
    device: fields.ForeignKeyNullableRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="config_items", null=True, on_delete=fields.SET_NULL
    )  # the monitored device this item is, when any
    device_id: UUID | None  # the key column, for the type checker
    version = fields.IntField(default=1)  # the number of the item's last ConfigChange (seq)
    created_by = fields.UUIDField()
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "config_item"
        indexes = (("created_at", "id"), ("device_id",))
        unique_together = (("created_by", "idempotency_key"),)


class ConfigRelation(Entity):
    """One relation of an item (source) to another item or to a device (exactly one target)."""

    source: fields.ForeignKeyRelation[ConfigItem] = fields.ForeignKeyField(
        "devices.ConfigItem", related_name="relations_out", on_delete=fields.CASCADE
    )
    source_id: UUID  # the key column, for the type checker
    target_item: fields.ForeignKeyNullableRelation[ConfigItem] = fields.ForeignKeyField(
        "devices.ConfigItem", related_name="relations_in", null=True, on_delete=fields.CASCADE
    )
    target_item_id: UUID | None
    target_device: fields.ForeignKeyNullableRelation[Device] = fields.ForeignKeyField(
        "devices.Device", related_name="config_relations", null=True, on_delete=fields.CASCADE
    )
    target_device_id: UUID | None
    target_key = fields.CharField(max_length=36)  # the target's id as text: one unique key for both
    kind = fields.CharEnumField(ConfigRelationKind, max_length=12)
    org_path = fields.CharField(max_length=400)  # the source item's
    created_by = fields.UUIDField()

    class Meta:
        table = "config_relation"
        unique_together = (("source_id", "target_key", "kind"),)
        indexes = (("target_item_id",), ("target_device_id",))  # the incoming relations


class ConfigChange(Entity):
    """变更记录 of an item: who (actor), when (created_at), what (``changes``: field → {before,
    after}; ``config.<key>`` for a key of the configuration), why (reason, and the operations
    变更单 it carried out, when named)."""

    item: fields.ForeignKeyRelation[ConfigItem] = fields.ForeignKeyField(
        "devices.ConfigItem", related_name="changes", on_delete=fields.CASCADE
    )
    item_id: UUID  # the key column, for the type checker
    seq = fields.IntField()  # 1, 2, … per item: the newest-first order and cursor
    org_path = fields.CharField(max_length=400)  # the item's, for the loader's scope
    action = fields.CharEnumField(ConfigChangeAction, max_length=10)
    changes: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    reason = fields.TextField(default="")
    change_request_id = fields.UUIDField(null=True)  # an operations ChangeRequest (变更单)
    actor_id = fields.UUIDField()
    actor_name = fields.CharField(max_length=64)

    class Meta:
        table = "config_change"
        unique_together = (("item_id", "seq"),)
