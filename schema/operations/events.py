"""Stream payloads of the operations schema."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.operations.enums import AlertActionKind
from schema.operations.types.alerts import Alert


@strawberry.type(description="告警事件")
class AlertEvent(StreamEvent):
    alert: Alert
    action: AlertActionKind = strawberry.field(
        description="what happened: RAISED, ACKNOWLEDGED, RESOLVED, REOPENED or ESCALATED"
    )
