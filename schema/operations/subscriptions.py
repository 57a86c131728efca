"""Every root subscription of the operations subgraph: the stream of resolvers/operations as events."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, cast

import strawberry

from models.operations import IncidentAction
from resolvers.operations.alerts import alert_feed
from resolvers.operations.incidents import incident_feed
from schema.common.events import AFTER, StreamEvent
from schema.operations.context import Info
from schema.operations.enums import AlertActionKind
from schema.operations.events import AlertEvent, IncidentEvent
from schema.operations.types.alerts import Alert
from schema.operations.types.incidents import Incident


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="告警推送: alerts as they are raised and each step of their lifecycle (``action``), "
        "those routed to your role, optionally for one org subtree"
    )
    async def alerts(
        self,
        info: Info,
        org_path: str | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[AlertEvent, None]:
        feed = alert_feed(info.context.require_principal(), info.context.realtime, org_path, after)
        async with aclosing(feed):
            async for event, alert in feed:
                yield AlertEvent(
                    **StreamEvent.stamp(event.id, event.occurred_at),
                    alert=cast(Alert, alert),
                    action=AlertActionKind(event.type.removeprefix("alert.").upper()),
                )

    @strawberry.subscription(
        description="故障事件推送: every step, escalation and missed SLA target of the incidents in scope; "
        "mine: those I reported, work on, or am notified of (an escalation to my tier)"
    )
    async def incidents(
        self,
        info: Info,
        mine: bool = False,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[IncidentEvent, None]:
        feed = incident_feed(info.context.require_principal(), info.context.realtime, mine, after)
        async with aclosing(feed):
            async for event, incident in feed:
                yield IncidentEvent(
                    **StreamEvent.stamp(event.id, event.occurred_at),
                    action=IncidentAction(event.type.split(".", 1)[1].upper()),
                    incident=cast(Incident, incident),
                )
