"""Finance streams: the grab pool (抢单池) for institution staff, and an applicant's orders. Each
yields the event with its order restored; which subscriber an event concerns is decided from the
event's scope alone (scopes.pool_view for the pool)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from models.finance import FinancingNeed, ProductApplication
from realtime.broker import GRAB_POOL, MY_ORDERS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.events import stream
from resolvers.finance.filters import PoolFilter
from resolvers.finance.permissions import certified_institution
from resolvers.finance.scopes import pool_view
from security.principal import Principal
from security.roles import Scope
from security.scopes import role_scope

Order = FinancingNeed | ProductApplication


def order_model(event: Event) -> type[Order]:
    return FinancingNeed if event.type.startswith("need.") else ProductApplication


@dataclass(frozen=True)
class PoolChange:
    """An order entering or leaving the subscriber's pool."""

    event: Event
    order: Order
    action: str  # published, grabbed, withdrawn, transferred, closed
    remove: bool  # it leaves the subscriber's list


async def grab_pool_changes(
    principal: Principal, realtime: Realtime, f: PoolFilter | None, after: str | None
) -> AsyncIterator[PoolChange]:
    """抢单池, live: staff of an uncertified institution are FORBIDDEN."""
    if role_scope(principal) is Scope.INSTITUTION:
        await certified_institution(principal)
    async for event, order in stream(principal, realtime, GRAB_POOL, order_model, after):
        remove = pool_view(principal, event)
        if remove is None or (f is not None and not f.matches(order)):
            continue
        yield PoolChange(event, order, event.type.split(".", 1)[1], remove)


async def my_order_steps(
    principal: Principal, realtime: Realtime, after: str | None
) -> AsyncIterator[tuple[Event, Order]]:
    """我的订单: each step of the caller's applications and needs."""
    me = str(principal.user_id)
    async for event, order in stream(principal, realtime, MY_ORDERS, order_model, after):
        if event.scope.get("applicant_user_id") == me:
            yield event, order
