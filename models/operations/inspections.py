"""巡检 (routine inspections, seed 004): plans, the tasks a job makes of them once per period, the
records of each inspected target with their photos, and the user unit's sign-off of the monthly
report (《月度巡检报告》, 报请用户单位审批签署).

Every row copies the org path of the plan's user unit (``org_path``) so one ``site_scope`` prefix
condition scopes it (resolvers/operations/scopes.py ``inspection_scope``)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise import fields

from models.common import Entity

if TYPE_CHECKING:
    from models.operations import Org


class InspectionFrequency(StrEnum):
    DAILY = "DAILY"  # 每日 (machine rooms)
    BIWEEKLY = "BIWEEKLY"  # 每两周进行一次现场例行检查 (hardware), anchored at the plan's start date
    MONTHLY = "MONTHLY"  # 月度检查
    QUARTERLY = "QUARTERLY"  # 季度 (security assessment)
    YEARLY = "YEARLY"  # 年度检查


class InspectionTargetKind(StrEnum):
    """What a plan inspects: a hall (an org under the unit) or a configuration item — today a
    device of the devices subgraph; the CMDB (issue 16) adds its own kinds."""

    HALL = "HALL"
    DEVICE = "DEVICE"


class InspectionTaskStatus(StrEnum):
    PENDING = "PENDING"
    DONE = "DONE"  # every target recorded
    MISSED = "MISSED"  # past due and not done (the job marks it; reads derive it before that)


class InspectionResult(StrEnum):
    OK = "OK"  # 正常
    ISSUE = "ISSUE"  # 发现问题


class InspectionPlan(Entity):
    """巡检计划: what is inspected, how often, by whom, for which user unit (用户单位)."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="inspection_plans", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the user unit: the hall, outlet or bureau inspected, which signs the report
    org_path = fields.CharField(max_length=400, db_index=True)
    name = fields.CharField(max_length=100)
    frequency = fields.CharEnumField(InspectionFrequency, max_length=10)
    # [{"kind": "HALL" | "DEVICE", "id": "<uuid>"}]: a (kind, id) pair, so the CMDB can add kinds.
    targets: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    checklist: fields.JSONField[list[str]] = fields.JSONField(default=list)  # 检查项
    assignee_id = fields.UUIDField(null=True)  # an ops engineer (User), optional
    active = fields.BooleanField(default=True)
    start_date = fields.DateField()  # the first period is the one holding it (CST)
    created_by = fields.UUIDField(null=True)

    class Meta:
        table = "inspection_plan"
        indexes = (("created_at", "id"),)


class InspectionTask(Entity):
    """巡检任务: one per plan and period (unique), due at the end of the period (CST)."""

    plan: fields.ForeignKeyRelation[InspectionPlan] = fields.ForeignKeyField(
        "operations.InspectionPlan", related_name="tasks", on_delete=fields.RESTRICT
    )
    plan_id: UUID
    org_id = fields.UUIDField(db_index=True)  # the plan's unit, for statistics per unit
    org_path = fields.CharField(max_length=400, db_index=True)
    period_start = fields.DateField()
    period_end = fields.DateField()  # exclusive: the day after the period's last
    due_at = fields.DatetimeField(db_index=True)  # period_end 00:00 CST
    # The plan's targets when the task was made: editing the plan changes later periods only.
    targets: fields.JSONField[list[dict[str, str]]] = fields.JSONField(default=list)
    status = fields.CharEnumField(InspectionTaskStatus, max_length=10, default=InspectionTaskStatus.PENDING)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inspection_task"
        indexes = (("created_at", "id"),)
        unique_together = (("plan", "period_start"),)  # once per period, across replicas and runs


class InspectionRecord(Entity):
    """巡检记录: one per task and target (unique: a repeat returns the first)."""

    task: fields.ForeignKeyRelation[InspectionTask] = fields.ForeignKeyField(
        "operations.InspectionTask", related_name="records", on_delete=fields.RESTRICT
    )
    task_id: UUID
    org_path = fields.CharField(max_length=400, db_index=True)
    target_kind = fields.CharEnumField(InspectionTargetKind, max_length=10)
    target_id = fields.UUIDField()
    result = fields.CharEnumField(InspectionResult, max_length=10)
    unit_name = fields.CharField(max_length=100, default="")  # 单位
    symptom = fields.TextField(default="")  # 故障现象
    expected_resolution_at = fields.DatetimeField(null=True)  # 预计解决时间
    note = fields.TextField(default="")
    recorded_by = fields.UUIDField()

    class Meta:
        table = "inspection_record"
        indexes = (("created_at", "id"),)
        unique_together = (("task", "target_kind", "target_id"),)


class InspectionPhoto(Entity):
    """A photo attached to a record (现场照片): what lists show. The bytes are apart
    (``InspectionPhotoContent``) so listing photos never reads them."""

    record: fields.ForeignKeyRelation[InspectionRecord] = fields.ForeignKeyField(
        "operations.InspectionRecord", related_name="photos", on_delete=fields.RESTRICT
    )
    record_id: UUID
    org_path = fields.CharField(max_length=400, db_index=True)
    file_name = fields.CharField(max_length=200, default="")
    content_type = fields.CharField(max_length=20)  # from the magic bytes, not the client
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)

    class Meta:
        table = "inspection_photo"


class InspectionPhotoContent(Entity):
    """A photo's bytes, one row per photo (same id), read one photo at a time."""

    content: Any = fields.BinaryField()

    class Meta:
        table = "inspection_photo_content"


class InspectionSignoff(Entity):
    """The user unit's sign-off of its monthly report (审批签署): one per unit and month."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="inspection_signoffs", on_delete=fields.RESTRICT
    )
    org_id: UUID
    org_path = fields.CharField(max_length=400, db_index=True)
    month = fields.DateField()  # the month's first day
    signed_by = fields.UUIDField()
    note = fields.TextField(default="")

    class Meta:
        table = "inspection_signoff"
        unique_together = (("org", "month"),)
