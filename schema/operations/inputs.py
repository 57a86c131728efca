"""Input types of the operations schema."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.operations.enums import AlertLevel, IncidentLevel, ServiceCalendar, SupportTier


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
