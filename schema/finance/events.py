"""The finance live streams' events: the grab pool (抢单池) and an applicant's orders."""

from __future__ import annotations

from typing import cast
from uuid import UUID

import strawberry

from schema.common.events import StreamEvent
from schema.finance.context import Info
from schema.finance.enums import GrabPoolEventKind, MyOrderEventKind, OrderKind
from schema.finance.types.institutions import Institution
from schema.finance.types.orders import FinancingNeed, Handling, ProductApplication


@strawberry.type(description="抢单池事件")
class GrabPoolEvent(StreamEvent):
    kind: GrabPoolEventKind
    order_kind: OrderKind
    need: FinancingNeed | None
    application: ProductApplication | None
    remove_from_pool: bool = strawberry.field(description="从我的抢单列表中移除")
    institution_id: strawberry.Private[str | None]

    @strawberry.field(description="抢单 / 转入的机构")
    async def institution(self, info: Info) -> Institution | None:
        if not self.institution_id:
            return None
        return cast(
            Institution | None, await info.context.loaders.institution.load(UUID(self.institution_id))
        )


@strawberry.type(description="我的订单进度")
class MyOrderEvent(StreamEvent):
    kind: MyOrderEventKind
    order_kind: OrderKind
    need: FinancingNeed | None
    application: ProductApplication | None
    handling_id: strawberry.Private[str | None]

    @strawberry.field(description="本步所在的受理单")
    async def handling(self, info: Info) -> Handling | None:
        if not self.handling_id:
            return None
        return cast(Handling | None, await info.context.loaders.handling.load(UUID(self.handling_id)))
