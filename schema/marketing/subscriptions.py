"""Every marketing root subscription: the opportunity pool (商机池), live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, cast

import strawberry

from resolvers.marketing import streams
from schema.common.events import AFTER, StreamEvent
from schema.marketing.context import Info
from schema.marketing.enums import PoolEventKind
from schema.marketing.events import OpportunityPoolEvent
from schema.marketing.types.opportunities import Opportunity


@strawberry.type
class Subscription:
    @strawberry.subscription(description="商机池: opportunities becoming available and being claimed, live")
    async def opportunity_pool(
        self,
        info: Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[OpportunityPoolEvent, None]:
        principal = info.context.require_principal()
        async for change in streams.pool_changes(principal, info.context.realtime, after):
            yield OpportunityPoolEvent(
                **StreamEvent.stamp(change.event.id, change.event.occurred_at),
                kind=change.kind,
                opportunity=cast(Opportunity, change.opportunity),
                remove_from_pool=change.kind is not PoolEventKind.AVAILABLE,
            )
