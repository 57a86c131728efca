"""Every root mutation of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing.opportunities import create_opportunity
from schema.marketing.context import Info
from schema.marketing.inputs import CreateOpportunityInput
from schema.marketing.mutations_content import ContentMutation
from schema.marketing.types.opportunities import Opportunity


@strawberry.type
class Mutation(ContentMutation):  # 内容管理 / 产品推荐位 / 产品知识库: mutations_content.py
    @strawberry.federation.mutation(description="登记商机", authenticated=True)
    async def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> Opportunity:
        principal = info.context.require_principal()
        customer_id = parse_id(input.customer_id, "customerId")
        opportunity = await create_opportunity(
            principal, customer_id, input.title, product_name=input.product_name, source=input.source
        )
        return cast(Opportunity, opportunity)
