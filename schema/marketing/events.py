"""The marketing live stream's events: the opportunity pool (商机池)."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.marketing.enums import PoolEventKind
from schema.marketing.types.opportunities import Opportunity


@strawberry.type(description="商机池事件: AVAILABLE 可认领, CLAIMED 已被认领, REMOVED 已关闭")
class OpportunityPoolEvent(StreamEvent):
    kind: PoolEventKind
    opportunity: Opportunity
    remove_from_pool: bool = strawberry.field(description="从商机池列表中移除")
