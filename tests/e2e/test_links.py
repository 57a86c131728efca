"""A link to an entity of another subgraph that the caller may not see resolves to null with
NOT_FOUND on that link, and the rest of the page stays (issue 11, item 5). Before: one customer out
of scope nulled the whole `opportunities` page (the link was non-null), and each need's
`applicant { name }` was an INTERNAL_SERVER_ERROR (the customers subgraph answered `_entities`
with a bare null, so every non-null field of the customer was a non-null violation)."""

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
    out_of_scope = next(i for i, node in enumerate(nodes) if node["title"] == "别人的商机")
    errors = result["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"]
    assert errors[0]["path"][:4] == ["opportunities", "nodes", out_of_scope, "customer"]


async def test_a_need_whose_applicant_is_out_of_scope_shows_a_null_applicant(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=1, needs=2)
    _, grabber_token = tenant.grabbers[0]
    # An institution's account manager sees the needs open to it, not the bank's customers.
    query = "{ grabPool(first: 20) { nodes { orderNo amount applicant { name } } } }"
    result = await gql(stack.gateway_url, query, token=grabber_token)

    nodes = result["data"]["grabPool"]["nodes"]
    assert sorted(node["orderNo"] for node in nodes) == sorted(need.order_no for need in tenant.needs)
    assert all(node["applicant"] is None and node["amount"] for node in nodes)
    codes = [error["extensions"]["code"] for error in result["errors"]]
    assert codes == ["NOT_FOUND"] * len(nodes)
    for error in result["errors"]:
        assert error["path"][:2] == ["grabPool", "nodes"] and error["path"][3] == "applicant"
