"""巡检: inspection plans, tasks, records, photos, the monthly report and statistics (read models/
operations/inspections.py rows and resolvers/operations/inspections.py results; relations through
the scoped loaders)."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, cast
from uuid import UUID

import strawberry

from models.operations import InspectionPhoto as PhotoRow
from models.operations import InspectionPlan as PlanRow
from models.operations import InspectionRecord as RecordRow
from models.operations import InspectionSignoff as SignoffRow
from models.operations import InspectionTask as TaskRow
from resolvers.common.errors import bad_input
from resolvers.common.pagination import check_page_size
from resolvers.common.values import parse_id
from resolvers.operations import inspection_export
from resolvers.operations import inspections as domain
from schema.common.federation import entity
from schema.operations.context import Info
from schema.operations.enums import (
    ExportFormat,
    InspectionFrequency,
    InspectionResult,
    InspectionTargetKind,
    InspectionTaskStatus,
)
from schema.operations.types.orgs import Org, User


@strawberry.type(description="巡检对象: a hall, or a configuration item (today a device)")
class InspectionTarget:
    kind: InspectionTargetKind
    id: strawberry.ID


def _targets(stored: list[dict[str, str]]) -> list[InspectionTarget]:
    return [InspectionTarget(kind=InspectionTargetKind(t["kind"]), id=strawberry.ID(t["id"])) for t in stored]


async def _user(info: Info, user_id: UUID | None) -> User | None:
    return cast("User | None", await info.context.loaders.user.load(user_id)) if user_id else None


@strawberry.federation.type(keys=["id"], description="巡检计划")
class InspectionPlan:
    id: strawberry.ID
    name: str
    frequency: InspectionFrequency
    checklist: list[str] = strawberry.field(description="检查项")
    active: bool
    start_date: date
    created_at: datetime

    @strawberry.field
    @staticmethod
    def targets(parent: strawberry.Parent[PlanRow]) -> list[InspectionTarget]:
        return _targets(parent.targets)

    @strawberry.field(description="用户单位: the org inspected, which signs the monthly report")
    @staticmethod
    async def org(parent: strawberry.Parent[PlanRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @strawberry.field
    @staticmethod
    async def assignee(parent: strawberry.Parent[PlanRow], info: Info) -> User | None:
        return await _user(info, parent.assignee_id)

    @strawberry.field(description="the latest `first` tasks, newest period first")
    @staticmethod
    async def tasks(parent: strawberry.Parent[PlanRow], info: Info, first: int = 12) -> list[InspectionTask]:
        check_page_size(first)  # and the cost limit multiplies by `first`, as for a connection
        return cast(list[InspectionTask], await info.context.loaders.plan_tasks(first).load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> InspectionPlan:
        return entity(cls, await info.context.loaders.inspection_plan.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="巡检任务: one per plan and period")
class InspectionTask:
    id: strawberry.ID
    period_start: date
    period_end: date = strawberry.field(description="the day after the period's last")
    due_at: datetime
    completed_at: datetime | None

    @strawberry.field(description="MISSED once past due and not done")
    @staticmethod
    def status(parent: strawberry.Parent[TaskRow]) -> InspectionTaskStatus:
        return domain.effective_status(parent)

    @strawberry.field
    @staticmethod
    def targets(parent: strawberry.Parent[TaskRow]) -> list[InspectionTarget]:
        return _targets(parent.targets)

    @strawberry.field
    @staticmethod
    async def plan(parent: strawberry.Parent[TaskRow], info: Info) -> InspectionPlan:
        return cast(InspectionPlan, await info.context.loaders.inspection_plan.load(parent.plan_id))

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[TaskRow], info: Info) -> Org:
        return cast(Org, await info.context.loaders.org.load(parent.org_id))

    @strawberry.field
    @staticmethod
    async def records(parent: strawberry.Parent[TaskRow], info: Info) -> list[InspectionRecord]:
        return cast(list[InspectionRecord], await info.context.loaders.task_records.load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> InspectionTask:
        return entity(cls, await info.context.loaders.inspection_task.load(parse_id(id)))


@strawberry.type(description="现场照片")
class InspectionPhoto:
    id: strawberry.ID
    file_name: str
    content_type: str = strawberry.field(description="image/jpeg, image/png or image/webp (by its bytes)")
    size: int
    created_at: datetime

    @strawberry.field(description="the photo's bytes, base64: one photo a request (e.g. inspectionPhoto(id))")
    @staticmethod
    async def content_base64(parent: strawberry.Parent[PhotoRow], info: Info) -> str:
        loaders = info.context.loaders
        loaders.photo_contents_read += 1
        if loaders.photo_contents_read > 1:
            raise bad_input("photo contents are read one at a time: one contentBase64 a request")
        return base64.b64encode(await domain.photo_content(parent.id)).decode()


@strawberry.federation.type(keys=["id"], description="巡检记录: one target of a task")
class InspectionRecord:
    id: strawberry.ID
    target_kind: InspectionTargetKind
    target_id: strawberry.ID
    result: InspectionResult
    unit_name: str = strawberry.field(description="单位")
    symptom: str = strawberry.field(description="故障现象")
    expected_resolution_at: datetime | None = strawberry.field(description="预计解决时间")
    note: str
    created_at: datetime

    @strawberry.field
    @staticmethod
    async def task(parent: strawberry.Parent[RecordRow], info: Info) -> InspectionTask:
        return cast(InspectionTask, await info.context.loaders.inspection_task.load(parent.task_id))

    @strawberry.field
    @staticmethod
    async def recorded_by(parent: strawberry.Parent[RecordRow], info: Info) -> User | None:
        return await _user(info, parent.recorded_by)

    @strawberry.field
    @staticmethod
    async def photos(parent: strawberry.Parent[RecordRow], info: Info) -> list[InspectionPhoto]:
        return cast(list[InspectionPhoto], await info.context.loaders.record_photos.load(parent.id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> InspectionRecord:
        return entity(cls, await info.context.loaders.inspection_record.load(parse_id(id)))


@strawberry.type(description="用户单位签署 of a monthly report")
class InspectionSignoff:
    id: strawberry.ID
    month: date
    note: str
    created_at: datetime = strawberry.field(description="when it was signed")

    @strawberry.field
    @staticmethod
    async def signed_by(parent: strawberry.Parent[SignoffRow], info: Info) -> User | None:
        return await _user(info, parent.signed_by)


@strawberry.type(description="an exported file")
class ExportFile:
    file_name: str
    content_type: str
    content_base64: str


@strawberry.type(description="《月度巡检报告》: the tasks of the unit (and halls under it) due in the month")
class InspectionReport:
    """Reads resolvers/operations/inspections.py ``InspectionReport``."""

    month: date

    @strawberry.field
    @staticmethod
    def org(parent: strawberry.Parent[domain.InspectionReport]) -> Org:
        return cast(Org, parent.org)

    @strawberry.field
    @staticmethod
    def due(parent: strawberry.Parent[domain.InspectionReport]) -> int:
        return len(parent.tasks)

    @strawberry.field
    @staticmethod
    def done(parent: strawberry.Parent[domain.InspectionReport]) -> int:
        return parent.count(domain.S.DONE)

    @strawberry.field
    @staticmethod
    def missed(parent: strawberry.Parent[domain.InspectionReport]) -> int:
        return parent.count(domain.S.MISSED)

    @strawberry.field
    @staticmethod
    def pending(parent: strawberry.Parent[domain.InspectionReport]) -> int:
        return parent.count(domain.S.PENDING)

    @strawberry.field(description="发现问题: records with result ISSUE")
    @staticmethod
    def issues(parent: strawberry.Parent[domain.InspectionReport]) -> int:
        return parent.issues

    @strawberry.field
    @staticmethod
    def tasks(parent: strawberry.Parent[domain.InspectionReport]) -> list[InspectionTask]:
        return cast(list[InspectionTask], parent.tasks)

    @strawberry.field
    @staticmethod
    def records(parent: strawberry.Parent[domain.InspectionReport]) -> list[InspectionRecord]:
        return cast(list[InspectionRecord], parent.records)

    @strawberry.field
    @staticmethod
    def signoff(parent: strawberry.Parent[domain.InspectionReport]) -> InspectionSignoff | None:
        return cast("InspectionSignoff | None", parent.signoff)

    @strawberry.field(description="the report as a file: XLSX or PDF")
    @staticmethod
    def export(
        parent: strawberry.Parent[domain.InspectionReport],
        format: Annotated[ExportFormat, strawberry.argument(description="XLSX or PDF")],
    ) -> ExportFile:
        exported = inspection_export.export_report(parent, format)
        content = base64.b64encode(exported.content).decode()
        return ExportFile(
            file_name=exported.file_name, content_type=exported.content_type, content_base64=content
        )


@strawberry.type(description="巡检统计: a unit's tasks due in the month")
class InspectionUnitStatistics:
    """Reads resolvers/operations/inspections.py ``UnitStatistics``."""

    due: int
    done: int
    missed: int
    pending: int

    @strawberry.field
    @staticmethod
    async def org(parent: strawberry.Parent[domain.UnitStatistics], info: Info) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parent.org_id))
