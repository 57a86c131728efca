"""Every root query of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing.audiences import list_audiences, preview_audience
from resolvers.marketing.campaigns import list_campaigns, list_templates
from resolvers.marketing.messages import my_inbox
from resolvers.marketing.opportunities import list_opportunities
from resolvers.marketing.scenarios import SCENARIOS
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import CampaignStatus, OpportunityStatus
from schema.marketing.inputs import AudienceCriteriaInput
from schema.marketing.types.audiences import Audience, AudiencePreview
from schema.marketing.types.canvas import Campaign, CampaignScenario, CampaignTemplate
from schema.marketing.types.messages import InboxMessage
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

    @strawberry.field(description="场景库: the canvas scenarios shipped")
    def campaign_scenarios(self, info: Info) -> list[CampaignScenario]:
        info.context.require_principal()
        return cast(list[CampaignScenario], list(SCENARIOS))

    @strawberry.field(description="营销画布模板 the caller's bank has (its own and those sent down to it)")
    async def campaign_templates(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[CampaignTemplate]:
        page = await list_templates(info.context.require_principal(), first, after)
        return cast(Connection[CampaignTemplate], page)

    @strawberry.field(description="营销活动 (canvas) of the caller's bank")
    async def campaigns(
        self, info: Info, first: int = 20, after: str | None = None, status: CampaignStatus | None = None
    ) -> Connection[Campaign]:
        page = await list_campaigns(info.context.require_principal(), first, after, status)
        return cast(Connection[Campaign], page)

    @strawberry.field(description="营销活动; null when unknown or out of scope")
    async def campaign(self, info: Info, id: strawberry.ID) -> Campaign | None:
        campaign = await info.context.loaders.campaign.load(parse_id(id))
        return cast(Campaign | None, campaign)

    @strawberry.field(description="站内信: the caller's own")
    async def inbox(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[InboxMessage]:
        page = await my_inbox(info.context.require_principal(), first, after, unread_only)
        return cast(Connection[InboxMessage], page)
