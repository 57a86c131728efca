"""故障事件 (incidents) of IT operations (seed 004), the service policies that time them, and the
confirmation and escalation matrix (事故分级响应服务时间). The rules over these rows are in
resolvers/operations/incidents.py (the workflow) and resolvers/operations/sla.py (the clocks)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org


class IncidentLevel(StrEnum):
    """故障事件等级, exactly as seed 004 defines them."""

    LEVEL_1 = "LEVEL_1"  # 一级: 网络或系统停机，或遭到严重攻击行为或安全事件，对业务运作有重大影响
    LEVEL_2 = "LEVEL_2"  # 二级: 操作性能严重降级，或网络性能失常或安全事件严重影响用户业务运作
    LEVEL_3 = "LEVEL_3"  # 三级: 操作性能受损，安全事件（如病毒小范围发作），但大部分业务运作仍可正常工作
    LEVEL_4 = "LEVEL_4"  # 四级: 网络、服务器、存储、安全设备功能、安装或配置方面需要调整或优化，影响很小


class IncidentStatus(StrEnum):
    """The service desk's workflow (服务台): reported → … → closed → analysed."""

    REPORTED = "REPORTED"  # 已申报
    CONFIRMED = "CONFIRMED"  # 已确认 (the response)
    CLASSIFIED = "CLASSIFIED"  # 已分类 (level and category set)
    ASSIGNED = "ASSIGNED"  # 已派单 / 已转派
    IN_PROGRESS = "IN_PROGRESS"  # 处理中
    TESTING = "TESTING"  # 测试中 (rework goes back to IN_PROGRESS)
    PENDING_CONFIRMATION = "PENDING_CONFIRMATION"  # 待用户确认: the SLA clock pauses
    CLOSED = "CLOSED"  # 已关闭 (with the satisfaction survey)
    ANALYSED = "ANALYSED"  # 已分析 (root cause written up)


class IncidentSource(StrEnum):
    STAFF = "STAFF"  # reported by a member of staff in the platform
    ALERT = "ALERT"  # an unacknowledged critical alert escalated by a job
    PHONE = "PHONE"  # 服务热线: entered by the service desk for a caller


class SupportTier(StrEnum):
    """The service team's positions of the confirmation matrix, lowest first."""

    TECHNICIAN = "TECHNICIAN"  # 技术服务人员
    ENGINEER = "ENGINEER"  # 专业工程师
    EXPERT = "EXPERT"  # 技术支持专家
    PROJECT_MANAGER = "PROJECT_MANAGER"  # 服务项目经理


TIERS = tuple(SupportTier)  # in escalation order


class ServiceCalendar(StrEnum):
    """Which targets apply: the incident was reported in working hours (工作日 10:00–20:00 by
    default, the policy's hours on a working day of the calendar) or in the rest of the week."""

    WORKING_HOURS = "WORKING_HOURS"
    OFF_HOURS = "OFF_HOURS"


class IncidentAction(StrEnum):
    REPORT = "REPORT"
    CONFIRM = "CONFIRM"  # the response; later confirmations by higher tiers too
    CLASSIFY = "CLASSIFY"
    ASSIGN = "ASSIGN"
    TAKE = "TAKE"  # 接单: an engineer assigns it to themself
    TRANSFER = "TRANSFER"  # 转派
    START = "START"
    ARRIVE = "ARRIVE"  # 到场: on site
    SUBMIT_TEST = "SUBMIT_TEST"
    REWORK = "REWORK"
    RESOLVE = "RESOLVE"  # handed to the reporter to confirm
    REJECT = "REJECT"  # the reporter says it is not fixed
    CLOSE = "CLOSE"
    ANALYSE = "ANALYSE"
    ESCALATE = "ESCALATE"  # by the job: the matrix, or no movement for the policy's interval
    BREACH = "BREACH"  # by the job: an SLA target missed


class ServicePolicy(Entity):
    """服务级别策略: the targets and matrix incidents of an org subtree are timed by. The policy of
    an incident is the one of the nearest org on its path, else the default; it is fixed when the
    incident is reported."""

    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    org_id = fields.UUIDField(null=True, unique=True)  # the org subtree it times, if any
    is_default = fields.BooleanField(default=False)  # the one for orgs no policy names (one only)
    # Working hours on a working day (工作日 10:00–20:00), in minutes after midnight CST.
    work_start_minute = fields.IntField(default=600)
    work_end_minute = fields.IntField(default=1200)
    # 升级时间: an incident that has not moved for this long is escalated to the next tier.
    stagnation_minutes = fields.IntField(default=120)

    class Meta:
        table = "service_policy"


