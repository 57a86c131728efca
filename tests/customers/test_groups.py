"""客群 (customer groups, resolvers/customers/groups.py) through the gateway: system and custom groups
with their distributions and trend, who may change them, that another bank sees nothing, and
constant statements for a list of groups and for a list of grids."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import (
    Customer,
    CustomerGroup,
    CustomerKind,
    CustomerTier,
    Grid,
    GroupMember,
    GroupSource,
    ValueSnapshot,
)
from subgraphs.settings import Settings
from testkit.factories import first_of_month, make_customer, make_tenant, make_user, token_for
from testkit.sqlcount import counted
from tests.support.stack import Stack

FIGURES = """id name source rule memberCount
  members(first: 10) { nodes { name } pageInfo { hasNextPage } }
  tierDistribution { tier count }
  assetDistribution { band count totalAum }
  trend(months: 3) { month memberCount totalAum }"""
CREATE = "mutation($i: CustomerGroupInput!) { createCustomerGroup(input: $i) { " + FIGURES + " } }"
GROUP = "query($id: ID!) { customerGroup(id: $id) { " + FIGURES + " } }"
ADD = """mutation($g: ID!, $c: [ID!]!) { addCustomerGroupMembers(groupId: $g, customerIds: $c) {
  memberCount members { nodes { name } } } }"""
REMOVE = """mutation($g: ID!, $c: [ID!]!) { removeCustomerGroupMembers(groupId: $g, customerIds: $c) {
  memberCount } }"""
GROUPS = "{ customerGroups(first: 50) { nodes { name memberCount } } }"


@pytest.mark.e2e
async def test_system_and_custom_groups_with_their_figures(stack: Stack) -> None:
    url = stack.gateway_url
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    hq = await make_user(tenant.bank, ("HQ_ADMIN",))
    hq_token = token_for(hq, tenant.bank, stack.settings)
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "客户经理")
    small = await make_customer(tenant.branch, tenant.manager, "小额客户", aum=Decimal("1000.00"))
    growth = await make_customer(
        tenant.branch, tenant.manager, "成长客户", aum=Decimal("80000.00"), tier=CustomerTier.GROWTH
    )
    wealth = await make_customer(
        tenant.branch, colleague, "财富客户", aum=Decimal("700000.00"), tier=CustomerTier.WEALTH
    )
    await make_customer(
        tenant.branch, tenant.manager, "私行客户", aum=Decimal("8000000.00"), tier=CustomerTier.PRIVATE
    )
    corporate = await make_customer(
        tenant.branch, tenant.manager, "对公客户", kind=CustomerKind.CORPORATE, aum=Decimal("90000")
    )
    for customer, months_ago, deposits in ((growth, 1, "50000"), (growth, 0, "60000"), (wealth, 0, "600000")):
        await ValueSnapshot.create(
            customer=customer,
            month=first_of_month(months_ago),
            deposits=Decimal(deposits),
            wealth=Decimal("100"),
        )

    rich = {"name": "五万以上零售", "kind": "RETAIL", "source": "SYSTEM", "rule": {"aumMin": "50000"}}
    system = data(await gql(url, CREATE, {"i": rich}, hq_token))["createCustomerGroup"]
    assert system["source"] == "SYSTEM" and json.loads(system["rule"]) == {"aumMin": "50000"}
    assert system["memberCount"] == 3  # retail only: the corporate customer is not in a RETAIL group
    assert sorted(n["name"] for n in system["members"]["nodes"]) == ["成长客户", "私行客户", "财富客户"]
    assert {t["tier"]: t["count"] for t in system["tierDistribution"]} == {
        "GROWTH": 1,
        "WEALTH": 1,
        "PRIVATE": 1,
    }
    assert system["assetDistribution"] == [
        {"band": "FROM_50K", "count": 1, "totalAum": "80000.00"},
        {"band": "FROM_500K", "count": 1, "totalAum": "700000.00"},
        {"band": "FROM_6M", "count": 1, "totalAum": "8000000.00"},
    ]
    months = [first_of_month(n).isoformat() for n in (2, 1, 0)]
    assert system["trend"] == [
        {"month": months[0], "memberCount": 0, "totalAum": "0.00"},
        {"month": months[1], "memberCount": 1, "totalAum": "50100.00"},
        {"month": months[2], "memberCount": 2, "totalAum": "660200.00"},
    ]
    assert data(await gql(url, CREATE, {"i": rich}, hq_token))["createCustomerGroup"]["id"] == system["id"]
    changed = {**rich, "rule": {"aumMin": "1"}}
    assert error_codes(await gql(url, CREATE, {"i": changed}, hq_token)) == ["CONFLICT"]
    no_months = "query($id: ID!) { customerGroup(id: $id) { trend(months: 0) { month } } }"
    assert error_codes(await gql(url, no_months, {"id": system["id"]}, hq_token)) == ["BAD_USER_INPUT"]

    # A custom group: members picked; adding again changes nothing; of the group's kind only.
    picked = {"name": "重点维护", "kind": "RETAIL", "source": "CUSTOM"}
    custom = data(await gql(url, CREATE, {"i": picked}, hq_token))["createCustomerGroup"]
    assert custom["memberCount"] == 0 and custom["rule"] is None and custom["trend"][2]["memberCount"] == 0
    ids = [str(small.id), str(wealth.id)]
    for _ in range(2):
        added = data(await gql(url, ADD, {"g": custom["id"], "c": ids}, hq_token))["addCustomerGroupMembers"]
        assert added["memberCount"] == 2
    assert sorted(n["name"] for n in added["members"]["nodes"]) == ["小额客户", "财富客户"]
    seen = data(await gql(url, GROUP, {"id": custom["id"]}, hq_token))["customerGroup"]
    assert seen["assetDistribution"] == [
        {"band": "BELOW_50K", "count": 1, "totalAum": "1000.00"},
        {"band": "FROM_500K", "count": 1, "totalAum": "700000.00"},
    ]
    for variables, code in (
        ({"g": custom["id"], "c": [str(corporate.id)]}, "BAD_USER_INPUT"),  # a corporate customer
        ({"g": system["id"], "c": ids}, "BAD_USER_INPUT"),  # a system group follows its rule
    ):
        assert error_codes(await gql(url, ADD, variables, hq_token)) == [code]
    removed = data(await gql(url, REMOVE, {"g": custom["id"], "c": [str(small.id)]}, hq_token))
    assert removed["removeCustomerGroupMembers"]["memberCount"] == 1

    # A manager reads the bank's groups, but counts and sees only their own customers in them.
    groups = data(await gql(url, GROUPS, {}, tenant.manager_token))["customerGroups"]["nodes"]
    assert sorted((g["name"], g["memberCount"]) for g in groups) == [("五万以上零售", 2), ("重点维护", 0)]
    mine = data(await gql(url, GROUP, {"id": system["id"]}, tenant.manager_token))["customerGroup"]
    assert sorted(n["name"] for n in mine["members"]["nodes"]) == ["成长客户", "私行客户"]
    assert error_codes(await gql(url, CREATE, {"i": picked}, tenant.manager_token)) == ["FORBIDDEN"]

    # Another bank sees none of it and changes none of it.
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other_hq = await make_user(other.bank, ("HQ_ADMIN",))
    other_token = token_for(other_hq, other.bank, stack.settings)
    assert data(await gql(url, GROUPS, {}, other_token))["customerGroups"]["nodes"] == []
    assert data(await gql(url, GROUP, {"id": system["id"]}, other_token))["customerGroup"] is None
    assert error_codes(await gql(url, ADD, {"g": custom["id"], "c": ids}, other_token)) == ["NOT_FOUND"]
    their_customer = [str(other.customers[0].id)]
    assert error_codes(await gql(url, ADD, {"g": custom["id"], "c": their_customer}, hq_token)) == [
        "NOT_FOUND"
    ]
    delete = "mutation($id: ID!) { deleteCustomerGroup(id: $id) }"
    assert error_codes(await gql(url, delete, {"id": custom["id"]}, other_token)) == ["NOT_FOUND"]
    assert data(await gql(url, delete, {"id": custom["id"]}, hq_token))["deleteCustomerGroup"] == custom["id"]
    assert data(await gql(url, GROUP, {"id": custom["id"]}, hq_token))["customerGroup"] is None


# -- statements: a list of 2 or 10 groups / grids with every figure costs the same -----------------


async def _groups(tenant_id: Any, creator: Any, count: int) -> None:
    for i in range(count):
        source = GroupSource.SYSTEM if i % 2 else GroupSource.CUSTOM
        group = await CustomerGroup.create(
            tenant_id=tenant_id,
            name=f"客群{i}",
            kind=CustomerKind.RETAIL,
            source=source,
            rule={"aum_min": str(1000 * i), "tags": ["高净值"]} if source == GroupSource.SYSTEM else None,
            created_by=creator,
        )
        if source == GroupSource.CUSTOM:
            for customer in await Customer.filter(tenant_id=tenant_id):
                await GroupMember.create(group=group, customer=customer)


LIST_FIGURES = "query($first: Int!) { customerGroups(first: $first) { nodes { " + FIGURES + " } } }"
LIST_GRIDS = """query($p: ID!) { grids(first: 20, parentId: $p) { nodes { name children { name } orgIds
  profile { customerCount retailCount totalAum managerCount tierDistribution { tier } } } } }"""


@pytest.mark.integration
async def test_a_list_of_groups_or_grids_takes_the_same_statements_at_2_and_10(database: Settings) -> None:
    counts: dict[str, list[int]] = {"groups": [], "grids": []}
    for size in (2, 10):
        tenant = await make_tenant(database, customers=3, grabbers=0, needs=0)
        hq = await make_user(tenant.bank, ("HQ_ADMIN",))
        token = token_for(hq, tenant.bank, database)
        await _groups(tenant.bank.id, hq.id, size)
        root = await Grid.create(tenant_id=tenant.bank.id, org_id=tenant.bank.id, name="根网格")
        for i in range(size):
            await Grid.create(tenant_id=tenant.bank.id, org_id=tenant.branch.id, name=f"网格{i}", parent=root)
        for name, query, variables in (
            ("groups", LIST_FIGURES, {"first": size}),
            ("grids", LIST_GRIDS, {"p": str(root.id)}),
        ):
            statements, seen = await counted("customers", query, variables, token, database)
            assert len(next(iter(seen.values()))["nodes"]) == size
            counts[name].append(statements)
    assert counts["groups"][0] == counts["groups"][1], counts
    assert counts["grids"][0] == counts["grids"][1], counts
    print(f"\n2 / 10 groups with every figure: {counts['groups']}; grids with profile: {counts['grids']}")
