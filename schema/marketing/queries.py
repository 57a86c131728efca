"""Every root query of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.marketing.opportunities import list_opportunities
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import OpportunityStatus
from schema.marketing.queries_content import ContentQuery
from schema.marketing.types.opportunities import Opportunity


@strawberry.type
class Query(ContentQuery):  # 内容管理 / 产品推荐位 / 产品知识库: queries_content.py
    @strawberry.field(description="商机池")
    async def opportunities(
        self, info: Info, first: int = 20, after: str | None = None, status: OpportunityStatus | None = None
    ) -> Connection[Opportunity]:
        page = await list_opportunities(info.context.require_principal(), first, after, status)
        return cast(Connection[Opportunity], page)
