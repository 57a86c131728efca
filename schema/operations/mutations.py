"""Every root mutation of the operations subgraph: parse, call resolvers/operations, return.

``login``, ``refreshToken``, ``requestSignupCode`` and ``registerApplicant`` are open to anonymous
callers (schema/common/authentication.py); the others carry ``@authenticated`` so the gateway
refuses them before a subgraph is asked.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast
from uuid import UUID

import strawberry

from models.operations import AlertActionKind, IncidentAction
from resolvers.common.approvals import FlowStep
from resolvers.common.errors import bad_input
from resolvers.common.values import parse_id
from resolvers.operations import (
    alert_policies,
    alerts,
    announcements,
    approvals,
    auth,
    backups,
    changes,
    halls,
    incidents,
    inspections,
    logs,
    onboarding,
    orgs,
    parameters,
    policies,
    queues,
    signup,
    teams,
    users,
)
from resolvers.operations import roles as role_defs
from schema.common.rate_limiting import client_ip
from schema.operations.context import Info
from schema.operations.enums import IncidentLevel
from schema.operations.inputs import (
    AdvanceChangeRequestInput,
    AlertRouteInput,
    AlertSilenceInput,
    CallNextTicketInput,
    CallTicketInput,
    CreateAnnouncementInput,
    CreateBackupJobInput,
    CreateChangeRequestInput,
    CreateInspectionPlanInput,
    CreateOrgInput,
    CreateUserInput,
    EscalationCellInput,
    InspectionTargetInput,
    IssueQueueTicketInput,
    OnboardInstitutionInput,
    PageViewInput,
    PhotoUploadInput,
    RaiseAlertInput,
    RecordInspectionInput,
    RecordVisitorCountInput,
    RegisterApplicantInput,
    ReportBackupRunInput,
    ReportIncidentInput,
    ReportServiceEventInput,
    ServiceQualityRuleInput,
    ServiceTargetInput,
    SetApprovalFlowInput,
    SetDutyStatusInput,
    UpdateAnnouncementInput,
    UpdateInspectionPlanInput,
    UpdateOrgInput,
    UpdateRoleInput,
    UpdateUserInput,
)
from schema.operations.types.admin import IssuedPassword, Team
from schema.operations.types.alerts import Alert, AlertRoute, AlertSilence
from schema.operations.types.announcements import Announcement
from schema.operations.types.approvals import ApprovalFlow, flow_of
from schema.operations.types.backups import BackupJob, BackupRun
from schema.operations.types.changes import ChangeRequest
from schema.operations.types.halls import (
    QueueTicket,
    ServiceQualityEvent,
    ServiceQualityRule,
    StaffDuty,
    VisitorCount,
)
from schema.operations.types.incidents import Incident, ServicePolicy
from schema.operations.types.inspections import InspectionPlan, InspectionRecord, InspectionSignoff
from schema.operations.types.logs import PageViewReceipt
from schema.operations.types.onboarding import (
    ApplicantApplication,
    ApplicantRegistration,
    OnboardedInstitution,
    SignupCodeSent,
)
from schema.operations.types.orgs import AuthPayload, Org, User
from schema.operations.types.parameters import Parameter
from schema.operations.types.roles import RoleDefinition
from security.functions import Function
from security.roles import Role

NEW_PASSWORD = (
    "a new password to set while logging in; required when login answers "
    "PASSWORD_CHANGE_REQUIRED (demo users outside dev mode)"
)


def _services(info: Info) -> auth.SessionServices:
    context = info.context
    return auth.SessionServices(context.sessions, context.token_keys, context.realtime.guard)


def _user_agent(info: Info) -> str:
    request = info.context.request
    headers = getattr(request, "headers", None)
    return str(headers.get("user-agent", "")) if headers is not None else ""


def _payload(tokens: auth.Tokens) -> AuthPayload:
    return cast(AuthPayload, tokens)  # AuthPayload reads the fields of Tokens


async def _act(
    info: Info, id: strawberry.ID, action: IncidentAction, note: str = "", **given: object
) -> Incident:
    principal = info.context.require_principal()
    return cast(Incident, await incidents.act(principal, parse_id(id), action, note, **given))


def _policy(row: object) -> ServicePolicy:
    return cast(ServicePolicy, row)  # ServicePolicy reads the row's columns


# -- issue 15: changes and backups (变更 / 备份) -------------------------------------------------------


def _size(value: float | None) -> int | None:
    if value is None:
        return None
    if value != int(value) or not 0 <= value < 2**63:
        raise bad_input("sizeBytes must be a whole number of bytes")
    return int(value)


def _ids(values: list[strawberry.ID], name: str) -> list[UUID]:
    return [parse_id(value, name) for value in values]


def _role(name: str) -> Role:
    try:
        return Role(name)
    except ValueError:
        raise bad_input(f"unknown role {name}") from None


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        description="设置审核流程: a function's approval switch and steps (platform administrators)",
        authenticated=True,
    )
    async def set_approval_flow(self, info: Info, input: SetApprovalFlowInput) -> ApprovalFlow:
        steps = [FlowStep(step.name, tuple(_role(r) for r in step.roles)) for step in input.steps]
        tenant_id = parse_id(input.tenant_id, "tenantId") if input.tenant_id else None
        flow = await approvals.set_approval_flow(
            info.context.require_principal(), input.function, input.enabled, steps, tenant_id
        )
        return flow_of(flow)

    @strawberry.federation.mutation(description="发出告警", authenticated=True)
    async def raise_alert(self, info: Info, input: RaiseAlertInput) -> Alert:
        alert = await alerts.raise_alert(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.level,
            input.title,
            detail=input.detail,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
            source=input.source,
            idempotency_key=input.idempotency_key,
            dedup_key=input.dedup_key,
        )
        info.context.loaders.org.prime(alert.org_id, alert.org)  # read in scope above: no second read
        return cast(Alert, alert)

    @strawberry.mutation(description="登录: username and password → access and refresh tokens")
    async def login(
        self,
        info: Info,
        username: str,
        password: str,
        new_password: Annotated[str | None, strawberry.argument(description=NEW_PASSWORD)] = None,
    ) -> AuthPayload:
        address, agent = client_ip(info.context.request), _user_agent(info)
        return _payload(await auth.login(_services(info), username, password, address, new_password, agent))

    # -- 注册 / 入驻 (onboarding, resolvers/operations/onboarding.py) --------------------------------

    @strawberry.mutation(
        description="发送注册验证码 (anonymous): a code by text message, never in the answer; rate limited"
    )
    async def request_signup_code(self, info: Info, phone: str) -> SignupCodeSent:
        sent = await signup.request_code(phone, client_ip(info.context.request))
        return SignupCodeSent(expires_at=sent.expires_at, resend_after_seconds=sent.resend_after_seconds)

    @strawberry.mutation(
        description="企业 / 个人注册 (anonymous, with the phone's code): an application pending approval"
    )
    async def register_applicant(self, info: Info, input: RegisterApplicantInput) -> ApplicantRegistration:
        form = onboarding.Registration(
            kind=input.kind,
            phone=input.phone,
            code=input.code,
            name=input.name,
            username=input.username,
            password=input.password,
            credit_code=input.credit_code,
            id_number=input.id_number,
            link_consent=input.link_consent,
        )
        application = await onboarding.register(form, client_ip(info.context.request))
        return cast(ApplicantRegistration, application)

    @strawberry.federation.mutation(
        description="注册审核通过 (operators): creates the applicant's user", authenticated=True
    )
    async def approve_applicant(self, info: Info, id: strawberry.ID) -> ApplicantApplication:
        application = await onboarding.approve(info.context.require_principal(), parse_id(id))
        return cast(ApplicantApplication, application)

    @strawberry.federation.mutation(
        description="注册驳回 (operators), with the reason the applicant is shown", authenticated=True
    )
    async def reject_applicant(self, info: Info, id: strawberry.ID, reason: str) -> ApplicantApplication:
        application = await onboarding.reject(info.context.require_principal(), parse_id(id), reason)
        return cast(ApplicantApplication, application)

    @strawberry.federation.mutation(
        description="金融机构入驻 (operators, the province's business admin): org, institution, first admin",
        authenticated=True,
    )
    async def onboard_institution(self, info: Info, input: OnboardInstitutionInput) -> OnboardedInstitution:
        form = onboarding.Onboarding(
            code=input.code,
            name=input.name,
            kind=input.kind,
            credit_code=input.credit_code,
            admin_username=input.admin_username,
            admin_display_name=input.admin_display_name,
            district=input.district,
        )
        done = await onboarding.onboard_institution(info.context.require_principal(), form)
        return cast(OnboardedInstitution, done)

    @strawberry.mutation(description="换取新令牌: a refresh token (good once) → new tokens, same session")
    async def refresh_token(self, info: Info, token: str) -> AuthPayload:
        return _payload(await auth.refresh(_services(info), token))

    @strawberry.federation.mutation(
        description="退出登录: revokes this session's access and refresh tokens", authenticated=True
    )
    async def logout(self, info: Info) -> bool:
        principal, address = info.context.require_principal(), client_ip(info.context.request)
        await auth.logout(_services(info), principal, address, _user_agent(info))
        return True

    @strawberry.federation.mutation(
        description="上报页面访问 (操作日志): up to 100 visits; a visit already reported is stored once",
        authenticated=True,
    )
    async def record_page_views(self, info: Info, views: list[PageViewInput]) -> PageViewReceipt:
        reports = [logs.ViewReport(v.view_id, v.menu_code, v.client, v.entered_at, v.seconds) for v in views]
        receipt = await logs.record_page_views(info.context.require_principal(), reports)
        return PageViewReceipt(received=receipt.received, stored=receipt.stored)

    @strawberry.federation.mutation(
        description="切换角色: new tokens acting in another role the user holds; the old ones are revoked",
        authenticated=True,
    )
    async def switch_role(self, info: Info, role: str) -> AuthPayload:
        return _payload(await auth.switch_role(_services(info), info.context.require_principal(), role))

    @strawberry.federation.mutation(
        description="修改密码: needs the current password; every earlier token of the user is revoked",
        authenticated=True,
    )
    async def change_password(self, info: Info, old_password: str, new_password: str) -> AuthPayload:
        principal = info.context.require_principal()
        address = client_ip(info.context.request)
        tokens = await auth.change_password(_services(info), principal, address, old_password, new_password)
        return _payload(tokens)

    @strawberry.federation.mutation(
        description="申报故障事件 (staff, or the service desk for a caller)", authenticated=True
    )
    async def report_incident(self, info: Info, input: ReportIncidentInput) -> Incident:
        incident = await incidents.report_incident(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.title,
            input.level,
            description=input.description,
            category=input.category,
            caller=input.caller,
            idempotency_key=input.idempotency_key,
        )
        return cast(Incident, incident)

    @strawberry.federation.mutation(
        description="确认 (响应): REPORTED → CONFIRMED; later, a higher tier's confirmation (确认时间)",
        authenticated=True,
    )
    async def confirm_incident(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.CONFIRM, note)

    @strawberry.federation.mutation(description="分类定级: CONFIRMED → CLASSIFIED", authenticated=True)
    async def classify_incident(
        self, info: Info, id: strawberry.ID, level: IncidentLevel, category: str = "", note: str = ""
    ) -> Incident:
        return await _act(info, id, IncidentAction.CLASSIFY, note, level=level, category=category)

    @strawberry.federation.mutation(description="派单: CLASSIFIED → ASSIGNED", authenticated=True)
    async def assign_incident(
        self, info: Info, id: strawberry.ID, assignee_id: strawberry.ID, note: str = ""
    ) -> Incident:
        return await _act(
            info, id, IncidentAction.ASSIGN, note, assignee_id=parse_id(assignee_id, "assigneeId")
        )

    @strawberry.federation.mutation(
        description="接单: CLASSIFIED → ASSIGNED to the caller; of two at once exactly one wins",
        authenticated=True,
    )
    async def take_incident(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.TAKE, note)

    @strawberry.federation.mutation(description="转派: to another engineer (ASSIGNED)", authenticated=True)
    async def transfer_incident(
        self, info: Info, id: strawberry.ID, assignee_id: strawberry.ID, note: str = ""
    ) -> Incident:
        return await _act(
            info, id, IncidentAction.TRANSFER, note, assignee_id=parse_id(assignee_id, "assigneeId")
        )

    @strawberry.federation.mutation(
        description="开始处理: ASSIGNED → IN_PROGRESS (the assignee)", authenticated=True
    )
    async def start_incident(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.START, note)

    @strawberry.federation.mutation(
        description="到场: records arrival on site (the assignee)", authenticated=True
    )
    async def arrive_on_site(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.ARRIVE, note)

    @strawberry.federation.mutation(
        description="提交测试: IN_PROGRESS → TESTING (the assignee)", authenticated=True
    )
    async def submit_incident_for_test(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.SUBMIT_TEST, note)

    @strawberry.federation.mutation(description="返工: TESTING → IN_PROGRESS", authenticated=True)
    async def rework_incident(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.REWORK, note)

    @strawberry.federation.mutation(
        description="解决, 待用户确认: TESTING → PENDING_CONFIRMATION (the SLA clock pauses)",
        authenticated=True,
    )
    async def resolve_incident(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.RESOLVE, note)

    @strawberry.federation.mutation(
        description="用户退回: PENDING_CONFIRMATION → IN_PROGRESS (the clock runs again)", authenticated=True
    )
    async def reject_incident_resolution(self, info: Info, id: strawberry.ID, note: str = "") -> Incident:
        return await _act(info, id, IncidentAction.REJECT, note)

    @strawberry.federation.mutation(
        description="确认关闭, 满意度调查: PENDING_CONFIRMATION → CLOSED (the reporter; the service desk for "
        "alert and phone incidents)",
        authenticated=True,
    )
    async def close_incident(
        self, info: Info, id: strawberry.ID, satisfaction: int, comment: str = ""
    ) -> Incident:
        return await _act(info, id, IncidentAction.CLOSE, satisfaction=satisfaction, comment=comment)

    @strawberry.federation.mutation(description="事件分析: CLOSED → ANALYSED", authenticated=True)
    async def analyse_incident(self, info: Info, id: strawberry.ID, analysis: str) -> Incident:
        return await _act(info, id, IncidentAction.ANALYSE, analysis=analysis)

    @strawberry.federation.mutation(
        description="修改服务目标: the given cells of a policy (platform admins)", authenticated=True
    )
    async def set_service_targets(
        self, info: Info, policy_id: strawberry.ID, targets: list[ServiceTargetInput]
    ) -> ServicePolicy:
        cells = [policies.Target(**vars(t)) for t in targets]
        row = await policies.set_targets(
            info.context.require_principal(), parse_id(policy_id, "policyId"), cells
        )
        return _policy(row)

    @strawberry.federation.mutation(
        description="修改确认时限矩阵: replaces the policy's whole matrix (platform admins)",
        authenticated=True,
    )
    async def set_escalation_matrix(
        self, info: Info, policy_id: strawberry.ID, cells: list[EscalationCellInput]
    ) -> ServicePolicy:
        matrix = [policies.Matrix(**vars(c)) for c in cells]
        row = await policies.set_matrix(
            info.context.require_principal(), parse_id(policy_id, "policyId"), matrix
        )
        return _policy(row)

    @strawberry.federation.mutation(
        description="指定策略适用机构: the org subtree a policy times, or none (platform admins)",
        authenticated=True,
    )
    async def assign_service_policy(
        self, info: Info, policy_id: strawberry.ID, org_id: strawberry.ID | None = None
    ) -> ServicePolicy:
        org = parse_id(org_id, "orgId") if org_id else None
        row = await policies.assign_policy(
            info.context.require_principal(), parse_id(policy_id, "policyId"), org
        )
        return _policy(row)

    # -- alert lifecycle, routing and silences (issue 15) -------------------------------------------

    @strawberry.federation.mutation(
        description="确认告警: OPEN → ACKNOWLEDGED; acknowledging again what you acknowledged returns it",
        authenticated=True,
    )
    async def acknowledge_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act_on_alert(info, id, AlertActionKind.ACKNOWLEDGED, note)

    @strawberry.federation.mutation(
        description="解决告警: OPEN or ACKNOWLEDGED → RESOLVED; resolving again what you resolved returns it",
        authenticated=True,
    )
    async def resolve_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act_on_alert(info, id, AlertActionKind.RESOLVED, note)

    @strawberry.federation.mutation(description="重开告警: RESOLVED → OPEN", authenticated=True)
    async def reopen_alert(self, info: Info, id: strawberry.ID, note: str = "") -> Alert:
        return await _act_on_alert(info, id, AlertActionKind.REOPENED, note)

    @strawberry.federation.mutation(
        description="新增告警路由规则 (head-office, province and platform admins, for their subtree)",
        authenticated=True,
    )
    async def create_alert_route(self, info: Info, input: AlertRouteInput) -> AlertRoute:
        route = await alert_policies.create_alert_route(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.roles,
            input.source,
            input.min_level,
        )
        return cast(AlertRoute, route)

    @strawberry.federation.mutation(description="删除告警路由规则: returns its id", authenticated=True)
    async def delete_alert_route(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await alert_policies.delete_alert_route(info.context.require_principal(), parse_id(id))
        return strawberry.ID(str(deleted))

    @strawberry.federation.mutation(description="新增维护窗口 (告警静默)", authenticated=True)
    async def create_alert_silence(self, info: Info, input: AlertSilenceInput) -> AlertSilence:
        silence = await alert_policies.create_alert_silence(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.starts_at,
            input.ends_at,
            input.reason,
            source=input.source,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        return cast(AlertSilence, silence)

    @strawberry.federation.mutation(description="结束维护窗口 now", authenticated=True)
    async def end_alert_silence(self, info: Info, id: strawberry.ID) -> AlertSilence:
        silence = await alert_policies.end_alert_silence(info.context.require_principal(), parse_id(id))
        return cast(AlertSilence, silence)

    # -- 巡检 (inspections): resolvers/operations/inspections.py ------------------------------------

    @strawberry.federation.mutation(description="新建巡检计划", authenticated=True)
    async def create_inspection_plan(self, info: Info, input: CreateInspectionPlanInput) -> InspectionPlan:
        plan = await inspections.create_plan(
            info.context.require_principal(),
            parse_id(input.org_id, "orgId"),
            input.name,
            input.frequency,
            _targets(input.targets),
            input.checklist,
            input.start_date,
            assignee_id=parse_id(input.assignee_id, "assigneeId") if input.assignee_id else None,
        )
        return cast(InspectionPlan, plan)

    @strawberry.federation.mutation(description="修改或停用巡检计划", authenticated=True)
    async def update_inspection_plan(
        self, info: Info, id: strawberry.ID, input: UpdateInspectionPlanInput
    ) -> InspectionPlan:
        plan = await inspections.update_plan(
            info.context.require_principal(),
            parse_id(id, "planId"),
            name=input.name,
            targets=_targets(input.targets) if input.targets is not None else None,
            checklist=input.checklist,
            assignee_id=parse_id(input.assignee_id, "assigneeId") if input.assignee_id else None,
            clear_assignee=input.clear_assignee,
            active=input.active,
        )
        return cast(InspectionPlan, plan)

    @strawberry.federation.mutation(
        description="记录巡检: one target of a task; the last target's record completes it",
        authenticated=True,
    )
    async def record_inspection(self, info: Info, input: RecordInspectionInput) -> InspectionRecord:
        given = inspections.RecordInput(
            task_id=parse_id(input.task_id, "taskId"),
            target=_targets([input.target])[0],
            result=input.result,
            unit_name=input.unit_name,
            symptom=input.symptom,
            expected_resolution_at=input.expected_resolution_at,
            note=input.note,
            photos=_photos(input.photos),
        )
        principal = info.context.require_principal()
        record = await inspections.record_inspection(principal, info.context.rules, given)
        return cast(InspectionRecord, record)

    @strawberry.federation.mutation(description="补充巡检照片", authenticated=True)
    async def add_inspection_photos(
        self, info: Info, record_id: strawberry.ID, photos: list[PhotoUploadInput]
    ) -> InspectionRecord:
        principal = info.context.require_principal()
        record_uuid = parse_id(record_id, "recordId")
        record = await inspections.add_photos(principal, info.context.rules, record_uuid, _photos(photos))
        return cast(InspectionRecord, record)

    @strawberry.federation.mutation(
        description="签署月度巡检报告 (用户单位审批签署): once per unit and month; a repeat gets the first",
        authenticated=True,
    )
    async def sign_inspection_report(
        self, info: Info, org_id: strawberry.ID, month: date, note: str = ""
    ) -> InspectionSignoff:
        principal = info.context.require_principal()
        signoff = await inspections.sign_report(principal, parse_id(org_id, "orgId"), month, note)
        return cast(InspectionSignoff, signoff)

    # -- 通知公告 (announcements) --
    @strawberry.federation.mutation(
        description="新增公告 (platform, province and head-office admins, for an org of their tenant)",
        authenticated=True,
    )
    async def create_announcement(self, info: Info, input: CreateAnnouncementInput) -> Announcement:
        draft = announcements.AnnouncementDraft(
            parse_id(input.org_id, "orgId"), input.title, input.body, tuple(input.roles)
        )
        principal = info.context.require_principal()
        row = await announcements.create_announcement(principal, draft, input.publish, input.idempotency_key)
        return cast(Announcement, row)

    @strawberry.federation.mutation(description="修改公告: a draft or a withdrawn one", authenticated=True)
    async def update_announcement(self, info: Info, input: UpdateAnnouncementInput) -> Announcement:
        draft = announcements.AnnouncementDraft(
            parse_id(input.org_id, "orgId"), input.title, input.body, tuple(input.roles)
        )
        principal = info.context.require_principal()
        row = await announcements.update_announcement(principal, parse_id(input.id), draft)
        return cast(Announcement, row)

    @strawberry.federation.mutation(description="发布公告 (again, after a withdrawal)", authenticated=True)
    async def publish_announcement(self, info: Info, id: strawberry.ID) -> Announcement:
        principal = info.context.require_principal()
        return cast(Announcement, await announcements.publish_announcement(principal, parse_id(id)))

    @strawberry.federation.mutation(description="撤回公告", authenticated=True)
    async def withdraw_announcement(self, info: Info, id: strawberry.ID) -> Announcement:
        principal = info.context.require_principal()
        return cast(Announcement, await announcements.withdraw_announcement(principal, parse_id(id)))

    @strawberry.federation.mutation(
        description="公告已读: mark one addressed to me read (a repeat changes nothing)", authenticated=True
    )
    async def mark_announcement_read(self, info: Info, id: strawberry.ID) -> Announcement:
        principal = info.context.require_principal()
        return cast(Announcement, await announcements.mark_read(principal, parse_id(id)))

    # -- changes and backups (变更 / 备份) --
    @strawberry.federation.mutation(description="登记变更申请 (a DRAFT change request)", authenticated=True)
    async def create_change_request(self, info: Info, input: CreateChangeRequestInput) -> ChangeRequest:
        draft = changes.ChangeDraft(
            org_id=parse_id(input.org_id, "orgId"),
            kind=input.kind,
            title=input.title,
            planned_start=input.planned_start,
            planned_end=input.planned_end,
            risk=input.risk,
            rollback_plan=input.rollback_plan,
            description=input.description,
            system=input.system,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        row = await changes.create_change(info.context.require_principal(), draft, input.idempotency_key)
        return cast(ChangeRequest, row)

    @strawberry.federation.mutation(
        description="变更流转: submit, approve / reject (a manager, not the requester), start (inside "
        "the approved window), complete, fail, roll back",
        authenticated=True,
    )
    async def advance_change_request(self, info: Info, input: AdvanceChangeRequestInput) -> ChangeRequest:
        principal = info.context.require_principal()
        row = await changes.advance_change(principal, parse_id(input.id), input.action, input.note)
        return cast(ChangeRequest, row)

    @strawberry.federation.mutation(description="新建备份作业", authenticated=True)
    async def create_backup_job(self, info: Info, input: CreateBackupJobInput) -> BackupJob:
        given = input.schedule
        draft = backups.JobDraft(
            org_id=parse_id(input.org_id, "orgId"),
            name=input.name,
            system=input.system,
            schedule=backups.Schedule(given.frequency, given.at, given.weekday, given.day_of_month),
            expected_minutes=input.expected_minutes,
            grace_minutes=input.grace_minutes,
            retention_days=input.retention_days,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        return cast(BackupJob, await backups.create_backup_job(info.context.require_principal(), draft))

    @strawberry.federation.mutation(description="暂停或恢复备份作业", authenticated=True)
    async def set_backup_job_active(self, info: Info, id: strawberry.ID, active: bool) -> BackupJob:
        job = await backups.set_backup_job_active(info.context.require_principal(), parse_id(id), active)
        return cast(BackupJob, job)

    @strawberry.federation.mutation(
        description="上报备份结果 (数据备份记录); a failed run or check raises an alert", authenticated=True
    )
    async def report_backup_run(self, info: Info, input: ReportBackupRunInput) -> BackupRun:
        report = backups.RunReport(
            job_id=parse_id(input.job_id, "jobId"),
            started_at=input.started_at,
            finished_at=input.finished_at,
            status=input.status,
            idempotency_key=input.idempotency_key,
            size_bytes=_size(input.size_bytes),
            check_result=input.check_result,
            check_note=input.check_note,
        )
        return cast(BackupRun, await backups.report_backup_run(info.context.require_principal(), report))

    @strawberry.federation.mutation(description="取号 at the counter (代取号)", authenticated=True)
    async def issue_queue_ticket(self, info: Info, input: IssueQueueTicketInput) -> QueueTicket:
        principal = info.context.require_principal()
        hall_id = parse_id(input.hall_id, "hallId")
        ticket = await queues.issue_queue_ticket(
            principal, hall_id, input.business_type, input.idempotency_key
        )
        return cast(QueueTicket, ticket)

    @strawberry.federation.mutation(
        description="叫号: the oldest waiting ticket to a window (null: nobody waits); a window holding a "
        "called ticket of yours gets it back",
        authenticated=True,
    )
    async def call_next_ticket(self, info: Info, input: CallNextTicketInput) -> QueueTicket | None:
        principal = info.context.require_principal()
        hall_id = parse_id(input.hall_id, "hallId")
        ticket = await queues.call_next(principal, hall_id, input.business_type, input.window)
        return cast("QueueTicket | None", ticket)

    @strawberry.federation.mutation(
        description="叫号 of one ticket (CONFLICT: called by another)", authenticated=True
    )
    async def call_ticket(self, info: Info, input: CallTicketInput) -> QueueTicket:
        return await _ticket_step(info, input.id, queues.TicketStep.CALL, input.window)

    @strawberry.federation.mutation(description="开始办理 a called ticket", authenticated=True)
    async def start_serving_ticket(self, info: Info, id: strawberry.ID) -> QueueTicket:
        return await _ticket_step(info, id, queues.TicketStep.START)

    @strawberry.federation.mutation(description="办结 a ticket being served", authenticated=True)
    async def finish_ticket(self, info: Info, id: strawberry.ID) -> QueueTicket:
        return await _ticket_step(info, id, queues.TicketStep.FINISH)

    @strawberry.federation.mutation(description="过号: the called customer did not come", authenticated=True)
    async def mark_ticket_missed(self, info: Info, id: strawberry.ID) -> QueueTicket:
        return await _ticket_step(info, id, queues.TicketStep.MISS)

    @strawberry.federation.mutation(description="登记客流 for a period", authenticated=True)
    async def record_visitor_count(self, info: Info, input: RecordVisitorCountInput) -> VisitorCount:
        row = await halls.record_visitor_count(
            info.context.require_principal(),
            parse_id(input.hall_id, "hallId"),
            input.period_start,
            input.count,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
            zone_id=parse_id(input.zone_id, "zoneId") if input.zone_id else None,
        )
        return cast(VisitorCount, row)

    @strawberry.federation.mutation(description="设置在岗状态", authenticated=True)
    async def set_duty_status(self, info: Info, input: SetDutyStatusInput) -> StaffDuty:
        row = await halls.set_duty_status(
            info.context.require_principal(),
            parse_id(input.hall_id, "hallId"),
            input.status,
            parse_id(input.user_id, "userId") if input.user_id else None,
        )
        return cast(StaffDuty, row)

    @strawberry.federation.mutation(
        description="上报服务质量事件; a rule reaching its threshold raises an alert", authenticated=True
    )
    async def report_service_event(self, info: Info, input: ReportServiceEventInput) -> ServiceQualityEvent:
        draft = halls.ServiceEventDraft(
            category=input.category,
            type_code=input.type_code,
            detail=input.detail,
            at=input.at,
            zone_id=parse_id(input.zone_id, "zoneId") if input.zone_id else None,
            device_id=parse_id(input.device_id, "deviceId") if input.device_id else None,
        )
        principal = info.context.require_principal()
        hall_id = parse_id(input.hall_id, "hallId")
        row = await halls.report_service_event(principal, hall_id, draft, input.idempotency_key)
        return cast(ServiceQualityEvent, row)

    @strawberry.federation.mutation(
        description="设置服务质量告警规则 (admins of the subtree): create or replace the rule of "
        "(org, category, typeCode)",
        authenticated=True,
    )
    async def set_service_quality_rule(
        self, info: Info, input: ServiceQualityRuleInput
    ) -> ServiceQualityRule:
        draft = halls.QualityRuleDraft(
            org_id=parse_id(input.org_id, "orgId"),
            category=input.category,
            level=input.level,
            threshold=input.threshold,
            window_minutes=input.window_minutes,
            type_code=input.type_code,
            active=input.active,
        )
        return cast(
            ServiceQualityRule, await halls.set_service_quality_rule(info.context.require_principal(), draft)
        )

    # -- platform administration (平台管理, issue 19): who may do what is security/duties.py -----------

    @strawberry.federation.mutation(
        description="新增用户 (security admins): returns the user and a temporary password, once",
        authenticated=True,
    )
    async def create_user(self, info: Info, input: CreateUserInput) -> IssuedPassword:
        issued = await users.create_user(
            info.context.require_principal(),
            input.username,
            input.display_name,
            parse_id(input.org_id, "orgId"),
            input.roles,
            input.permissions,
        )
        return cast(IssuedPassword, issued)

    @strawberry.federation.mutation(
        description="修改用户: name, org, roles, grants (security admins); a new org or role ends sessions",
        authenticated=True,
    )
    async def update_user(self, info: Info, input: UpdateUserInput) -> User:
        user = await users.update_user(
            info.context.require_principal(),
            _services(info),
            parse_id(input.id),
            display_name=input.display_name,
            org_id=parse_id(input.org_id, "orgId") if input.org_id else None,
            roles=input.roles,
            permissions=input.permissions,
        )
        return cast(User, user)

    @strawberry.federation.mutation(
        description="停用用户: ends its sessions and open subscriptions at once (security admins)",
        authenticated=True,
    )
    async def disable_user(self, info: Info, id: strawberry.ID) -> User:
        principal = info.context.require_principal()
        return cast(User, await users.set_disabled(principal, _services(info), parse_id(id), True))

    @strawberry.federation.mutation(description="启用用户 (security admins)", authenticated=True)
    async def enable_user(self, info: Info, id: strawberry.ID) -> User:
        principal = info.context.require_principal()
        return cast(User, await users.set_disabled(principal, _services(info), parse_id(id), False))

    @strawberry.federation.mutation(
        description="解锁用户: clears the login lockout (security admins)", authenticated=True
    )
    async def unlock_user(self, info: Info, id: strawberry.ID) -> User:
        principal = info.context.require_principal()
        return cast(User, await users.unlock_user(principal, _services(info), parse_id(id)))

    @strawberry.federation.mutation(
        description="重置密码: a temporary password, shown once, changed at the next login (security admins)",
        authenticated=True,
    )
    async def reset_user_password(self, info: Info, id: strawberry.ID) -> IssuedPassword:
        principal = info.context.require_principal()
        return cast(IssuedPassword, await users.reset_password(principal, _services(info), parse_id(id)))

    @strawberry.federation.mutation(
        description="修改角色 (角色管理): functions, data scope, menus (platform admin); the role's tokens "
        "issued before are refused (UNAUTHENTICATED, ROLE_CHANGED) until refreshed",
        requires_scopes=[[Function.ROLE_MANAGE.value]],
    )
    async def update_role(self, info: Info, input: UpdateRoleInput) -> RoleDefinition:
        view = await role_defs.update_role(
            info.context.require_principal(),
            _services(info),
            input.code,
            name=input.name,
            data_scope=input.data_scope.value if input.data_scope is not None else None,
            functions=input.functions,
            menus=input.menus,
            expected_version=input.expected_version,
        )
        return cast(RoleDefinition, view)

    @strawberry.federation.mutation(description="新增机构 (business admins)", authenticated=True)
    async def create_org(self, info: Info, input: CreateOrgInput) -> Org:
        org = await orgs.create_org(
            info.context.require_principal(),
            parse_id(input.parent_id, "parentId"),
            input.code,
            input.name,
            input.kind,
        )
        return cast(Org, org)

    @strawberry.federation.mutation(description="修改机构信息 (business admins)", authenticated=True)
    async def update_org(self, info: Info, input: UpdateOrgInput) -> Org:
        org = await orgs.update_org(
            info.context.require_principal(), parse_id(input.id), input.name, input.code
        )
        return cast(Org, org)

    @strawberry.federation.mutation(
        description="调整上级机构: the org and its subtree to another parent in its tenant (business admin)",
        authenticated=True,
    )
    async def move_org(self, info: Info, id: strawberry.ID, parent_id: strawberry.ID) -> Org:
        org = await orgs.move_org(
            info.context.require_principal(), parse_id(id), parse_id(parent_id, "parentId")
        )
        return cast(Org, org)

    @strawberry.federation.mutation(
        description="撤销机构: its users and customers go to successorId, required if any (business admins)",
        authenticated=True,
    )
    async def close_org(
        self, info: Info, id: strawberry.ID, successor_id: strawberry.ID | None = None
    ) -> Org:
        successor = parse_id(successor_id, "successorId") if successor_id else None
        return cast(Org, await orgs.close_org(info.context.require_principal(), parse_id(id), successor))

    @strawberry.federation.mutation(
        description="设置参数: one parameter of the parameters list whose editVia is setParameter (the "
        "platform's: a tenant's own are set by the mutation its editVia names); value as JSON text "
        "(e.g. 90); audited with the value before and after (platform business admin)",
        authenticated=True,
    )
    async def set_parameter(
        self, info: Info, key: str, value: str, tenant: strawberry.ID | None = None
    ) -> Parameter:
        tenant_id = parse_id(tenant, "tenant") if tenant is not None else None
        principal = info.context.require_principal()
        found = await parameters.set_parameter(principal, info.context.rules, key, value, tenant_id)
        return cast(Parameter, found)

    @strawberry.federation.mutation(description="新增团队 (business admins)", authenticated=True)
    async def create_team(self, info: Info, org_id: strawberry.ID, name: str) -> Team:
        team = await teams.create_team(info.context.require_principal(), parse_id(org_id, "orgId"), name)
        return cast(Team, team)

    @strawberry.federation.mutation(description="团队改名 (business admins)", authenticated=True)
    async def rename_team(self, info: Info, id: strawberry.ID, name: str) -> Team:
        return cast(Team, await teams.rename_team(info.context.require_principal(), parse_id(id), name))

    @strawberry.federation.mutation(
        description="添加团队成员: users of the team's org (business admins)", authenticated=True
    )
    async def add_team_members(
        self, info: Info, team_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> Team:
        principal = info.context.require_principal()
        team = await teams.set_members(
            principal, parse_id(team_id, "teamId"), _ids(user_ids, "userIds"), True
        )
        return cast(Team, team)

    @strawberry.federation.mutation(description="移除团队成员 (business admins)", authenticated=True)
    async def remove_team_members(
        self, info: Info, team_id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> Team:
        principal = info.context.require_principal()
        team = await teams.set_members(
            principal, parse_id(team_id, "teamId"), _ids(user_ids, "userIds"), False
        )
        return cast(Team, team)


async def _act_on_alert(info: Info, id: strawberry.ID, action: AlertActionKind, note: str) -> Alert:
    return cast(
        Alert, await alerts.act_on_alert(info.context.require_principal(), parse_id(id), action, note)
    )


async def _ticket_step(
    info: Info, id: strawberry.ID, step: queues.TicketStep, window: str | None = None
) -> QueueTicket:
    ticket = await queues.step_ticket(info.context.require_principal(), parse_id(id), step, window)
    return cast(QueueTicket, ticket)


def _targets(given: list[InspectionTargetInput]) -> list[inspections.Target]:
    return [inspections.Target(t.kind, parse_id(t.id, "target id")) for t in given]


def _photos(given: list[PhotoUploadInput]) -> list[inspections.PhotoUpload]:
    return [inspections.PhotoUpload(p.file_name, p.content_base64) for p in given]
