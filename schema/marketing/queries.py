"""Every root query of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.marketing.audiences import list_audiences, preview_audience
from resolvers.marketing.opportunities import list_opportunities
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import OpportunityStatus
from schema.marketing.inputs import AudienceCriteriaInput
from schema.marketing.types.audiences import Audience, AudiencePreview
from schema.marketing.types.opportunities import Opportunity


@strawberry.type
class Query:
    @strawberry.field(description="商机池")
    async def opportunities(
        self, info: Info, first: int = 20, after: str | None = None, status: OpportunityStatus | None = None
    ) -> Connection[Opportunity]:
        page = await list_opportunities(info.context.require_principal(), first, after, status)
        return cast(Connection[Opportunity], page)

    @strawberry.field(description="目标客群 of the caller's bank")
    async def audiences(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Audience]:
        page = await list_audiences(info.context.require_principal(), first, after)
        return cast(Connection[Audience], page)

    @strawberry.field(description="客群预估: how many customers of the caller's bank the criteria select now")
    async def audience_preview(self, info: Info, criteria: AudienceCriteriaInput) -> AudiencePreview:
        count = await preview_audience(info.context.require_principal(), criteria.plain())
        return AudiencePreview(count=count)
