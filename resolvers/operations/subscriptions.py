"""Operations streams."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from models.operations import Alert as AlertModel
from realtime.broker import ALERTS
from resolvers.common.events import stream
from resolvers.operations.scopes import alert_scope
from schema.common.events import AFTER, StreamEvent
from schema.operations.types import AlertEvent


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="告警推送: alerts as they are raised, optionally for one org subtree"
    )
    async def alerts(
        self,
        info: strawberry.Info,
        org_path: str | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[AlertEvent, None]:
        scope = alert_scope(info.context.require_principal())
        async for event, alert in stream(
            info.context.require_principal(), info.context.realtime, ALERTS, AlertModel, after
        ):
            if scope.test(alert) and (
                org_path is None or event.scope.get("org_path", "").startswith(org_path)
            ):
                yield AlertEvent(**StreamEvent.stamp(event.id, event.occurred_at), alert=alert)
