"""Marketing root queries."""

from __future__ import annotations

import strawberry

from models.marketing import Opportunity as OpportunityModel
from models.marketing import OpportunityStatus
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.marketing.scopes import opportunity_scope
from schema.common.connection import Connection
from schema.marketing.types import Opportunity, OpportunityStatusEnum


@strawberry.type
class Query:
    @strawberry.field(description="商机池")
    async def opportunities(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: OpportunityStatusEnum | None = None,
    ) -> Connection[Opportunity]:
        queryset = scoped(info.context.require_principal(), OpportunityModel, opportunity_scope)
        if status is not None:
            queryset = queryset.filter(status=OpportunityStatus(status))
        return await paginate(queryset, first, after)
