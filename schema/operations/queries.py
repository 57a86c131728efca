"""Every root query of the operations subgraph: parse, call resolvers/operations, return."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, TypeVar, cast

import strawberry

from models.operations import Org as OrgRow
from resolvers.common.clock import now
from resolvers.common.errors import not_found
from resolvers.common.values import parse_id
from resolvers.operations import (
    announcements,
    approvals,
    inspections,
    log_export,
    logs,
    onboarding,
    parameters,
    queues,
)
from resolvers.operations import halls as hall_resolvers
from resolvers.operations import roles as role_defs
from resolvers.operations.alert_policies import list_alert_routes, list_alert_silences
from resolvers.operations.alerts import list_alerts
from resolvers.operations.audit import search_audit
from resolvers.operations.backups import list_backup_jobs
from resolvers.operations.changes import ChangeFilter, list_changes
from resolvers.operations.filters import AuditFilter
from resolvers.operations.incidents import list_incidents
from resolvers.operations.inspection_export import ExportedFile
from resolvers.operations.orgs import list_orgs
from resolvers.operations.policies import list_policies
from resolvers.operations.scopes import hall_scope
from resolvers.operations.statistics import incident_statistics, open_incident_counts
from resolvers.operations.teams import list_teams
from resolvers.operations.user_changes import user_changes
from resolvers.operations.users import list_users
from schema.common.connection import Connection
from schema.operations.context import Info
from schema.operations.enums import (
    AlertStatus,
    AnnouncementStatus,
    ApplicantStatus,
    ClientKind,
    IncidentLevel,
    IncidentStatus,
    InspectionTaskStatus,
    OrgKind,
    TicketStatus,
)
from schema.operations.inputs import AuditRecordFilter, ChangeRequestFilter, LoginEventFilter, PageViewFilter
from schema.operations.types.admin import Team, UserChange
from schema.operations.types.alerts import Alert, AlertRoute, AlertSilence
from schema.operations.types.announcements import Announcement
from schema.operations.types.approvals import ApprovalFlow, PendingApproval, flow_of
from schema.operations.types.audit import AuditRecord
from schema.operations.types.backups import BackupJob
from schema.operations.types.changes import ChangeRequest
from schema.operations.types.halls import HallStatus, QueueTicket, ServiceQualityEvent, StaffDuty
from schema.operations.types.incidents import Incident, IncidentLevelCount, IncidentStatistic, ServicePolicy
from schema.operations.types.inspections import (
    ExportFile,
    InspectionPhoto,
    InspectionPlan,
    InspectionRecord,
    InspectionReport,
    InspectionTask,
    InspectionUnitStatistics,
)
from schema.operations.types.logs import LoginEvent, MenuUsage, PageView
from schema.operations.types.onboarding import ApplicantApplication
from schema.operations.types.orgs import Org, User
from schema.operations.types.parameters import Parameter
from schema.operations.types.roles import MenuCatalogueItem, MenuType, RoleDefinition, RoleFunction
from security.functions import Client, Function

T = TypeVar("T")


async def audit_records(
    info: Info, filter: AuditRecordFilter | None = None, first: int = 20, after: str | None = None
) -> Connection[AuditRecord]:
    audit_filter = AuditFilter(**vars(filter)) if filter is not None else None
    page = await search_audit(info.context.require_principal(), audit_filter, first, after)
    return cast(Connection[AuditRecord], page)


def _login_filter(filter: LoginEventFilter | None) -> logs.LoginEventFilter | None:
    return logs.LoginEventFilter(**vars(filter)) if filter is not None else None


def _view_filter(filter: PageViewFilter | None) -> logs.PageViewFilter | None:
    return logs.PageViewFilter(**vars(filter)) if filter is not None else None


def _file(exported: ExportedFile) -> ExportFile:
    content = base64.b64encode(exported.content).decode()
    return ExportFile(
        file_name=exported.file_name, content_type=exported.content_type, content_base64=content
    )


# 日志管理: the security and audit admins (the gateway's check; resolvers/operations/permissions.py
# decides, and records a refusal).
# @requiresScopes names functions (功能权限, security/functions.py): the token's ``perms`` claim
# carries the active role's current ones (角色管理), so the gateway and the resolvers agree.
LOG_READERS = [[Function.LOG_READ.value]]


@strawberry.type
class Query:
    @strawberry.field(description="当前用户")
    async def me(self, info: Info) -> User | None:
        return cast(
            "User | None", await info.context.loaders.user.load(info.context.require_principal().user_id)
        )

    @strawberry.field(description="审核流程管理: every function's approval flow in force for a tenant")
    async def approval_flows(self, info: Info, tenant_id: strawberry.ID | None = None) -> list[ApprovalFlow]:
        tenant = parse_id(tenant_id, "tenantId") if tenant_id else None
        return [flow_of(f) for f in await approvals.approval_flows(info.context.require_principal(), tenant)]

    @strawberry.field(
        description="待我审批: what waits for the caller's decision, oldest first (at most 100)"
    )
    async def pending_approvals(self, info: Info, first: int = 20) -> list[PendingApproval]:
        rows = await approvals.pending_approvals(info.context.require_principal(), first)
        return cast(list[PendingApproval], rows)

    @strawberry.field
    async def org(self, info: Info, id: strawberry.ID) -> Org | None:
        return cast("Org | None", await info.context.loaders.org.load(parse_id(id)))

    @strawberry.field(description="机构列表: optionally of one kind, under one parent, closed (撤销) or open")
    async def orgs(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        kind: OrgKind | None = None,
        parent_id: strawberry.ID | None = None,
        closed: bool | None = None,
    ) -> Connection[Org]:
        parent = parse_id(parent_id, "parentId") if parent_id else None
        page = await list_orgs(info.context.require_principal(), first, after, kind, parent, closed)
        return cast(Connection[Org], page)

    @strawberry.field(
        description="用户查询: the users you see (security and audit admins: those in their reach), by id"
    )
    async def users(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        org_id: strawberry.ID | None = None,
        disabled: bool | None = None,
        search: str | None = None,
    ) -> Connection[User]:
        org = parse_id(org_id, "orgId") if org_id else None
        page = await list_users(info.context.require_principal(), first, after, org, disabled, search)
        return cast(Connection[User], page)

    @strawberry.field(
        description="注册申请 (operators): applicants' applications, by id, optionally of one status"
    )
    async def applicant_applications(
        self, info: Info, first: int = 20, after: str | None = None, status: ApplicantStatus | None = None
    ) -> Connection[ApplicantApplication]:
        page = await onboarding.applications(info.context.require_principal(), first, after, status)
        return cast(Connection[ApplicantApplication], page)

    @strawberry.field(description="用户变更历史 of one user, newest first (audit admins)")
    async def user_changes(
        self, info: Info, user_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> Connection[UserChange]:
        page = await user_changes(info.context.require_principal(), parse_id(user_id, "userId"), first, after)
        return cast(Connection[UserChange], page)

    @strawberry.field(description="团队 you see, optionally of one org, by id")
    async def teams(
        self, info: Info, first: int = 20, after: str | None = None, org_id: strawberry.ID | None = None
    ) -> Connection[Team]:
        org = parse_id(org_id, "orgId") if org_id else None
        return cast(Connection[Team], await list_teams(info.context.require_principal(), first, after, org))

    @strawberry.field(description="告警列表: those routed to your role, newest first")
    async def alerts(
        self, info: Info, first: int = 20, after: str | None = None, status: AlertStatus | None = None
    ) -> Connection[Alert]:
        page = await list_alerts(info.context.require_principal(), first, after, status)
        return cast(Connection[Alert], page)

    @strawberry.field(description="告警路由规则 in your scope, newest first")
    async def alert_routes(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[AlertRoute]:
        page = await list_alert_routes(info.context.require_principal(), first, after)
        return cast(Connection[AlertRoute], page)

    @strawberry.field(
        description="维护窗口 in your scope, newest first; active: only those in force now (or not)"
    )
    async def alert_silences(
        self, info: Info, first: int = 20, after: str | None = None, active: bool | None = None
    ) -> Connection[AlertSilence]:
        page = await list_alert_silences(info.context.require_principal(), first, after, active)
        return cast(Connection[AlertSilence], page)

    audit_records: Connection[AuditRecord] = strawberry.federation.field(
        resolver=audit_records,
        description="审计日志查询: audit admins only (AUDIT_READ), newest first",
        requires_scopes=[[Function.AUDIT_READ.value]],  # the gateway's; the search applies security/duties.py
    )

    # -- 日志管理 (login and operation logs): resolvers/operations/logs.py --

    @strawberry.federation.field(
        description="登录日志: logins, failures, lockouts, logouts, newest first (security and audit admins)",
        requires_scopes=LOG_READERS,
    )
    async def login_events(
        self, info: Info, filter: LoginEventFilter | None = None, first: int = 20, after: str | None = None
    ) -> Connection[LoginEvent]:
        page = await logs.search_login_events(
            info.context.require_principal(), _login_filter(filter), first, after
        )
        return cast(Connection[LoginEvent], page)

    @strawberry.federation.field(
        description="操作日志: menu clicks and time on page, newest first (security and audit admins)",
        requires_scopes=LOG_READERS,
    )
    async def page_views(
        self, info: Info, filter: PageViewFilter | None = None, first: int = 20, after: str | None = None
    ) -> Connection[PageView]:
        page = await logs.search_page_views(
            info.context.require_principal(), _view_filter(filter), first, after
        )
        return cast(Connection[PageView], page)

    @strawberry.federation.field(
        description="导出登录日志 (XLSX, newest first, at most 10,000 rows)", requires_scopes=LOG_READERS
    )
    async def export_login_events(self, info: Info, filter: LoginEventFilter | None = None) -> ExportFile:
        rows = await logs.login_events_to_export(info.context.require_principal(), _login_filter(filter))
        return _file(log_export.export_login_events(rows, now()))

    @strawberry.federation.field(
        description="导出操作日志 (XLSX, newest first, at most 10,000 rows)", requires_scopes=LOG_READERS
    )
    async def export_page_views(self, info: Info, filter: PageViewFilter | None = None) -> ExportFile:
        rows = await logs.page_views_to_export(info.context.require_principal(), _view_filter(filter))
        return _file(log_export.export_page_views(rows, now()))

    @strawberry.field(
        description="菜单使用统计: visits per menu item and client kind in [from, to), most visited first"
    )
    async def menu_usage(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        client: ClientKind | None = None,
    ) -> list[MenuUsage]:
        rows = await logs.menu_usage(info.context.require_principal(), from_, to, client)
        return cast(list[MenuUsage], rows)

    # -- 角色管理, 菜单及功能管理: resolvers/operations/roles.py --

    @strawberry.field(
        description="角色管理: every built-in role's definition (platform, security and audit admins)"
    )
    async def roles(self, info: Info) -> list[RoleDefinition]:
        return cast(list[RoleDefinition], await role_defs.list_roles(info.context.require_principal()))

    @strawberry.field(description="功能: the function permissions a role may carry (signed-in users)")
    def function_catalogue(self, info: Info) -> list[RoleFunction]:
        info.context.require_principal()
        return cast(list[RoleFunction], list(Function))

    @strawberry.field(
        description="菜单及功能管理: every menu of the PC and APP clients, used how often in 30 days"
    )
    async def menu_catalogue(self, info: Info, client: ClientKind | None = None) -> list[MenuCatalogueItem]:
        items = await role_defs.menu_catalogue(info.context.require_principal(), _client(client))
        return cast(list[MenuCatalogueItem], items)

    @strawberry.field(
        description="我的菜单: the menu items your active role sees now, in the catalogue's order"
    )
    async def my_menus(self, info: Info, client: ClientKind | None = None) -> list[MenuType]:
        menus = await role_defs.my_menus(info.context.require_principal(), _client(client))
        return cast(list[MenuType], menus)

    @strawberry.field(description="故障事件")
    async def incident(self, info: Info, id: strawberry.ID) -> Incident | None:
        return cast("Incident | None", await info.context.loaders.incident.load(parse_id(id)))

    @strawberry.field(
        description="故障事件列表, newest first; mine: reported by or assigned to me; open: not yet closed"
    )
    async def incidents(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: IncidentStatus | None = None,
        level: IncidentLevel | None = None,
        mine: bool = False,
        open: bool = False,
    ) -> Connection[Incident]:
        principal = info.context.require_principal()
        page = await list_incidents(principal, first, after, status, level, mine, open)
        return cast(Connection[Incident], page)

    @strawberry.field(description="服务级别策略")
    async def service_policies(self, info: Info) -> list[ServicePolicy]:
        return cast(list[ServicePolicy], await list_policies(info.context.require_principal()))

    @strawberry.field(
        description="故障事件统计 by month and level: MTTA, MTTR, SLA compliance, escalations, satisfaction"
    )
    async def incident_statistics(
        self, info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date
    ) -> list[IncidentStatistic]:
        rows = await incident_statistics(info.context.require_principal(), from_, to)
        return cast(list[IncidentStatistic], rows)

    # 监控大屏 (the monitoring wall)

    @strawberry.field(
        description="未关闭故障事件 by level (一级 … 四级): every level, in scope, optionally under one path"
    )
    async def open_incident_counts(self, info: Info, org_path: str | None = None) -> list[IncidentLevelCount]:
        rows = await open_incident_counts(info.context.require_principal(), org_path)
        return cast(list[IncidentLevelCount], rows)

    # -- 通知公告 (announcements): resolvers/operations/announcements.py --
    @strawberry.field(description="通知公告 addressed to me, newest first; unreadOnly: those I have not read")
    async def announcements(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Announcement]:
        principal = info.context.require_principal()
        page = await announcements.list_announcements(principal, first, after, unread_only)
        return cast(Connection[Announcement], page)

    @strawberry.field(description="未读公告数: announcements addressed to me I have not read")
    async def announcement_unread_count(self, info: Info) -> int:
        return await announcements.unread_count(info.context.require_principal())

    @strawberry.field(description="公告: one addressed to me or one I manage; null otherwise")
    async def announcement(self, info: Info, id: strawberry.ID) -> Announcement | None:
        return cast("Announcement | None", await info.context.loaders.announcement.load(parse_id(id)))

    @strawberry.field(
        description="公告管理: the announcements I manage (administrators), every state, newest first"
    )
    async def managed_announcements(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: AnnouncementStatus | None = None,
    ) -> Connection[Announcement]:
        page = await announcements.list_managed(info.context.require_principal(), first, after, status)
        return cast(Connection[Announcement], page)

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

    # -- changes and backups (变更 / 备份) --
    @strawberry.field(description="变更记录, newest first")
    async def change_requests(
        self, info: Info, filter: ChangeRequestFilter | None = None, first: int = 20, after: str | None = None
    ) -> Connection[ChangeRequest]:
        parsed = None
        if filter is not None:
            org_id = parse_id(filter.org_id, "orgId") if filter.org_id else None
            parsed = ChangeFilter(status=filter.status, kind=filter.kind, org_id=org_id)
        page = await list_changes(info.context.require_principal(), parsed, first, after)
        return cast(Connection[ChangeRequest], page)

    @strawberry.field(description="变更记录")
    async def change_request(self, info: Info, id: strawberry.ID) -> ChangeRequest | None:
        return cast("ChangeRequest | None", await info.context.loaders.change_request.load(parse_id(id)))

    @strawberry.field(description="备份作业, newest first")
    async def backup_jobs(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[BackupJob]:
        page = await list_backup_jobs(info.context.require_principal(), first, after)
        return cast(Connection[BackupJob], page)

    @strawberry.field(description="备份作业")
    async def backup_job(self, info: Info, id: strawberry.ID) -> BackupJob | None:
        return cast("BackupJob | None", await info.context.loaders.backup_job.load(parse_id(id)))

    # A hall out of scope is answered as an unknown one (null / NOT_FOUND).
    @strawberry.field(description="营业厅 (an org of kind HALL in your scope; null otherwise)")
    async def hall(self, info: Info, id: strawberry.ID) -> Org | None:
        row = await info.context.loaders.org.load(parse_id(id))
        return cast("Org | None", row if row is not None and _sees_hall(info, row) else None)

    @strawberry.field(description="营业厅列表 in your scope, optionally under an org")
    async def halls(
        self, info: Info, org_id: strawberry.ID | None = None, first: int = 20, after: str | None = None
    ) -> Connection[Org]:
        under = parse_id(org_id, "orgId") if org_id is not None else None
        page = await hall_resolvers.list_halls(info.context.require_principal(), under, first, after)
        return cast(Connection[Org], page)

    @strawberry.field(description="营业厅实时状态: the halls in your scope under orgPath (all without)")
    async def hall_statuses(self, info: Info, org_path: str | None = None) -> list[HallStatus]:
        rows = await hall_resolvers.hall_statuses(info.context.require_principal(), org_path)
        for row in rows:
            info.context.loaders.org.prime(row.id, row)
        figures = await info.context.loaders.hall_status.load_many([row.id for row in rows])
        return cast(list[HallStatus], figures)

    @strawberry.field(description="排队号 of a hall, newest first")
    async def queue_tickets(
        self,
        info: Info,
        hall_id: strawberry.ID,
        status: TicketStatus | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[QueueTicket]:
        principal = info.context.require_principal()
        page = await queues.list_tickets(principal, parse_id(hall_id, "hallId"), status, first, after)
        return cast(Connection[QueueTicket], page)

    @strawberry.field(description="服务质量事件 of a hall, newest first")
    async def service_quality_events(
        self, info: Info, hall_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> Connection[ServiceQualityEvent]:
        principal = info.context.require_principal()
        page = await hall_resolvers.list_service_events(principal, parse_id(hall_id, "hallId"), first, after)
        return cast(Connection[ServiceQualityEvent], page)

    @strawberry.field(description="在岗记录 of a hall, newest first (current: until is null)")
    async def staff_duty(
        self, info: Info, hall_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> Connection[StaffDuty]:
        principal = info.context.require_principal()
        page = await hall_resolvers.list_duty(principal, parse_id(hall_id, "hallId"), first, after)
        return cast(Connection[StaffDuty], page)

    @strawberry.field(
        description="参数管理: every parameter of the platform and of the tenant (the caller's by default), "
        "by group; business admins and the audit admin"
    )
    async def parameters(self, info: Info, tenant: strawberry.ID | None = None) -> list[Parameter]:
        tenant_id = parse_id(tenant, "tenant") if tenant is not None else None
        principal = info.context.require_principal()
        found = await parameters.list_parameters(principal, info.context.rules, tenant_id)
        return cast(list[Parameter], found)


def _sees_hall(info: Info, row: OrgRow) -> bool:
    return hall_scope(info.context.require_principal()).test(row)


def _found(row: T | None) -> T:
    if row is None:
        raise not_found("inspection item")
    return row


def _client(client: ClientKind | None) -> Client | None:
    return "PC" if client is ClientKind.PC else "APP" if client is ClientKind.APP else None
