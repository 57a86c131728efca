"""Every enum of the operations schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.operations import AlertActionKind, AlertLevel, AlertStatus, OrgKind

strawberry.enum(OrgKind, name="OrgKind", description="机构类型")
strawberry.enum(AlertLevel, name="AlertLevel")
strawberry.enum(AlertStatus, name="AlertStatus")
strawberry.enum(
    AlertActionKind, name="AlertActionKind", description="告警处理: a step of an alert's lifecycle"
)

__all__ = ["AlertActionKind", "AlertLevel", "AlertStatus", "OrgKind"]
