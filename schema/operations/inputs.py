"""Input types of the operations schema."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.operations.enums import (
    AlertLevel,
    ApplicantKind,
    ApprovalFunction,
    BackupCheck,
    BackupFrequency,
    BackupRunStatus,
    ChangeAction,
    ChangeKind,
    ChangeRisk,
    ChangeStatus,
    ClientKind,
    DutyStatus,
    IncidentLevel,
    InspectionFrequency,
    InspectionResult,
    InspectionTargetKind,
    LoginOutcome,
    OrgKind,
    QualityCategory,
    Scope,
    ServiceCalendar,
    SupportTier,
)


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
    dedup_key: str | None = strawberry.field(
        default=None,
        description="告警去重: a key naming the condition (e.g. `disk-full:<host>`): a repeat about the same "
        "org adds to the alert's count (and reopens it when resolved) instead of raising another; "
        "the same key about another org is CONFLICT. Not with idempotencyKey",
    )


@strawberry.input(description="告警路由规则")
class AlertRouteInput:
    org_id: strawberry.ID = strawberry.field(description="the subtree's root")
    roles: list[str] = strawberry.field(description="role codes the matching alerts go to")
    source: str | None = strawberry.field(default=None, description="only alerts of this source; null: any")
    min_level: AlertLevel = AlertLevel.INFO


@strawberry.input(description="维护窗口")
class AlertSilenceInput:
    org_id: strawberry.ID = strawberry.field(description="the subtree's root")
    starts_at: datetime
    ends_at: datetime
    reason: str
    source: str | None = strawberry.field(default=None, description="only alerts of this source; null: any")
    device_id: strawberry.ID | None = strawberry.field(
        default=None, description="only alerts about this device"
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


@strawberry.input(description="申报故障事件")
class ReportIncidentInput:
    org_id: strawberry.ID = strawberry.field(
        description="where it happened: the caller may raise alerts there"
    )
    title: str
    level: IncidentLevel = strawberry.field(description="as first judged; classifyIncident sets it for good")
    description: str = ""
    category: str = strawberry.field(default="", description="network, server, storage, security …")
    caller: str = strawberry.field(
        default="", description="报修人: set by the service desk entering a phone call (服务热线)"
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry with the same key returns the first incident"
    )


@strawberry.input(description="one target cell of a service policy")
class ServiceTargetInput:
    level: IncidentLevel
    calendar: ServiceCalendar
    respond_minutes: int
    on_site_minutes: int
    resolve_minutes: int


@strawberry.input(description="one cell of the confirmation matrix (确认时间)")
class EscalationCellInput:
    level: IncidentLevel
    after_minutes: int
    tier: SupportTier


@strawberry.input(description="变更申请: created as a DRAFT")
class CreateChangeRequestInput:
    org_id: strawberry.ID = strawberry.field(description="the unit whose system changes")
    kind: ChangeKind
    title: str
    planned_start: datetime
    planned_end: datetime
    risk: ChangeRisk
    rollback_plan: str = strawberry.field(description="回退方案 (required)")
    description: str = ""
    system: str = strawberry.field(default="", description="the system it touches, by name")
    device_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry with the same key gets the first change back"
    )


@strawberry.input(description="One step of a change request")
class AdvanceChangeRequestInput:
    id: strawberry.ID
    action: ChangeAction
    note: str = strawberry.field(
        default="", description="why; required to REJECT, FAIL or ROLL_BACK; the result of a closing step"
    )


@strawberry.input(description="Every given condition must hold")
class ChangeRequestFilter:
    status: ChangeStatus | None = None
    kind: ChangeKind | None = None
    org_id: strawberry.ID | None = None


@strawberry.input(description="备份计划, in CST")
class BackupScheduleInput:
    frequency: BackupFrequency
    at: str = strawberry.field(description="HH:MM")
    weekday: int | None = strawberry.field(default=None, description="WEEKLY: 1 = Monday … 7 = Sunday")
    day_of_month: int | None = strawberry.field(default=None, description="MONTHLY: 1–28")


@strawberry.input(description="备份作业")
class CreateBackupJobInput:
    org_id: strawberry.ID
    name: str = strawberry.field(description="unique at the org: the same create again finds the job")
    system: str = strawberry.field(description="what it backs up")
    schedule: BackupScheduleInput
    expected_minutes: int = strawberry.field(description="how long a run takes")
    grace_minutes: int = strawberry.field(description="how late it may finish before it is missing")
    retention_days: int
    device_id: strawberry.ID | None = None


@strawberry.input(description="数据备份记录: one run of a job, reported by staff or a backup tool")
class ReportBackupRunInput:
    job_id: strawberry.ID
    started_at: datetime
    finished_at: datetime
    status: BackupRunStatus
    idempotency_key: str = strawberry.field(
        description="幂等键: a retry with the same key gets the first run"
    )
    size_bytes: float | None = None
    check_result: BackupCheck = strawberry.field(default=BackupCheck.NOT_CHECKED, description="校验")
    check_note: str = ""


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


# 营业厅 (halls)
@strawberry.input(description="取号 at the counter")
class IssueQueueTicketInput:
    hall_id: strawberry.ID
    business_type: str = strawberry.field(
        description="PAYMENT, NEW_CONNECTION, CHANGE, INVOICE or CONSULTING"
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry with the same key gets the first ticket back"
    )


@strawberry.input(description="叫号: the oldest waiting ticket (of one business type, or any) to a window")
class CallNextTicketInput:
    hall_id: strawberry.ID
    window: str = strawberry.field(description="窗口号, 1 to 16 characters")
    business_type: str | None = None


@strawberry.input(description="叫号 of one ticket to a window")
class CallTicketInput:
    id: strawberry.ID
    window: str


@strawberry.input(
    description="客流: a count for a period; the same (hall, counter, period) again replaces it"
)
class RecordVisitorCountInput:
    hall_id: strawberry.ID
    period_start: datetime
    count: int
    device_id: strawberry.ID | None = strawberry.field(default=None, description="the counter; null: manual")
    zone_id: strawberry.ID | None = None


@strawberry.input(description="在岗状态 of a member of staff at a hall (the caller by default)")
class SetDutyStatusInput:
    hall_id: strawberry.ID
    status: DutyStatus
    user_id: strawberry.ID | None = None


@strawberry.input(description="服务质量事件 reported by staff")
class ReportServiceEventInput:
    hall_id: strawberry.ID
    category: QualityCategory
    type_code: str = strawberry.field(description='e.g. "NO_UNIFORM" 未着工装, "CROWDING" 人员聚集')
    detail: str = ""
    at: datetime | None = strawberry.field(default=None, description="when it happened; null: now")
    zone_id: strawberry.ID | None = None
    device_id: strawberry.ID | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry with the same key gets the first event back"
    )


@strawberry.input(
    description="服务质量告警规则: threshold events within windowMinutes at one hall raise one alert"
)
class ServiceQualityRuleInput:
    org_id: strawberry.ID = strawberry.field(description="the subtree the rule covers")
    category: QualityCategory
    level: AlertLevel
    threshold: int
    window_minutes: int
    type_code: str = strawberry.field(default="", description='"": any type of the category')
    active: bool = True


@strawberry.input(description="审批步骤")
class ApprovalFlowStepInput:
    name: str
    roles: list[str] = strawberry.field(description="role names, e.g. HQ_REVIEWER")


@strawberry.input(description="设置审核流程")
class SetApprovalFlowInput:
    function: ApprovalFunction
    enabled: bool
    steps: list[ApprovalFlowStepInput]
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="another tenant's (the province only); omitted: the caller's"
    )


# -- 日志管理 (login and operation logs) ---------------------------------------------------------------


@strawberry.input(description="登录日志查询条件: every given condition must hold")
class LoginEventFilter:
    user: str | None = strawberry.field(default=None, description="a username (as typed) or a user id")
    outcome: LoginOutcome | None = None
    address: str | None = strawberry.field(default=None, description="the client's IP address")
    from_: datetime | None = strawberry.field(default=None, name="from", description="at or after")
    to: datetime | None = strawberry.field(default=None, description="before")


@strawberry.input(description="操作日志查询条件: every given condition must hold")
class PageViewFilter:
    user: str | None = strawberry.field(default=None, description="a username or a user id")
    menu_code: str | None = None
    client: ClientKind | None = None
    from_: datetime | None = strawberry.field(default=None, name="from", description="reported at or after")
    to: datetime | None = strawberry.field(default=None, description="reported before")


@strawberry.input(description="一次页面访问 (菜单点击与停留时长), as the client reports it")
class PageViewInput:
    view_id: str = strawberry.field(
        description="the client's id of this visit (1–64 characters): resent, stored once"
    )
    menu_code: str = strawberry.field(description="the menu item, e.g. customers.search")
    client: ClientKind
    entered_at: datetime = strawberry.field(description="when the page was entered, with its offset")
    seconds: int = strawberry.field(description="停留时长: seconds on the page, 0–86400")


# -- platform administration (平台管理, issue 19) ------------------------------------------------------


@strawberry.input(description="新增用户 (security admins)")
class CreateUserInput:
    username: str = strawberry.field(description="登录名: 3–64 letters, digits, _ . @ -; unique")
    display_name: str
    org_id: strawberry.ID
    roles: list[str] = strawberry.field(description="role codes; the first is the default at login")
    permissions: list[str] = strawberry.field(default_factory=list, description="extra grants")


@strawberry.input(description="修改用户: only the fields given change (security admins)")
class UpdateUserInput:
    id: strawberry.ID
    display_name: str | None = None
    org_id: strawberry.ID | None = None
    roles: list[str] | None = None
    permissions: list[str] | None = None


@strawberry.input(description="修改角色 (角色管理): what is given changes; what is omitted stays")
class UpdateRoleInput:
    code: str = strawberry.field(description="the role, e.g. FI_ACCOUNT_MANAGER")
    name: str | None = strawberry.field(default=None, description="角色名称")
    data_scope: Scope | None = strawberry.field(default=None, description="数据权限")
    functions: list[str] | None = strawberry.field(default=None, description="功能权限: the whole new set")
    menus: list[str] | None = strawberry.field(
        default=None, description="菜单: the whole new set of menu codes"
    )
    expected_version: int | None = strawberry.field(
        default=None, description="CONFLICT (STALE_VERSION) unless the role is still at this version"
    )


@strawberry.input(description="新增机构 (business admins)")
class CreateOrgInput:
    parent_id: strawberry.ID
    code: str = strawberry.field(description="机构号: 1–32 letters or digits; unique")
    name: str
    kind: OrgKind


@strawberry.input(description="修改机构信息: only the fields given change (business admins)")
class UpdateOrgInput:
    id: strawberry.ID
    name: str | None = None
    code: str | None = None


# -- 通知公告 (announcements) ------------------------------------------------------------------------


@strawberry.input(description="新增公告")
class CreateAnnouncementInput:
    org_id: strawberry.ID = strawberry.field(description="the org whose subtree it is addressed to")
    title: str
    body: str
    roles: list[str] = strawberry.field(
        default_factory=list, description="only these roles; empty: every role"
    )
    publish: bool = strawberry.field(default=False, description="publish at once (else a DRAFT)")
    idempotency_key: str | None = strawberry.field(
        default=None, description="幂等键: a retry with the same key returns the first announcement"
    )


@strawberry.input(description="修改公告 (a draft, or a withdrawn one)")
class UpdateAnnouncementInput:
    id: strawberry.ID
    org_id: strawberry.ID
    title: str
    body: str
    roles: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="企业 / 个人注册: a phone proved by its code, and the account asked for")
class RegisterApplicantInput:
    kind: ApplicantKind
    phone: str = strawberry.field(description="手机号 the code was sent to")
    code: str = strawberry.field(description="验证码 (6 digits, good 5 minutes, 5 tries)")
    name: str = strawberry.field(description="企业名称 / 姓名")
    username: str = strawberry.field(description="登录名: 3–64 letters, digits, _ . @ -")
    password: str = strawberry.field(description="密码: the password policy applies")
    credit_code: str | None = strawberry.field(
        default=None, description="统一社会信用代码: required for an enterprise (18 characters, checked)"
    )
    id_number: str | None = strawberry.field(
        default=None, description="身份证号: an individual's, optional; stored encrypted"
    )
    link_consent: bool = strawberry.field(
        default=False, description="同意关联: link me to my customer record at member banks, if there is one"
    )


@strawberry.input(description="金融机构入驻 (operators): the org, the institution and its first admin")
class OnboardInstitutionInput:
    code: str = strawberry.field(description="机构号 of the new org: 1–32 letters or digits, unique")
    name: str = strawberry.field(description="机构名称")
    kind: str = strawberry.field(description="机构类型: a finance InstitutionKind (BANK, MICRO_LOAN, …)")
    credit_code: str = strawberry.field(description="统一社会信用代码 (18 characters, checked); unique")
    admin_username: str = strawberry.field(description="登录名 of the first 机构管理员 (FI_ADMIN)")
    admin_display_name: str
    district: str = strawberry.field(default="", description="所在区县")
