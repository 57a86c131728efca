"""Every enum of the marketing schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.marketing import OpportunityStatus

strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")

__all__ = ["OpportunityStatus"]

from models.marketing import FollowUpChannel  # noqa: E402
from resolvers.marketing.streams import PoolEventKind  # noqa: E402

strawberry.enum(FollowUpChannel, name="FollowUpChannel", description="跟进方式")
strawberry.enum(PoolEventKind, name="PoolEventKind", description="商机池事件")

__all__ += ["FollowUpChannel", "PoolEventKind"]
