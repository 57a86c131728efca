"""Operations subgraph: the organisation tree, users and alerts; incidents and their service
policies (incidents.py).

Tortoise finds this app's models among this package's names, so each module's models are
imported here."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import Entity
from models.operations.admin import RoleDefinition, Team, TeamMember, UserChange
from models.operations.announcements import Announcement, AnnouncementRead, AnnouncementStatus
from models.operations.approvals import ApprovalFlow, ApprovalRequest, ApprovalStep
from models.operations.backups import BackupCheck, BackupFrequency, BackupJob, BackupRun, BackupRunStatus
from models.operations.changes import ChangeKind, ChangeRequest, ChangeRisk, ChangeStatus, ChangeStep
from models.operations.halls import (
    DutyStatus,
    HallProfile,
    HallType,
    HallZone,
    QualityCategory,
    QueueTicket,
    ServiceQualityEvent,
    ServiceQualityRule,
    StaffDuty,
    TicketStatus,
    VisitorCount,
    ZoneKind,
)
from models.operations.incidents import (
    TIERS,
    EscalationStep,
    Incident,
    IncidentAction,
    IncidentLevel,
    IncidentSource,
    IncidentStatus,
    IncidentStep,
    ServiceCalendar,
    ServicePolicy,
    ServiceTarget,
    SupportTier,
)
from models.operations.inspections import (
    InspectionFrequency,
    InspectionPhoto,
    InspectionPhotoContent,
    InspectionPlan,
    InspectionRecord,
    InspectionResult,
    InspectionSignoff,
    InspectionTargetKind,
    InspectionTask,
    InspectionTaskStatus,
)
from models.operations.logs import ClientKind, LoginEvent, LoginOutcome, PageView
from models.operations.onboarding import (
    ApplicantApplication,
    ApplicantKind,
    ApplicantStatus,
    InstitutionOnboarding,
    SignupCode,
    SignupMessage,
    SignupMessageStatus,
)
from models.outbox import ConsumerCursorBase, OutboxEventBase, OutboxSequenceBase


class OrgKind(StrEnum):
    PROVINCE_UNION = "PROVINCE_UNION"  # 省联社
    MEMBER_BANK = "MEMBER_BANK"  # 法人行社 (a tenant)
    VILLAGE_BANK = "VILLAGE_BANK"  # 村镇银行 (a separate tenant)
    BRANCH = "BRANCH"  # 支行
    OUTLET = "OUTLET"  # 网点
    INSTITUTION = "INSTITUTION"  # 金融机构 in the marketplace
    REGULATOR = "REGULATOR"  # 政府监管 (finance bureau)
    GRID_COMPANY = "GRID_COMPANY"  # 电网公司 (province / city level)
    HALL = "HALL"  # 供电营业厅


class Org(Entity):
    """A node of the organisation tree. ``path`` is the materialised path of ids
    from the root, ``/``-separated, so a subtree (辖内) is one prefix match."""

    code = fields.CharField(max_length=32, unique=True)  # 机构号
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(OrgKind, max_length=20)
    parent: fields.ForeignKeyNullableRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: UUID | None  # the key column, for the type checker
    path = fields.CharField(max_length=400, db_index=True)
    # The tenant this org belongs to: the member bank / institution / regulator org id.
    tenant_id = fields.UUIDField(null=True, db_index=True)
    # 撤销: a closed org keeps its row and path (history points at it); its users and customers
    # went to ``successor_id`` (resolvers/operations/orgs.py close_org).
    closed_at = fields.DatetimeField(null=True)
    successor_id = fields.UUIDField(null=True)

    class Meta:
        table = "org"


class User(Entity):
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64)
    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="users", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    # Role codes, e.g. ["CUSTOMER_MANAGER"].
    roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    tenant_id = fields.UUIDField(null=True, db_index=True)
    # Login (security/passwords.py): argon2id hash; null → the user cannot log in with a password.
    password_hash = fields.CharField(max_length=255, null=True)
    password_changed_at = fields.DatetimeField(null=True)
    # Set on demo users seeded outside dev mode (their password is published): login refuses
    # with PASSWORD_CHANGE_REQUIRED until a new password comes with it.
    must_change_password = fields.BooleanField(default=False)
    # Carried into the token (resolvers/operations/identity.py); cross-subgraph links are plain UUIDs.
    institution_id = fields.UUIDField(null=True)  # FI staff: their finance Institution
    # 网格 the user is mapped to (customers Grid ids), and extra grants on top of the roles'
    # (security/roles.py).
    grid_ids: fields.JSONField[list[str]] = fields.JSONField(default=list)
    permissions: fields.JSONField[list[str]] = fields.JSONField(default=list)
    # The user's position in the IT service team (技术服务人员 … 服务项目经理), if any: who confirms
    # and is escalated to (models/operations/incidents.py).
    support_tier = fields.CharEnumField(SupportTier, max_length=16, null=True)
    # 停用: a disabled user cannot log in and its tokens were revoked (resolvers/operations/users.py).
    disabled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"


class AlertLevel(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


class AlertStatus(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class Alert(Entity):
    """告警: raised by device breaches, SLA breaches, supervision warnings …"""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="alerts", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # copied for scope filtering
    level = fields.CharEnumField(AlertLevel, max_length=10)
    status = fields.CharEnumField(AlertStatus, max_length=14, default=AlertStatus.OPEN)
    title = fields.CharField(max_length=200)
    detail = fields.TextField(default="")
    source = fields.CharField(max_length=40, default="manual")
    device_id = fields.UUIDField(null=True, db_index=True)  # a devices-subgraph Device
    # The event of another subgraph this alert was raised from (督办预警, 贷后预警): raised once.
    source_event_id = fields.CharField(max_length=32, null=True, unique=True)
    # Who raised it by hand, and the client's idempotency key (幂等键): a retry of the same
    # raiseAlert after a timeout finds the first alert instead of raising a second one.
    raised_by = fields.UUIDField(null=True)
    idempotency_key = fields.CharField(max_length=64, null=True)
    # 告警去重: a system alert's dedup key (e.g. ``device-offline:<device id>``). A repeat of the
    # same key adds to ``count`` and moves ``last_seen_at`` instead of raising another alert
    # (alerts.py ``raise_system_alert``).
    dedup_key = fields.CharField(max_length=200, null=True, unique=True)
    count = fields.IntField(default=1)
    last_seen_at = fields.DatetimeField(null=True)
    # The lifecycle (alerts.py): who acknowledged / resolved it and when, for the current round
    # (a reopen clears them; the history, AlertAction, keeps every step).
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by = fields.UUIDField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolved_by = fields.UUIDField(null=True)
    # 告警路由: the roles the alert is routed to, ``|``-separated with a ``|`` at each end so one
    # role is one LIKE (``|HALL_MANAGER|``); empty: every role in scope (no rule matched).
    routed_roles = fields.CharField(max_length=400, default="")
    # 维护窗口: raised while a silence matched it: recorded, not streamed as new, never escalated.
    silenced = fields.BooleanField(default=False)
    # The incident an unacknowledged critical alert became (jobs.py ``escalate_stale_alerts``): once.
    incident_id = fields.UUIDField(null=True)

    class Meta:
        table = "alert"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)
        unique_together = (("raised_by", "idempotency_key"),)


class AlertActionKind(StrEnum):
    RAISED = "RAISED"  # by a person (raiseAlert) or the platform (actor null)
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"
    REOPENED = "REOPENED"
    ESCALATED = "ESCALATED"  # became an incident


class AlertAction(Entity):
    """One step of an alert's lifecycle (告警处理记录): who (null: the platform), when, the note."""

    alert: fields.ForeignKeyRelation[Alert] = fields.ForeignKeyField(
        "operations.Alert", related_name="actions", on_delete=fields.CASCADE
    )
    alert_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)  # the alert's, for scope filtering
    action = fields.CharEnumField(AlertActionKind, max_length=14)
    actor_id = fields.UUIDField(null=True)
    note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "alert_action"
        indexes = (("alert_id", "created_at", "id"),)


