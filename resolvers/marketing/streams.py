"""商机池, live: opportunities entering the pool (``available``: new, released) and leaving it
(``claimed``, ``removed``: closed from the pool), for the staff of the opportunity's bank (the
province: every bank's). Which subscriber an event concerns is decided from the event alone
(its tenant, ``pool_scope``); its customer is shown to a subscriber only through the same rule as
everywhere (schema/marketing/types: ``Opportunity.customer``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

from models.marketing import Opportunity
from realtime.broker import OPPORTUNITY_POOL
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.errors import forbidden
from resolvers.common.events import stream
from resolvers.marketing.scopes import pool_scope
from security.principal import Principal


class PoolEventKind(StrEnum):
    AVAILABLE = "AVAILABLE"  # new in the pool, or released back (可认领)
    CLAIMED = "CLAIMED"  # 已被认领: it leaves the pool
    REMOVED = "REMOVED"  # closed from the pool


@dataclass(frozen=True)
class PoolChange:
    event: Event
    opportunity: Opportunity
    kind: PoolEventKind


async def pool_changes(
    principal: Principal, realtime: Realtime, after: str | None
) -> AsyncIterator[PoolChange]:
    scope = pool_scope(principal)
    if scope.is_nothing:
        raise forbidden("无权查看商机池 (your role sees no opportunity pool)")
    async for event, opportunity in stream(principal, realtime, OPPORTUNITY_POOL, Opportunity, after):
        if scope.test(opportunity):
            yield PoolChange(event, opportunity, PoolEventKind(event.type.split(".", 1)[1].upper()))