class ServiceTarget(Entity):
    """The respond / on-site / resolve targets of a policy for one level and calendar."""

    policy: fields.ForeignKeyRelation[ServicePolicy] = fields.ForeignKeyField(
        "operations.ServicePolicy", related_name="targets", on_delete=fields.CASCADE
    )
    policy_id: UUID
    level = fields.CharEnumField(IncidentLevel, max_length=10)
    calendar = fields.CharEnumField(ServiceCalendar, max_length=14)
    respond_minutes = fields.IntField()  # 响应
    on_site_minutes = fields.IntField()  # 到场
    resolve_minutes = fields.IntField()  # 排除故障

    class Meta:
        table = "service_target"
        unique_together = (("policy", "level", "calendar"),)


class EscalationStep(Entity):
    """One cell of the confirmation matrix (确认时间): by ``after_minutes`` from the report, an
    incident of ``level`` must have been confirmed by someone of ``tier`` (or higher)."""

    policy: fields.ForeignKeyRelation[ServicePolicy] = fields.ForeignKeyField(
        "operations.ServicePolicy", related_name="escalation_steps", on_delete=fields.CASCADE
    )
    policy_id: UUID
    level = fields.CharEnumField(IncidentLevel, max_length=10)
    after_minutes = fields.IntField()
    tier = fields.CharEnumField(SupportTier, max_length=16)

    class Meta:
        table = "escalation_step"
        unique_together = (("policy", "level", "tier"),)


class Incident(Entity):
    """故障事件. The due times are set from the policy when it is reported (and again when it is
    classified at another level); time pending the reporter's confirmation moves the resolve due
    time on by as long. ``*_breached`` are set once, by the SLA job."""

    code = fields.CharField(max_length=24, unique=True)  # 事件单号, e.g. INC20261206-3F9A2C
    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="incidents", on_delete=fields.RESTRICT
    )
    org_id: UUID
    org_path = fields.CharField(max_length=400, db_index=True)  # copied for scope filtering
    tenant_id = fields.UUIDField(null=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    category = fields.CharField(max_length=40, default="")  # network, server, storage, security …
    level = fields.CharEnumField(IncidentLevel, max_length=10)
    status = fields.CharEnumField(IncidentStatus, max_length=22, default=IncidentStatus.REPORTED)
    source = fields.CharEnumField(IncidentSource, max_length=8)
    alert_id = fields.UUIDField(null=True, unique=True)  # the alert it was escalated from
    caller = fields.CharField(max_length=100, default="")  # 报修人 of a phone entry
    reporter_id = fields.UUIDField(null=True)  # null: raised by the platform (an alert)
    assignee_id = fields.UUIDField(null=True, db_index=True)
    policy: fields.ForeignKeyRelation[ServicePolicy] = fields.ForeignKeyField(
        "operations.ServicePolicy", related_name="incidents", on_delete=fields.RESTRICT
    )
    policy_id: UUID
    calendar = fields.CharEnumField(ServiceCalendar, max_length=14)
    month = fields.DateField()  # the first day of the CST month it was reported in (statistics)

    reported_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    on_site_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)  # last handed to the reporter
    closed_at = fields.DatetimeField(null=True)
    analysed_at = fields.DatetimeField(null=True)
    last_moved_at = fields.DatetimeField()  # the last step or escalation

    respond_due_at = fields.DatetimeField()
    on_site_due_at = fields.DatetimeField()
    resolve_due_at = fields.DatetimeField(db_index=True)
    paused_at = fields.DatetimeField(null=True)  # pending the reporter since
    paused_seconds = fields.IntField(default=0)
    respond_breached = fields.BooleanField(default=False)
    on_site_breached = fields.BooleanField(default=False)
    resolve_breached = fields.BooleanField(default=False)

    confirmed_tier = fields.CharEnumField(SupportTier, max_length=16, null=True)
    escalated_tier = fields.CharEnumField(SupportTier, max_length=16, null=True)
    escalations = fields.IntField(default=0)

    # Figures for the statistics, set when known: seconds to the response and to the resolution
    # (pauses excluded).
    respond_seconds = fields.IntField(null=True)
    resolve_seconds = fields.IntField(null=True)
    satisfaction = fields.IntField(null=True)  # 满意度 1–5, at close
    satisfaction_comment = fields.TextField(default="")
    analysis = fields.TextField(default="")  # 事件分析

    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "incident"
        indexes = (("created_at", "id"), ("month", "level"))
        unique_together = (("reporter_id", "idempotency_key"),)


class IncidentStep(Entity):
    """One step of an incident's history: who (null: the platform), when, what, and a note."""

    incident: fields.ForeignKeyRelation[Incident] = fields.ForeignKeyField(
        "operations.Incident", related_name="steps", on_delete=fields.CASCADE
    )
    incident_id: UUID
    action = fields.CharEnumField(IncidentAction, max_length=12)
    from_status = fields.CharEnumField(IncidentStatus, max_length=22, null=True)
    to_status = fields.CharEnumField(IncidentStatus, max_length=22)
    actor_id = fields.UUIDField(null=True)
    tier = fields.CharEnumField(SupportTier, max_length=16, null=True)
    at = fields.DatetimeField()
    note = fields.TextField(default="")
    detail: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)

    class Meta:
        table = "incident_step"
        indexes = (("incident_id", "at"),)
