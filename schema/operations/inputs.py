"""Input types of the operations schema."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.operations.enums import AlertLevel, InspectionFrequency, InspectionResult, InspectionTargetKind


@strawberry.input
class RaiseAlertInput:
    org_id: strawberry.ID
    level: AlertLevel
    title: str
    detail: str = ""
    device_id: strawberry.ID | None = None
    source: str = "manual"
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="幂等键: a key the client makes once per alert (e.g. a UUID) and sends again when it "
        "retries; the same caller with the same key gets the first alert back and nothing is raised twice",
    )


@strawberry.input(description="Every given condition must hold")
class AuditRecordFilter:
    """Passed on as resolvers/operations/filters.py ``AuditFilter`` (the same fields)."""

    actor: str | None = strawberry.field(default=None, description="a username or a user id")
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    from_: datetime | None = strawberry.field(default=None, name="from", description="at or after")
    to: datetime | None = strawberry.field(default=None, description="before")
    subgraph: str | None = None


# -- 巡检 (inspections) -------------------------------------------------------------------------------


@strawberry.input(description="巡检对象: a hall at or under the unit, or a device there")
class InspectionTargetInput:
    kind: InspectionTargetKind
    id: strawberry.ID


@strawberry.input
class CreateInspectionPlanInput:
    org_id: strawberry.ID = strawberry.field(description="用户单位: the hall, outlet or bureau inspected")
    name: str
    frequency: InspectionFrequency
    targets: list[InspectionTargetInput]
    checklist: list[str] = strawberry.field(default_factory=list, description="检查项")
    start_date: date
    assignee_id: strawberry.ID | None = None


@strawberry.input(description="Only the fields given change; active: false deactivates the plan")
class UpdateInspectionPlanInput:
    name: str | None = None
    targets: list[InspectionTargetInput] | None = None
    checklist: list[str] | None = None
    assignee_id: strawberry.ID | None = None
    clear_assignee: bool = False
    active: bool | None = None


@strawberry.input(description="a photo: JPEG, PNG or WebP, at most 2 MiB, base64")
class PhotoUploadInput:
    file_name: str = ""
    content_base64: str


@strawberry.input
class RecordInspectionInput:
    task_id: strawberry.ID
    target: InspectionTargetInput
    result: InspectionResult
    unit_name: str = strawberry.field(default="", description="单位")
    symptom: str = strawberry.field(default="", description="故障现象")
    expected_resolution_at: datetime | None = strawberry.field(default=None, description="预计解决时间")
    note: str = ""
    photos: list[PhotoUploadInput] = strawberry.field(default_factory=list, description="at most 6")
