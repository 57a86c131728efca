"""Operations streams."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from models.operations import Alert as AlertModel
from realtime.broker import ALERTS
from resolvers.common.events import stream
from schema.operations.types import Alert
from security.scopes import alert_scope


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="告警推送: alerts as they are raised, optionally for one org subtree"
    )
    async def alerts(self, info: strawberry.Info, org_path: str | None = None) -> AsyncGenerator[Alert, None]:
        scope = alert_scope(info.context.require_principal())
        async for event, alert in stream(info, ALERTS, AlertModel):
            if scope.test(alert) and (
                org_path is None or event.scope.get("org_path", "").startswith(org_path)
            ):
                yield alert
