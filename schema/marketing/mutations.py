"""Every root mutation of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing.audiences import create_audience
from resolvers.marketing.opportunities import create_opportunity
from schema.marketing.context import Info
from schema.marketing.inputs import CreateAudienceInput, CreateOpportunityInput
from schema.marketing.types.audiences import Audience
from schema.marketing.types.opportunities import Opportunity


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
