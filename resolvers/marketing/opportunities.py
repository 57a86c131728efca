"""商机 (opportunities): the member bank's opportunity pool (商机池), and recording one for a
customer the caller may see (read through resolvers/common/customer_directory.py)."""

from __future__ import annotations

from uuid import UUID

from models.marketing import Opportunity, OpportunityStatus
from resolvers.common.changes import change
from resolvers.common.customer_directory import visible_customer
from resolvers.common.errors import bad_input, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.marketing.permissions import require_opportunity_recorder
from resolvers.marketing.scopes import opportunity_scope
from security.principal import Principal


async def list_opportunities(
    principal: Principal, first: int, after: str | None, status: OpportunityStatus | None = None
) -> Page[Opportunity]:
    """The opportunity pool the caller sees (its member bank's), optionally in one status, by id."""
    queryset = scoped(principal, Opportunity, opportunity_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    return await paginate(queryset, first, after)


async def create_opportunity(
    principal: Principal, customer_id: UUID, title: str, product_name: str = "", source: str = "manual"
) -> Opportunity:
    """An OPEN opportunity in the pool of the customer's bank (whoever records it). A customer the
    caller may not see is NOT_FOUND, as one that does not exist."""
    require_opportunity_recorder(principal)
    if not title.strip():
        raise bad_input("title must not be empty")
    customer = await visible_customer(principal, customer_id)
    if customer is None:
        raise not_found("customer")
    async with change("marketing", "Opportunity") as audited:
        opportunity = await Opportunity.create(
            tenant_id=customer.tenant_id,  # the customer's bank's pool (商机池), whoever records it
            org_path=customer.org_path,  # its branch head's, and its org's in the statistics
            customer_id=customer.id,
            title=title.strip(),
            product_name=product_name,
            source=source,
        )
        audited.id = opportunity.id
    return opportunity
