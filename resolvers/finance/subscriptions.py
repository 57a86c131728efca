"""Finance streams."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from models.finance import FinancingNeed as NeedModel
from realtime.broker import GRAB_POOL
from resolvers.common.events import stream
from schema.common.events import AFTER, StreamEvent
from schema.finance.types import GrabPoolEvent, GrabPoolEventKind
from security.roles import Scope
from security.scopes import need_scope, role_scope

_KINDS = {"need.published": GrabPoolEventKind.NEW, "need.grabbed": GrabPoolEventKind.GRABBED}


@strawberry.type
class Subscription:
    @strawberry.subscription(description="抢单池: new needs and grabs, live")
    async def grab_pool(
        self,
        info: strawberry.Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[GrabPoolEvent, None]:
        principal = info.context.require_principal()
        scope = need_scope(principal)
        pool_watcher = role_scope(principal) is Scope.INSTITUTION
        async for event, need in stream(info, GRAB_POOL, NeedModel, after):
            # A grab reaches every institution watching the pool, so it leaves their lists at once.
            if not (scope.test(need) or (pool_watcher and event.type == "need.grabbed")):
                continue
            yield GrabPoolEvent(
                **StreamEvent.stamp(event.id, event.occurred_at), kind=_KINDS[event.type], need=need
            )
