"""Stream payloads of the operations schema."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.operations.enums import AlertActionKind, IncidentAction
from schema.operations.types.alerts import Alert
from schema.operations.types.incidents import Incident


@strawberry.type(description="告警事件")
class AlertEvent(StreamEvent):
    alert: Alert
    action: AlertActionKind = strawberry.field(
        description="what happened: RAISED, ACKNOWLEDGED, RESOLVED, REOPENED or ESCALATED"
    )


@strawberry.type(description="故障事件动态: a step, an escalation or a missed SLA target")
class IncidentEvent(StreamEvent):
    action: IncidentAction
    incident: Incident
