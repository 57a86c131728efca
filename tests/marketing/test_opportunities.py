"""商机 (opportunities, resolvers/marketing/opportunities.py) through the gateway: an opportunity of a
customer the caller may not see keeps the page; its customer link is null (issue 11, item 5: before,
one customer out of scope nulled the whole page; issue 17: marketing itself leaves the link out for
a customer the caller may not see, read through resolvers/common/customer_directory.py)."""

from __future__ import annotations

import pytest

from clients.python.dcms_client import gql
from models.marketing import Opportunity
from testkit.factories import make_customer, make_tenant, make_user
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_an_opportunity_of_a_customer_out_of_scope_keeps_the_page(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    # Another manager's customer in the same bank: its opportunity is in the bank's pool (商机池),
    # the customer itself is not the first manager's to see.
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",))
    theirs = await make_customer(tenant.branch, colleague, "别人的客户")
    await Opportunity.create(tenant_id=tenant.bank.id, customer_id=theirs.id, title="别人的商机")
    query = "{ opportunities(first: 50) { nodes { title customer { name } } } }"
    result = await gql(stack.gateway_url, query, token=tenant.manager_token)

    nodes = result["data"]["opportunities"]["nodes"]
    by_title = {node["title"]: node["customer"] for node in nodes}
    assert by_title == {"有意向办理黔农e贷": {"name": tenant.customers[0].name}, "别人的商机": None}
    assert "errors" not in result  # nothing to refuse: the link to a customer out of scope is not given
