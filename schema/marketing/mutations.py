"""Every root mutation of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing.audiences import create_audience
from resolvers.marketing.campaigns import (
    cancel_campaign,
    create_campaign,
    create_template,
    record_response,
    schedule_campaign,
    send_down_template,
)
from resolvers.marketing.messages import mark_read
from resolvers.marketing.opportunities import create_opportunity
from resolvers.marketing.points import spend_points
from resolvers.marketing.waves import rerun_wave
from schema.marketing.context import Info
from schema.marketing.inputs import (
    CreateAudienceInput,
    CreateCampaignInput,
    CreateCampaignTemplateInput,
    CreateOpportunityInput,
)
from schema.marketing.types.audiences import Audience
from schema.marketing.types.canvas import Campaign, CampaignTemplate, CampaignWave
from schema.marketing.types.messages import InboxMessage
from schema.marketing.types.opportunities import Opportunity
from schema.marketing.types.points import PointsEntry


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="登记商机", authenticated=True)
    async def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> Opportunity:
        principal = info.context.require_principal()
        customer_id = parse_id(input.customer_id, "customerId")
        opportunity = await create_opportunity(
            principal, customer_id, input.title, product_name=input.product_name, source=input.source
        )
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(description="保存目标客群", authenticated=True)
    async def create_audience(self, info: Info, input: CreateAudienceInput) -> Audience:
        principal = info.context.require_principal()
        audience = await create_audience(principal, input.name, input.criteria.plain(), input.idempotency_key)
        return cast(Audience, audience)

    @strawberry.federation.mutation(description="制作营销画布模板 (省联社 / 总行)", authenticated=True)
    async def create_campaign_template(
        self, info: Info, input: CreateCampaignTemplateInput
    ) -> CampaignTemplate:
        template = await create_template(
            info.context.require_principal(),
            input.name,
            input.scenario_code,
            input.description,
            input.graph.plain() if input.graph is not None else None,
            [c.plain() for c in input.contents] if input.contents is not None else None,
        )
        return cast(CampaignTemplate, template)

    @strawberry.federation.mutation(description="下发模板 to member banks (省联社)", authenticated=True)
    async def send_down_campaign_template(
        self, info: Info, template_id: strawberry.ID, tenant_ids: list[strawberry.ID]
    ) -> list[CampaignTemplate]:
        copies = await send_down_template(
            info.context.require_principal(),
            parse_id(template_id, "templateId"),
            [parse_id(t, "tenantIds") for t in tenant_ids],
        )
        return cast(list[CampaignTemplate], copies)

    @strawberry.federation.mutation(description="创建营销活动 (draft)", authenticated=True)
    async def create_campaign(self, info: Info, input: CreateCampaignInput) -> Campaign:
        campaign = await create_campaign(
            info.context.require_principal(),
            input.name,
            template_id=parse_id(input.template_id, "templateId") if input.template_id is not None else None,
            scenario_code=input.scenario_code,
            graph=input.graph.plain() if input.graph is not None else None,
            contents=[c.plain() for c in input.contents] if input.contents is not None else None,
            idempotency_key=input.idempotency_key,
        )
        return cast(Campaign, campaign)

    @strawberry.federation.mutation(description="排期: draft → scheduled", authenticated=True)
    async def schedule_campaign(self, info: Info, id: strawberry.ID, starts_at: datetime) -> Campaign:
        campaign = await schedule_campaign(info.context.require_principal(), parse_id(id), starts_at)
        return cast(Campaign, campaign)

    @strawberry.federation.mutation(description="取消营销活动", authenticated=True)
    async def cancel_campaign(self, info: Info, id: strawberry.ID) -> Campaign:
        return cast(Campaign, await cancel_campaign(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="重跑一个波次 (nobody contacted or awarded twice)", authenticated=True
    )
    async def rerun_campaign_wave(self, info: Info, campaign_id: strawberry.ID, number: int) -> CampaignWave:
        wave = await rerun_wave(info.context.require_principal(), parse_id(campaign_id, "campaignId"), number)
        return cast(CampaignWave, wave)

    @strawberry.federation.mutation(description="记录客户响应", authenticated=True)
    async def record_campaign_response(
        self, info: Info, campaign_id: strawberry.ID, customer_id: strawberry.ID, converted: bool = False
    ) -> bool:
        await record_response(
            info.context.require_principal(),
            parse_id(campaign_id, "campaignId"),
            parse_id(customer_id, "customerId"),
            converted,
        )
        return True

    @strawberry.federation.mutation(description="积分兑换: spend a customer's points", authenticated=True)
    async def spend_points(
        self, info: Info, customer_id: strawberry.ID, amount: int, reason: str, idempotency_key: str
    ) -> PointsEntry:
        entry = await spend_points(
            info.context.require_principal(),
            parse_id(customer_id, "customerId"),
            amount,
            reason,
            idempotency_key,
        )
        return cast(PointsEntry, entry)

    @strawberry.federation.mutation(description="站内信已读", authenticated=True)
    async def mark_inbox_message_read(self, info: Info, id: strawberry.ID) -> InboxMessage:
        return cast(InboxMessage, await mark_read(info.context.require_principal(), parse_id(id)))
