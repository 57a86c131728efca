"""Customers subgraph: customers, grids and reminders; the 360 profile blocks live in
``models/customers/profile.py`` (imported here, where Tortoise looks for this app's models)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import BlindIndexField, EncryptedTextField, Entity
from models.customers.ownership import OwnershipChange, OwnershipChangeKind
from models.customers.profile import (
    ContactChannel,
    ContactRecord,
    CorporatePerson,
    CustomerTag,
    ExternalRecord,
    ExternalSource,
    Holding,
    HoldingCategory,
    KeyEvent,
    KeyEventKind,
    OverdueRecord,
    PersonRole,
    RelationKind,
    Relationship,
    RepaymentInstallment,
    Shareholder,
    TagSource,
    ValueSnapshot,
)
from models.customers.prospects import Prospect, ProspectStatus
from models.customers.reminder_sources import AccountMovement, Direction, ReminderPolicy, ScheduleItem
from models.customers.reports import ReportPeriod, ReportRow, ReportRun, ReportSnapshot, RunStatus
from models.customers.segments import (
    ApplicantLink,
    Consent,
    ConsentPurpose,
    CustomerGroup,
    GridOrg,
    GroupMember,
    GroupSource,
    MarketingExclusion,
)
from models.customers.tiering import (
    ApprovalRequest,
    ApprovalStep,
    RequestStatus,
    SchemeStatus,
    TierChange,
    TierChangeRequest,
    TierScheme,
)
from models.outbox import ConsumerCursorBase, OutboxEventBase, OutboxSequenceBase

__all__ = [
    "AccountMovement",
    "ApplicantLink",
    "ApprovalRequest",
    "ApprovalStep",
    "AssignmentKind",
    "AuditRecord",
    "Consent",
    "ConsentPurpose",
    "ConsumerCursor",
    "ContactChannel",
    "ContactRecord",
    "CorporatePerson",
    "Customer",
    "CustomerAssignment",
    "CustomerGroup",
    "CustomerKind",
    "CustomerTag",
    "CustomerTier",
    "Direction",
    "ExternalRecord",
    "ExternalSource",
    "Grid",
    "GridOrg",
    "GroupMember",
    "GroupSource",
    "Holding",
    "HoldingCategory",
    "KeyEvent",
    "KeyEventKind",
    "MarketingExclusion",
    "OutboxEvent",
    "OutboxSequence",
    "OverdueRecord",
    "OwnershipChange",
    "OwnershipChangeKind",
    "PersonRole",
    "Prospect",
    "ProspectStatus",
    "RelationKind",
    "Relationship",
    "Reminder",
    "ReminderKind",
    "ReminderPolicy",
    "RepaymentInstallment",
    "ReportPeriod",
    "ReportRow",
    "ReportRun",
    "ReportSnapshot",
    "RequestStatus",
    "RunStatus",
    "ScheduleItem",
    "SchemeStatus",
    "Shareholder",
    "TagSource",
    "TierChange",
    "TierChangeRequest",
    "TierScheme",
    "ValueSnapshot",
]


class Grid(Entity):
    """网格: cuts across the org tree, customers and managers map to grids."""

    tenant_id = fields.UUIDField(db_index=True)
    org_id = fields.UUIDField(db_index=True)  # operations Org the grid belongs to
    name = fields.CharField(max_length=100)
    parent: fields.ForeignKeyNullableRelation[Grid] = fields.ForeignKeyField(
        "customers.Grid", related_name="children", null=True, on_delete=fields.RESTRICT
    )  # 网格树
    parent_id: UUID | None  # the key column, for the type checker

    class Meta:
        table = "grid"


class CustomerKind(StrEnum):
    RETAIL = "RETAIL"  # 零售客户
    CORPORATE = "CORPORATE"  # 对公客户


class CustomerTier(StrEnum):
    """客户分层: 普通/潜力/成长/财富/私行."""

    ORDINARY = "ORDINARY"
    POTENTIAL = "POTENTIAL"
    GROWTH = "GROWTH"
    WEALTH = "WEALTH"
    PRIVATE = "PRIVATE"


class Customer(Entity):
    customer_no = fields.CharField(max_length=32, unique=True)  # 客户号
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(CustomerKind, max_length=10)
    tenant_id = fields.UUIDField(db_index=True)
    org_id = fields.UUIDField(db_index=True)
    org_path = fields.CharField(max_length=400, db_index=True)  # for 辖内 scope
    grid: fields.ForeignKeyNullableRelation[Grid] = fields.ForeignKeyField(
        "customers.Grid", related_name="customers", null=True, on_delete=fields.SET_NULL
    )
    grid_id: UUID | None  # the key column, for the type checker
    primary_manager_id = fields.UUIDField(null=True, db_index=True)  # 主办客户经理 (operations User)
    # PII, encrypted at rest (AES-256-GCM, models/common.py); *_bidx are their blind indexes
    # for exact search by phone or ID number.
    id_number = EncryptedTextField(default="")  # 身份证号 / 统一社会信用代码
    id_number_bidx = BlindIndexField(source="id_number")
    phone = EncryptedTextField(default="")
    phone_bidx = BlindIndexField(source="phone")
    address = EncryptedTextField(null=True)  # 地址 (null: rows from before it existed)
    tier = fields.CharEnumField(CustomerTier, max_length=10, default=CustomerTier.ORDINARY)
    aum = fields.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))  # 金融资产

    class Meta:
        table = "customer"


class AssignmentKind(StrEnum):
    ASSISTING = "ASSISTING"  # 协办客户经理
    CUSTODIAN = "CUSTODIAN"  # 托管 (temporary custody, with an end time)


class CustomerAssignment(Entity):
    """管户关系 besides the primary manager: assisting managers and temporary custodians.
    Access through an assignment ends by itself at ``ends_at``."""

    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "customers.Customer", related_name="assignments", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    manager_id = fields.UUIDField(db_index=True)  # operations User
    kind = fields.CharEnumField(AssignmentKind, max_length=10)
    ends_at = fields.DatetimeField(null=True)

    class Meta:
        table = "customer_assignment"

    @classmethod
    def in_force(cls, now: datetime | None = None) -> QuerySet[CustomerAssignment]:
        """The assignments that have not ended (custody ends by itself at ``ends_at``)."""
        return cls.filter(Q(ends_at=None) | Q(ends_at__gt=now or datetime.now(UTC)))

    def is_in_force(self, now: datetime) -> bool:
        return self.ends_at is None or self.ends_at > now


class ReminderKind(StrEnum):
    LARGE_TRANSACTION = "LARGE_TRANSACTION"  # 大额动账
    DEPOSIT_MATURITY = "DEPOSIT_MATURITY"  # 存款到期
    LOAN_MATURITY = "LOAN_MATURITY"  # 贷款到期
    ASSET_CHANGE = "ASSET_CHANGE"  # 资产变动
    APPOINTMENT = "APPOINTMENT"  # 预约
    PROSPECT_CONTACT = "PROSPECT_CONTACT"  # 潜客下次联系
    SCHEDULE = "SCHEDULE"  # 日程


class Reminder(Entity):
    """提醒, delivered live to the responsible manager (about a customer, or none: a prospect or
    the manager's own schedule)."""

    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "customers.Customer", related_name="reminders", null=True, on_delete=fields.CASCADE
    )
    customer_id: UUID | None  # the key column, for the type checker
    manager_id = fields.UUIDField(db_index=True)  # operations User who gets it
    tenant_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(ReminderKind, max_length=20)
    title = fields.CharField(max_length=200)
    due_at = fields.DatetimeField(null=True)
    read = fields.BooleanField(default=False)
    # What a generated reminder is about (``holding:<id>:<date>``): one per manager, never sent twice.
    source_key = fields.CharField(max_length=80, null=True)

    class Meta:
        table = "reminder"
        unique_together = (("source_key", "manager_id"),)


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), in hash chains appended in parallel."""

    class Meta:
        table = "audit_record"
        unique_together = AUDIT_UNIQUE


class ConsumerCursor(ConsumerCursorBase):
    """How far a consumer here of another subgraph's stream has got (realtime/consumer.py): the
    org changes of operations (resolvers/customers/org_events.py), the applicants it approves
    (resolvers/customers/applicant_events.py)."""

    class Meta:
        table = "consumer_cursor"


class OutboxEvent(OutboxEventBase):
    """Events of this subgraph waiting for (or past) publication: see models/outbox.py."""

    class Meta:
        table = "outbox_event"
        unique_together = (("channel", "seq"),)


class OutboxSequence(OutboxSequenceBase):
    """The last number given to an event of each of this subgraph's channels."""

    class Meta:
        table = "outbox_sequence"
