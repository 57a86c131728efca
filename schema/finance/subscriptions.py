"""Every finance root subscription: the grab pool (抢单池) and an applicant's orders, live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, cast

import strawberry

from models.finance import FinancingNeed as NeedRow
from resolvers.finance import streams
from resolvers.finance.filters import PoolFilter
from schema.common.events import AFTER, StreamEvent
from schema.finance.context import Info
from schema.finance.enums import GrabPoolEventKind, MyOrderEventKind, OrderKind
from schema.finance.events import GrabPoolEvent, MyOrderEvent
from schema.finance.inputs import GrabPoolFilter
from schema.finance.types.orders import FinancingNeed, ProductApplication

_KINDS = {
    "published": GrabPoolEventKind.NEW,
    "grabbed": GrabPoolEventKind.GRABBED,
    "withdrawn": GrabPoolEventKind.WITHDRAWN,
    "transferred": GrabPoolEventKind.TRANSFERRED,
    "closed": GrabPoolEventKind.CLOSED,
}


def _orders(order: streams.Order) -> tuple[OrderKind, FinancingNeed | None, ProductApplication | None]:
    if isinstance(order, NeedRow):
        return OrderKind.NEED, cast(FinancingNeed, order), None
    return OrderKind.APPLICATION, None, cast(ProductApplication, order)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="抢单池: orders entering and leaving my pool, live (staff of a certified institution)"
    )
    async def grab_pool(
        self,
        info: Info,
        filter: GrabPoolFilter | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[GrabPoolEvent, None]:
        principal = info.context.require_principal()
        f = PoolFilter(**vars(filter)) if filter is not None else None
        async for change in streams.grab_pool_changes(principal, info.context.realtime, f, after):
            order_kind, need, application = _orders(change.order)
            yield GrabPoolEvent(
                **StreamEvent.stamp(change.event.id, change.event.occurred_at),
                kind=_KINDS[change.action],
                order_kind=order_kind,
                need=need,
                application=application,
                remove_from_pool=change.remove,
                institution_id=change.event.scope.get("institution_id"),
            )

    @strawberry.subscription(description="我的订单: each step of my applications and needs, live")
    async def my_orders(
        self,
        info: Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[MyOrderEvent, None]:
        principal = info.context.require_principal()
        async for event, order in streams.my_order_steps(principal, info.context.realtime, after):
            order_kind, need, application = _orders(order)
            yield MyOrderEvent(
                **StreamEvent.stamp(event.id, event.occurred_at),
                kind=MyOrderEventKind(event.scope["step"]),
                order_kind=order_kind,
                need=need,
                application=application,
                handling_id=event.scope.get("handling_id"),
            )
