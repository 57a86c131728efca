"""The finance live streams' events: the grab pool (抢单池) and an applicant's orders."""

from __future__ import annotations

from enum import Enum
from uuid import UUID

import strawberry

from schema.common.events import StreamEvent
from schema.finance.institutions import Institution
from schema.finance.orders import FinancingNeed, Handling, OrderKindEnum, ProductApplication


@strawberry.enum(description="抢单池事件")
class GrabPoolEventKind(Enum):
    NEW = "NEW"  # entered the pool (posted, republished)
    GRABBED = "GRABBED"  # an institution took it: gone from that institution's list, and from all once full
    WITHDRAWN = "WITHDRAWN"  # the applicant withdrew it
    TRANSFERRED = "TRANSFERRED"  # 转单: new in the receiving institution's pool, gone from the other's
    CLOSED = "CLOSED"  # the applicant picked an offer: gone from every pool


@strawberry.type(description="抢单池事件")
class GrabPoolEvent(StreamEvent):
    kind: GrabPoolEventKind
    order_kind: OrderKindEnum
    need: FinancingNeed | None
    application: ProductApplication | None
    remove_from_pool: bool = strawberry.field(description="从我的抢单列表中移除")
    institution_id: strawberry.Private[str | None]

    @strawberry.field(description="抢单 / 转入的机构")
    async def institution(self, info: strawberry.Info) -> Institution | None:
        return (
            await info.context.loaders.institution.load(UUID(self.institution_id))
            if self.institution_id
            else None
        )


@strawberry.enum(description="订单进度")
class MyOrderEventKind(Enum):
    SUBMITTED = "SUBMITTED"  # 已提交
    VIEWED = "VIEWED"  # 机构已查看
    GRABBED = "GRABBED"  # 机构受理中
    PRE_REVIEWED = "PRE_REVIEWED"  # 初审通过
    OFFERED = "OFFERED"  # 收到预授信
    SELECTED = "SELECTED"  # 已选定机构
    CREDITED = "CREDITED"  # 已授信
    CREDIT_FAILED = "CREDIT_FAILED"  # 授信失败: may republish
    DISBURSED = "DISBURSED"  # 已放款
    REJECTED = "REJECTED"  # 未通过
    WITHDRAWN = "WITHDRAWN"  # 已撤回
    TRANSFERRED = "TRANSFERRED"  # 已转单


@strawberry.type(description="我的订单进度")
class MyOrderEvent(StreamEvent):
    kind: MyOrderEventKind
    order_kind: OrderKindEnum
    need: FinancingNeed | None
    application: ProductApplication | None
    handling_id: strawberry.Private[str | None]

    @strawberry.field(description="本步所在的受理单")
    async def handling(self, info: strawberry.Info) -> Handling | None:
        return await info.context.loaders.handling.load(UUID(self.handling_id)) if self.handling_id else None
