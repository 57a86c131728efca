"""Operations subgraph: the organisation tree, users and alerts."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.audit import AUDIT_UNIQUE, AuditRecordBase
from models.common import Entity
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

    class Meta:
        table = "alert"
        indexes = (("created_at", "id"),)  # lists newest first (resolvers/common/pagination.py)
        unique_together = (("raised_by", "idempotency_key"),)


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


# -- 巡检 (inspections): models/operations/inspections.py, here so Tortoise finds them ---------------
from models.operations.inspections import InspectionFrequency as InspectionFrequency  # noqa: E402
from models.operations.inspections import InspectionPhoto as InspectionPhoto  # noqa: E402
from models.operations.inspections import InspectionPhotoContent as InspectionPhotoContent  # noqa: E402
from models.operations.inspections import InspectionPlan as InspectionPlan  # noqa: E402
from models.operations.inspections import InspectionRecord as InspectionRecord  # noqa: E402
from models.operations.inspections import InspectionResult as InspectionResult  # noqa: E402
from models.operations.inspections import InspectionSignoff as InspectionSignoff  # noqa: E402
from models.operations.inspections import InspectionTargetKind as InspectionTargetKind  # noqa: E402
from models.operations.inspections import InspectionTask as InspectionTask  # noqa: E402
from models.operations.inspections import InspectionTaskStatus as InspectionTaskStatus  # noqa: E402
