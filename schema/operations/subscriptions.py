"""Every root subscription of the operations subgraph: the stream of resolvers/operations as events."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, cast

import strawberry

from models.operations import IncidentAction
from resolvers.common.values import parse_id
from resolvers.operations.alerts import alert_feed
from resolvers.operations.halls import hall_status_feed
from resolvers.operations.incidents import incident_feed
from schema.common.events import AFTER, StreamEvent
from schema.operations.context import Info
from schema.operations.enums import AlertActionKind
from schema.operations.events import AlertEvent, HallStatusEvent, IncidentEvent
from schema.operations.types.alerts import Alert
from schema.operations.types.halls import HallStatus
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

    @strawberry.subscription(
        description="营业厅状态推送: each change of a hall in your scope (queue, visitors, staff, service "
        "events, devices) with its status; optionally one hall, or the halls under an org path"
    )
    async def hall_status(
        self,
        info: Info,
        hall_id: strawberry.ID | None = None,
        org_path: str | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[HallStatusEvent, None]:
        principal = info.context.require_principal()
        hall = parse_id(hall_id, "hallId") if hall_id is not None else None
        feed = hall_status_feed(principal, info.context.realtime, hall, org_path, after)
        async with aclosing(feed):
            async for event, row, figures in feed:
                info.context.loaders.org.prime(row.id, row)
                yield HallStatusEvent(
                    **StreamEvent.stamp(event.id, event.occurred_at), status=cast(HallStatus, figures)
                )
