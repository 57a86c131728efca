"""Marketing mutations."""

from __future__ import annotations

import strawberry
from tortoise.transactions import in_transaction

from models.marketing import Opportunity as OpportunityModel
from resolvers.common import audit
from resolvers.common.customer_directory import visible_customer
from resolvers.common.errors import bad_input, forbidden, not_found
from resolvers.common.values import parse_id
from resolvers.marketing.scopes import opportunity_scope
from schema.marketing.types import Opportunity


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="登记商机", authenticated=True)
    async def create_opportunity(self, info: strawberry.Info, input: CreateOpportunityInput) -> Opportunity:
        principal = info.context.require_principal()
        if opportunity_scope(principal).is_nothing or principal.tenant_id is None:
            raise forbidden("无权登记商机 (your role cannot record opportunities)")
        if not input.title.strip():
            raise bad_input("title must not be empty")
        # The customer lives in the customers subgraph: one the caller may see (its own rule,
        # read through the customer directory), else NOT_FOUND as if it did not exist.
        customer = await visible_customer(principal, parse_id(input.customer_id, "customerId"))
        if customer is None:
            raise not_found("customer")
        async with in_transaction("marketing"):
            opportunity = await OpportunityModel.create(
                tenant_id=customer.tenant_id,  # the customer's bank's pool (商机池), whoever records it
                customer_id=customer.id,
                title=input.title.strip(),
                product_name=input.product_name,
                source=input.source,
            )
            await audit.record(target=audit.Target("Opportunity", opportunity.id))
        return opportunity
