"""Stream payloads of the operations schema."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.operations.enums import AlertActionKind, IncidentAction
from schema.operations.types.alerts import Alert
from schema.operations.types.halls import HallStatus
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


# 营业厅 (halls)
@strawberry.type(
    description="营业厅状态推送: a hall's status after a change (queue, visitors, staff, devices)"
)
class HallStatusEvent(StreamEvent):
    status: HallStatus