class AlertRoute(Entity):
    """告警路由 rule: alerts about an org in the subtree of ``org``, of ``source`` (null: any), at
    ``min_level`` or above, go to ``roles``. The most specific matching rules decide (alerts.py)."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="alert_routes", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    source = fields.CharField(max_length=40, null=True)
    min_level = fields.CharEnumField(AlertLevel, max_length=10, default=AlertLevel.INFO)
    roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    created_by = fields.UUIDField(null=True)

    class Meta:
        table = "alert_route"
        indexes = (("created_at", "id"),)


class AlertSilence(Entity):
    """维护窗口 / silence: alerts about the subtree of ``org`` (optionally of one source, one device)
    raised in [starts_at, ends_at) are recorded but flagged ``silenced``."""

    org: fields.ForeignKeyRelation[Org] = fields.ForeignKeyField(
        "operations.Org", related_name="alert_silences", on_delete=fields.RESTRICT
    )
    org_id: UUID  # the key column, for the type checker
    org_path = fields.CharField(max_length=400, db_index=True)
    source = fields.CharField(max_length=40, null=True)
    device_id = fields.UUIDField(null=True)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(db_index=True)
    reason = fields.CharField(max_length=200)
    created_by = fields.UUIDField(null=True)
    ended_by = fields.UUIDField(null=True)  # who ended it early (endAlertSilence)

    class Meta:
        table = "alert_silence"
        indexes = (("created_at", "id"),)


class ConsumerCursor(ConsumerCursorBase):
    """How far a consumer here of a stream of another subgraph has got (realtime/consumer.py)."""

    class Meta:
        table = "consumer_cursor"


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE


class OutboxEvent(OutboxEventBase):
    """Events of this subgraph waiting for (or past) publication: see models/outbox.py."""

    class Meta:
        table = "outbox_event"
        unique_together = (("channel", "seq"),)


class OutboxSequence(OutboxSequenceBase):
    """The last number given to an event of each of this subgraph's channels."""

    class Meta:
        table = "outbox_sequence"


