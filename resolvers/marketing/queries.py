"""Marketing root queries."""

from __future__ import annotations

import strawberry

from models.marketing import Opportunity as OpportunityModel
from models.marketing import OpportunityStatus
from resolvers.common.pagination import paginate
from schema.common.connection import Connection
from schema.marketing.types import Opportunity, OpportunityStatusEnum


@strawberry.type
class Query:
    @strawberry.field(description="商机池")
    async def opportunities(
        self, first: int = 20, after: str | None = None, status: OpportunityStatusEnum | None = None
    ) -> Connection[Opportunity]:
        queryset = OpportunityModel.all()
        if status is not None:
            queryset = queryset.filter(status=OpportunityStatus(status))
        return await paginate(queryset, first, after)
