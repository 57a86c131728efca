"""Finance streams: the grab pool (抢单池) for institution staff, and an applicant's orders."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from models.finance import FinancingNeed, OrderKind, ProductApplication
from realtime.broker import GRAB_POOL, MY_ORDERS
from realtime.events import Event
from resolvers.common.events import stream
from resolvers.finance.access import certified_institution, district_of
from resolvers.finance.queries import GrabPoolFilter
from schema.common.events import AFTER, StreamEvent
from schema.finance.events import GrabPoolEvent, GrabPoolEventKind, MyOrderEvent, MyOrderEventKind
from security.principal import Principal
from security.roles import Scope
from security.scopes import role_scope

_KINDS = {
    "published": GrabPoolEventKind.NEW,
    "grabbed": GrabPoolEventKind.GRABBED,
    "withdrawn": GrabPoolEventKind.WITHDRAWN,
    "transferred": GrabPoolEventKind.TRANSFERRED,
    "closed": GrabPoolEventKind.CLOSED,
}


def _order_model(event: Event) -> type[Any]:
    return FinancingNeed if event.type.startswith("need.") else ProductApplication


def pool_view(principal: Principal, event: Event) -> bool | None:
    """Whether the event concerns the subscriber's pool: None if not, else whether the order
    leaves their list (from the event's scope alone, no query)."""
    scope = event.scope
    action = event.type.split(".", 1)[1]
    leaves = action in ("withdrawn", "closed") or bool(scope.get("closed"))
    match role_scope(principal):
        case Scope.ALL:
            return leaves
        case Scope.INSTITUTION:
            mine = str(principal.institution_id)
            if mine not in scope.get("institutions", ()):
                return None
            if action == "published":
                return False
            if action in ("grabbed", "transferred"):
                # grabbed: gone for the grabbing institution, and for all once full;
                # transferred: new at the receiving institution, gone at the other.
                acted = scope.get("institution_id") == mine
                return (acted or leaves) if action == "grabbed" else not acted
            return True
        case Scope.TENANT | Scope.SUBTREE | Scope.OWN | Scope.GRID:
            return leaves if principal.tenant_id and event.tenant_id == str(principal.tenant_id) else None
        case _:
            return None


def _matches(order: Any, f: GrabPoolFilter | None) -> bool:
    if f is None:
        return True
    return (
        (f.min_amount is None or order.amount >= f.min_amount)
        and (f.max_amount is None or order.amount <= f.max_amount)
        and (not f.region or district_of(order) == f.region)
        and (not f.industry or getattr(order, "industry", "") == f.industry)
        and (f.order_kind is None or (f.order_kind == OrderKind.NEED) == isinstance(order, FinancingNeed))
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="抢单池: orders entering and leaving my pool, live (staff of a certified institution)"
    )
    async def grab_pool(
        self,
        info: strawberry.Info,
        filter: GrabPoolFilter | None = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[GrabPoolEvent, None]:
        principal = info.context.require_principal()
        if role_scope(principal) is Scope.INSTITUTION:
            await certified_institution(principal)  # staff of an uncertified institution: FORBIDDEN
        async for event, order in stream(
            info.context.require_principal(), info.context.realtime, GRAB_POOL, _order_model, after
        ):
            remove = pool_view(principal, event)
            if remove is None or not _matches(order, filter):
                continue
            is_need = isinstance(order, FinancingNeed)
            yield GrabPoolEvent(
                **StreamEvent.stamp(event.id, event.occurred_at),
                kind=_KINDS[event.type.split(".", 1)[1]],
                order_kind=OrderKind.NEED if is_need else OrderKind.APPLICATION,
                need=order if is_need else None,
                application=None if is_need else order,
                remove_from_pool=remove,
                institution_id=event.scope.get("institution_id"),
            )

    @strawberry.subscription(description="我的订单: each step of my applications and needs, live")
    async def my_orders(
        self,
        info: strawberry.Info,
        after: Annotated[strawberry.ID | None, strawberry.argument(description=AFTER)] = None,
    ) -> AsyncGenerator[MyOrderEvent, None]:
        me = str(info.context.require_principal().user_id)
        async for event, order in stream(
            info.context.require_principal(), info.context.realtime, MY_ORDERS, _order_model, after
        ):
            if event.scope.get("applicant_user_id") != me:
                continue
            is_need = isinstance(order, FinancingNeed)
            yield MyOrderEvent(
                **StreamEvent.stamp(event.id, event.occurred_at),
                kind=MyOrderEventKind(event.scope["step"]),
                order_kind=OrderKind.NEED if is_need else OrderKind.APPLICATION,
                need=order if is_need else None,
                application=None if is_need else order,
                handling_id=event.scope.get("handling_id"),
            )
