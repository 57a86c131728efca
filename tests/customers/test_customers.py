"""客户查询 (customer search) through the gateway: every criterion of ``customers(filter:)``, the
whole-bank search permission, exact phone search beside a filter, bad input and paging."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import (
    Customer,
    CustomerKind,
    CustomerTag,
    CustomerTier,
    Grid,
    Holding,
    HoldingCategory,
    TagSource,
)
from testkit.factories import make_customer, make_tenant, make_user, token_for
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

SEARCH = """query($f: CustomerFilter, $first: Int, $after: String, $phone: String) {
  customers(filter: $f, first: $first, after: $after, phone: $phone) {
    nodes { name phone } pageInfo { hasNextPage endCursor } } }"""


async def names(stack: Stack, token: str, criteria: dict[str, Any], **variables: Any) -> list[str]:
    found = data(await gql(stack.gateway_url, SEARCH, {"f": criteria, "first": 50, **variables}, token))
    return sorted(node["name"] for node in found["customers"]["nodes"])


async def test_every_criterion_of_the_filter(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    other_manager = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "客户经理")
    hq = await make_user(tenant.bank, ("HQ_ADMIN",))
    token = token_for(hq, tenant.bank, stack.settings)
    east = await Grid.create(tenant_id=tenant.bank.id, org_id=tenant.branch.id, name="东区网格")
    zhang = await make_customer(
        tenant.branch,
        tenant.manager,
        "张三",
        aum=Decimal("80000"),
        tier=CustomerTier.GROWTH,
        grid=east,
        customer_no="S88001",
    )
    await make_customer(
        tenant.branch,
        tenant.manager,
        "张三丰",
        aum=Decimal("700000"),
        tier=CustomerTier.WEALTH,
        customer_no="S88002",
    )
    await make_customer(tenant.branch, other_manager, "李四", aum=Decimal("1200"), customer_no="S99001")
    await make_customer(
        tenant.branch, tenant.manager, "黔丰农业有限公司", kind=CustomerKind.CORPORATE, aum=Decimal("5000000")
    )
    await CustomerTag.create(customer=zhang, name="高净值", source=TagSource.SYSTEM)
    await CustomerTag.create(customer=zhang, name="代发工资", source=TagSource.SYSTEM)
    li = await Customer.get(name="李四", tenant_id=tenant.bank.id)
    await CustomerTag.create(customer=li, name="高净值", source=TagSource.SYSTEM)
    today = date.today()
    await Holding.create(
        customer=li, category=HoldingCategory.WEALTH, product_name="黔农理财1号", amount=1000, opened_on=today
    )
    await Holding.create(
        customer=zhang,
        category=HoldingCategory.WEALTH,
        product_name="黔农理财1号",
        amount=1000,
        opened_on=today - timedelta(days=90),
        closed_on=today - timedelta(days=1),  # held before, not now
    )
    for criteria, expected in (
        ({}, ["张三", "张三丰", "李四", "黔丰农业有限公司"]),
        ({"text": "张三"}, ["张三", "张三丰"]),  # name contains
        ({"text": "S88"}, ["张三", "张三丰"]),  # customer number prefix
        ({"text": "88001"}, []),  # a number matches from its start only
        ({"tags": ["高净值"]}, ["张三", "李四"]),
        ({"tags": ["高净值", "代发工资"]}, ["张三"]),  # all of them
        ({"tiers": ["WEALTH", "GROWTH"]}, ["张三", "张三丰"]),
        ({"aumMin": "50000", "aumMax": "700000"}, ["张三", "张三丰"]),  # both bounds inclusive
        ({"aumMin": "1000000"}, ["黔丰农业有限公司"]),
        ({"gridIds": [str(east.id)]}, ["张三"]),
        ({"managerId": str(other_manager.id)}, ["李四"]),
        ({"productName": "黔农理财1号"}, ["李四"]),  # held now; 张三 closed theirs
        ({"productCategory": "WEALTH"}, ["李四"]),
        ({"kind": "CORPORATE"}, ["黔丰农业有限公司"]),
        ({"kind": "RETAIL", "tags": ["高净值"], "aumMin": "10000"}, ["张三"]),
    ):
        assert await names(stack, token, criteria) == expected, criteria


async def test_whole_bank_search_needs_the_permission(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "客户经理")
    searcher = await make_user(
        tenant.branch, ("CUSTOMER_MANAGER",), "客户经理", permissions=("WHOLE_BANK_SEARCH",)
    )
    await make_customer(tenant.branch, colleague, "王五", phone="13912345678")
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    await make_customer(other.branch, other.manager, "王五六", phone="13912345678")
    search = {"text": "王五"}
    # Without the permission a manager searches their own book only.
    assert await names(stack, tenant.manager_token, search) == []
    # With it, the whole bank (never another bank): every field of the customer, the sensitive
    # ones masked — they are not the searcher's own customers.
    token = token_for(searcher, tenant.branch, stack.settings)
    found = data(await gql(stack.gateway_url, SEARCH, {"f": search, "first": 10}, token))
    assert found["customers"]["nodes"] == [{"name": "王五", "phone": "139****5678"}]
    # Exact phone search (blind index) beside a filter, in the same scope.
    assert await names(stack, token, {"kind": "RETAIL"}, phone="139 1234 5678") == ["王五"]
    assert await names(stack, tenant.manager_token, {}, phone="13912345678") == []


async def test_bad_filters_are_refused(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    criteria: dict[str, Any]
    for criteria in (
        {"aumMin": "500000", "aumMax": "1000"},
        {"gridIds": ["not-an-id"]},
        {"text": "  "},
        {"tags": []},
    ):
        result = await gql(stack.gateway_url, SEARCH, {"f": criteria}, tenant.manager_token)
        assert error_codes(result) == ["BAD_USER_INPUT"], criteria


async def test_search_results_page_by_cursor(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    for i in range(5):
        await make_customer(tenant.branch, tenant.manager, f"分页客户{i}")
    await make_customer(tenant.branch, tenant.manager, "别的客户")
    seen: list[str] = []
    after = None
    for expected_more in (True, True, False):
        variables = {"f": {"text": "分页"}, "first": 2, "after": after}
        page = data(await gql(stack.gateway_url, SEARCH, variables, tenant.manager_token))["customers"]
        seen += [node["name"] for node in page["nodes"]]
        assert page["pageInfo"]["hasNextPage"] is expected_more
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == [f"分页客户{i}" for i in range(5)]