__all__ = [
    "TIERS",
    "Alert",
    "AlertLevel",
    "AlertStatus",
    "Announcement",
    "AnnouncementRead",
    "AnnouncementStatus",
    "ApplicantApplication",
    "ApplicantKind",
    "ApplicantStatus",
    "ApprovalFlow",
    "ApprovalRequest",
    "ApprovalStep",
    "AuditRecord",
    "BackupCheck",
    "BackupFrequency",
    "BackupJob",
    "BackupRun",
    "BackupRunStatus",
    "ChangeKind",
    "ChangeRequest",
    "ChangeRisk",
    "ChangeStatus",
    "ChangeStep",
    "ClientKind",
    "ConsumerCursor",
    "DutyStatus",
    "EscalationStep",
    "HallProfile",
    "HallType",
    "HallZone",
    "Incident",
    "IncidentAction",
    "IncidentLevel",
    "IncidentSource",
    "IncidentStatus",
    "IncidentStep",
    "InspectionFrequency",
    "InspectionPhoto",
    "InspectionPhotoContent",
    "InspectionPlan",
    "InspectionRecord",
    "InspectionResult",
    "InspectionSignoff",
    "InspectionTargetKind",
    "InspectionTask",
    "InspectionTaskStatus",
    "InstitutionOnboarding",
    "LoginEvent",
    "LoginOutcome",
    "Org",
    "OrgKind",
    "OutboxEvent",
    "OutboxSequence",
    "PageView",
    "QualityCategory",
    "QueueTicket",
    "RoleDefinition",
    "ServiceCalendar",
    "ServicePolicy",
    "ServiceQualityEvent",
    "ServiceQualityRule",
    "ServiceTarget",
    "SignupCode",
    "SignupMessage",
    "SignupMessageStatus",
    "StaffDuty",
    "SupportTier",
    "Team",
    "TeamMember",
    "TicketStatus",
    "User",
    "UserChange",
    "VisitorCount",
    "ZoneKind",
]
