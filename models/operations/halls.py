"""供电营业厅 (service halls, seed 002): the hall registry (品牌厅 / 生态厅) and its zones, the queue
(排队叫号: tickets issued → called → serving → done, or called → missed 过号), visitor counts from
the counters (客流), staff on duty (在岗), and the service-quality events of the audio / video
analytics (服务规范, 异常行为, 风险预警) with the rules that raise alerts from them.

A hall is an operations ``Org`` of kind HALL; every row here carries the hall's org path
(``org_path``) for the scope rule (resolvers/operations/scopes.py ``hall_data_scope``)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org


class HallType(StrEnum):
    BRAND = "BRAND"  # 品牌厅
    ECOSYSTEM = "ECOSYSTEM"  # 生态厅


class ZoneKind(StrEnum):
    SERVICE = "SERVICE"  # 业务办理区
    SELF_SERVICE = "SELF_SERVICE"  # 自助服务区
    WAITING = "WAITING"  # 等候区
    EXPERIENCE = "EXPERIENCE"  # 体验区 (智慧用能体验区 …)
    OTHER = "OTHER"


class TicketStatus(StrEnum):
    ISSUED = "ISSUED"  # 已取号
    CALLED = "CALLED"  # 已叫号
    SERVING = "SERVING"  # 办理中
    DONE = "DONE"  # 已办结
    MISSED = "MISSED"  # 过号


class DutyStatus(StrEnum):
    ON_DUTY = "ON_DUTY"  # 在岗
    BREAK = "BREAK"  # 暂离
    OFF = "OFF"  # 离岗


class QualityCategory(StrEnum):
    SERVICE_NORM = "SERVICE_NORM"  # 服务规范
    ABNORMAL_BEHAVIOUR = "ABNORMAL_BEHAVIOUR"  # 异常行为
    RISK_WARNING = "RISK_WARNING"  # 风险预警


class HallProfile(Entity):
    """营业厅档案: one per hall org: its type, address, opening hours and the business it offers."""

    hall: fields.OneToOneRelation[Org] = fields.OneToOneField(
        "operations.Org", related_name="hall_profile", on_delete=fields.RESTRICT
    )
    hall_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    hall_type = fields.CharEnumField(HallType, max_length=10)
    address = fields.CharField(max_length=200, default="")
    opening_hours = fields.CharField(max_length=100, default="")  # 营业时间, e.g. "周一至周日 08:30-17:30"
    # Business type codes offered (resolvers/operations/queues.py BUSINESS_TYPES): 电费缴纳 …
    business_types: fields.JSONField[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "hall_profile"


class HallZone(Entity):
    """营业厅功能区: 业务办理区, 自助服务区, 等候区, 体验区 …"""

    hall: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="hall_zones", on_delete=fields.RESTRICT
    )
    hall_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    name = fields.CharField(max_length=60)
    kind = fields.CharEnumField(ZoneKind, max_length=14)

    class Meta:
        table = "hall_zone"
        unique_together = (("hall", "name"),)


class QueueTicket(Entity):
    """排队号: ``number`` (e.g. "A023", the letter of its business type) is unique per hall per CST
    day. ISSUED → CALLED → SERVING → DONE, or CALLED → MISSED (过号); each step one conditional UPDATE."""

    hall: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="queue_tickets", on_delete=fields.RESTRICT
    )
    hall_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    day = fields.DateField()  # the CST day it was issued on
    number = fields.CharField(max_length=8)
    business_type = fields.CharField(max_length=32)
    status = fields.CharEnumField(TicketStatus, max_length=8, default=TicketStatus.ISSUED)
    window = fields.CharField(max_length=16, default="")  # 窗口 / 柜台 it was called to
    issued_at = fields.DatetimeField()
    # issued_at in epoch seconds: waiting-time sums and minimums in SQL on both storages.
    issued_epoch = fields.BigIntField()
    called_at = fields.DatetimeField(null=True)
    serving_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)  # DONE or MISSED
    called_by = fields.UUIDField(null=True)
    served_by = fields.UUIDField(null=True)
    # The queue machine's event it was issued from (devices ingestion): issued once.
    source_event_id = fields.CharField(max_length=120, null=True, unique=True)

    class Meta:
        table = "queue_ticket"
        unique_together = (("hall", "day", "number"),)
        indexes = (("hall_id", "day", "status"), ("created_at", "id"))


class VisitorCount(Entity):
    """客流: visitors a counter (or staff, ``source`` "manual") counted in a period, one row per
    (hall, source, period start): a repeat replaces the count (idempotent)."""

    hall: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="visitor_counts", on_delete=fields.RESTRICT
    )
    hall_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    zone: fields.ForeignKeyNullableRelation[HallZone] = fields.ForeignKeyField(
        "operations.HallZone", related_name="visitor_counts", null=True, on_delete=fields.SET_NULL
    )
    zone_id: UUID | None  # the key column, for the type checker
    device_id = fields.UUIDField(null=True)  # the counter (a devices-subgraph Device)
    source = fields.CharField(max_length=36)  # str(device_id), or "manual"
    period_start = fields.DatetimeField()
    day = fields.DateField()  # CST day of period_start
    count = fields.IntField()

    class Meta:
        table = "visitor_count"
        unique_together = (("hall", "source", "period_start"),)
        indexes = (("hall_id", "day"),)


class StaffDuty(Entity):
    """在岗状态 of a member of staff at a hall, from ``since``, history kept (each change a row).
    ``current_key`` ("<hall>:<user>") is set on the current row only: one current row per person."""

    hall: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="staff_duties", on_delete=fields.RESTRICT
    )
    hall_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    user_id = fields.UUIDField()
    user_name = fields.CharField(max_length=64)
    status = fields.CharEnumField(DutyStatus, max_length=8)
    since = fields.DatetimeField()
    until = fields.DatetimeField(null=True)
    set_by = fields.UUIDField(null=True)
    current_key = fields.CharField(max_length=80, null=True, unique=True)

    class Meta:
        table = "staff_duty"
        indexes = (("hall_id", "status"), ("user_id", "since"))


class ServiceQualityEvent(Entity):
    """服务质量事件 from the audio / video analytics (or reported by staff)."""

    hall: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="quality_events", on_delete=fields.RESTRICT
    )
    hall_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    zone: fields.ForeignKeyNullableRelation[HallZone] = fields.ForeignKeyField(
        "operations.HallZone", related_name="quality_events", null=True, on_delete=fields.SET_NULL
    )
    zone_id: UUID | None  # the key column, for the type checker
    device_id = fields.UUIDField(null=True)
    category = fields.CharEnumField(QualityCategory, max_length=20)
    type_code = fields.CharField(max_length=40)  # e.g. "NO_UNIFORM" 未着工装, "CROWDING" 人员聚集
    detail = fields.TextField(default="")
    at = fields.DatetimeField()
    source_event_id = fields.CharField(max_length=120, null=True, unique=True)
    reported_by = fields.UUIDField(null=True)  # null: the analytics
    alert_id = fields.UUIDField(null=True)  # the alert a rule raised (or counted it into)

    class Meta:
        table = "service_quality_event"
        indexes = (("hall_id", "category", "at"), ("created_at", "id"))


class ServiceQualityRule(Entity):
    """告警规则: in the subtree of ``org``, ``threshold`` events of ``category`` (and ``type_code``,
    "" any) at one hall within ``window_minutes`` raise one alert of ``level`` per window."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="quality_rules", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    category = fields.CharEnumField(QualityCategory, max_length=20)
    type_code = fields.CharField(max_length=40, default="")  # "": any type of the category
    level = fields.CharField(max_length=10)  # an AlertLevel
    threshold = fields.IntField()
    window_minutes = fields.IntField()
    active = fields.BooleanField(default=True)
    created_by = fields.UUIDField(null=True)

    class Meta:
        table = "service_quality_rule"
        unique_together = (("org", "category", "type_code"),)
