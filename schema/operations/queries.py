"""Every root query of the operations subgraph: parse, call resolvers/operations, return."""

from __future__ import annotations

from datetime import date
from typing import TypeVar, cast

import strawberry

from resolvers.common.errors import not_found
from resolvers.common.values import parse_id
from resolvers.operations import inspections
from resolvers.operations.alerts import list_alerts
from resolvers.operations.audit import search_audit
from resolvers.operations.filters import AuditFilter
from resolvers.operations.orgs import list_orgs
from schema.common.connection import Connection
from schema.operations.context import Info
from schema.operations.enums import AlertStatus, InspectionTaskStatus, OrgKind
from schema.operations.inputs import AuditRecordFilter
from schema.operations.types.alerts import Alert
from schema.operations.types.audit import AuditRecord
from schema.operations.types.inspections import (
    InspectionPhoto,
    InspectionPlan,
    InspectionRecord,
    InspectionReport,
    InspectionTask,
    InspectionUnitStatistics,
)
from schema.operations.types.orgs import Org, User

T = TypeVar("T")


async def audit_records(
    info: Info, filter: AuditRecordFilter | None = None, first: int = 20, after: str | None = None
) -> Connection[AuditRecord]:
    audit_filter = AuditFilter(**vars(filter)) if filter is not None else None
    page = await search_audit(info.context.require_principal(), audit_filter, first, after)
    return cast(Connection[AuditRecord], page)


@strawberry.type
class Query:
    @strawberry.field(description="当前用户")
    async def me(self, info: Info) -> User | None:
        return cast(
            "User | None", await info.context.loaders.user.load(info.context.require_principal().user_id)
        )

    @strawberry.field
    async def org(self, info: Info, id: strawberry.ID) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parse_id(id)))

    @strawberry.field(description="机构列表")
    async def orgs(
        self, info: Info, first: int = 20, after: str | None = None, kind: OrgKind | None = None
    ) -> Connection[Org]:
        page = await list_orgs(info.context.require_principal(), first, after, kind)
        return cast(Connection[Org], page)

    @strawberry.field(description="告警列表, newest first")
    async def alerts(
        self, info: Info, first: int = 20, after: str | None = None, status: AlertStatus | None = None
    ) -> Connection[Alert]:
        page = await list_alerts(info.context.require_principal(), first, after, status)
        return cast(Connection[Alert], page)

    audit_records: Connection[AuditRecord] = strawberry.federation.field(
        resolver=audit_records,
        description="审计日志查询: audit admins only (AUDIT_READ), newest first",
        requires_scopes=[["AUDIT_ADMIN"]],  # the gateway's check; the search applies security/duties.py
    )

    # -- 巡检 (inspections): resolvers/operations/inspections.py; an id out of scope is NOT_FOUND --

    @strawberry.field(description="巡检计划列表, newest first, optionally of one user unit")
    async def inspection_plans(
        self, info: Info, first: int = 20, after: str | None = None, org_id: strawberry.ID | None = None
    ) -> Connection[InspectionPlan]:
        unit = parse_id(org_id, "orgId") if org_id is not None else None
        page = await inspections.list_plans(info.context.require_principal(), first, after, unit)
        return cast(Connection[InspectionPlan], page)

    @strawberry.field(description="巡检计划")
    async def inspection_plan(self, info: Info, id: strawberry.ID) -> InspectionPlan:
        return cast(InspectionPlan, _found(await info.context.loaders.inspection_plan.load(parse_id(id))))

    @strawberry.field(description="巡检任务列表, newest first")
    async def inspection_tasks(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        plan_id: strawberry.ID | None = None,
        status: InspectionTaskStatus | None = None,
    ) -> Connection[InspectionTask]:
        plan = parse_id(plan_id, "planId") if plan_id is not None else None
        page = await inspections.list_tasks(info.context.require_principal(), first, after, plan, status)
        return cast(Connection[InspectionTask], page)

    @strawberry.field(description="巡检任务")
    async def inspection_task(self, info: Info, id: strawberry.ID) -> InspectionTask:
        return cast(InspectionTask, _found(await info.context.loaders.inspection_task.load(parse_id(id))))

    @strawberry.field(description="巡检记录")
    async def inspection_record(self, info: Info, id: strawberry.ID) -> InspectionRecord:
        return cast(InspectionRecord, _found(await info.context.loaders.inspection_record.load(parse_id(id))))

    @strawberry.field(description="现场照片: one photo, e.g. to read its contentBase64")
    async def inspection_photo(self, info: Info, id: strawberry.ID) -> InspectionPhoto:
        return cast(InspectionPhoto, _found(await info.context.loaders.inspection_photo.load(parse_id(id))))

    @strawberry.field(description="月度巡检报告 of a user unit (any day of the month names it)")
    async def inspection_report(self, info: Info, org_id: strawberry.ID, month: date) -> InspectionReport:
        principal = info.context.require_principal()
        report = await inspections.inspection_report(principal, parse_id(org_id, "orgId"), month)
        return cast(InspectionReport, report)

    @strawberry.field(description="巡检统计: tasks due / done / missed in the month per user unit in scope")
    async def inspection_statistics(self, info: Info, month: date) -> list[InspectionUnitStatistics]:
        rows = await inspections.inspection_statistics(info.context.require_principal(), month)
        return cast(list[InspectionUnitStatistics], rows)


def _found(row: T | None) -> T:
    if row is None:
        raise not_found("inspection item")
    return row
