"""网格 (grids, resolvers/customers/grids.py) through the gateway: the grid tree, org mappings, customers
moved between grids and the grid profile; who may change them, and that another bank reaches no
grid, not even through `_entities`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import (
    CustomerKind,
    CustomerTier,
    Grid,
)
from models.operations import OrgKind
from subgraphs.settings import Settings
from testkit.factories import make_customer, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from tests.support.stack import Stack

GRID = """query($id: ID!) { grid(id: $id) { name parent { name } children { name } orgIds
  profile { customerCount retailCount corporateCount totalAum managerCount tierDistribution { tier count } } } }"""


MAP = "mutation($g: ID!, $o: ID!) { mapGridToOrg(gridId: $g, orgId: $o) { orgIds } }"


UNMAP = "mutation($g: ID!, $o: ID!) { unmapGridFromOrg(gridId: $g, orgId: $o) { orgIds } }"


SET_GRID = "mutation($c: ID!, $g: ID) { setCustomerGrid(customerId: $c, gridId: $g) { grid { name } } }"


@pytest.mark.e2e
async def test_grid_tree_mappings_assignment_and_profile(stack: Stack) -> None:
    url = stack.gateway_url
    tenant = await make_tenant(stack.settings, customers=2, grabbers=0, needs=0)
    hq = await make_user(tenant.bank, ("HQ_ADMIN",))
    hq_token = token_for(hq, tenant.bank, stack.settings)
    head = await make_user(tenant.branch, ("BRANCH_HEAD",))
    head_token = token_for(head, tenant.branch, stack.settings)
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "客户经理")
    county = await Grid.create(tenant_id=tenant.bank.id, org_id=tenant.bank.id, name="县城网格")
    town = await Grid.create(
        tenant_id=tenant.bank.id, org_id=tenant.branch.id, name="乡镇网格", parent=county
    )
    company = await make_customer(
        tenant.branch, colleague, "网格企业", kind=CustomerKind.CORPORATE, aum=Decimal("50000.00")
    )
    wealthy = await make_customer(
        tenant.branch, tenant.manager, "网格财富", tier=CustomerTier.WEALTH, aum=Decimal("600000.00")
    )

    # Moving customers into the town grid (head office or branch head), and out again.
    for customer, token in ((company, hq_token), (wealthy, head_token), (tenant.customers[0], head_token)):
        moved = data(await gql(url, SET_GRID, {"c": str(customer.id), "g": str(town.id)}, token))
        assert moved["setCustomerGrid"]["grid"] == {"name": "乡镇网格"}
    out = data(await gql(url, SET_GRID, {"c": str(tenant.customers[0].id), "g": None}, head_token))
    assert out["setCustomerGrid"]["grid"] is None
    assert error_codes(
        await gql(url, SET_GRID, {"c": str(wealthy.id), "g": str(town.id)}, tenant.manager_token)
    ) == ["FORBIDDEN"]

    # Mapping grids to orgs: head office only; mapping twice keeps one link.
    for _ in range(2):
        mapped = data(await gql(url, MAP, {"g": str(town.id), "o": str(tenant.branch.id)}, hq_token))
    assert mapped["mapGridToOrg"]["orgIds"] == [str(tenant.branch.id)]
    assert error_codes(await gql(url, MAP, {"g": str(town.id), "o": str(tenant.bank.id)}, head_token)) == [
        "FORBIDDEN"
    ]
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    foreign = {"g": str(town.id), "o": str(other.branch.id)}  # another bank's org
    assert error_codes(await gql(url, MAP, foreign, hq_token)) == ["BAD_USER_INPUT"]

    seen = data(await gql(url, GRID, {"id": str(town.id)}, hq_token))["grid"]
    assert seen["parent"] == {"name": "县城网格"} and seen["children"] == []
    assert seen["profile"] == {
        "customerCount": 2,
        "retailCount": 1,
        "corporateCount": 1,
        "totalAum": "650000.00",
        "managerCount": 2,
        "tierDistribution": [{"tier": "ORDINARY", "count": 1}, {"tier": "WEALTH", "count": 1}],
    }
    top = data(await gql(url, GRID, {"id": str(county.id)}, hq_token))["grid"]
    assert top["children"] == [{"name": "乡镇网格"}] and top["profile"]["customerCount"] == 0
    roots = "query($p: ID) { grids(first: 50, parentId: $p) { nodes { name } } }"
    tops = data(await gql(url, roots, {}, hq_token))["grids"]["nodes"]
    assert sorted(g["name"] for g in tops) == sorted(["测试网格", "县城网格"])  # 测试网格: make_tenant's
    below = data(await gql(url, roots, {"p": str(county.id)}, hq_token))["grids"]["nodes"]
    assert below == [{"name": "乡镇网格"}]
    # A manager sees the grid, its profile over their own customers only.
    mine = data(await gql(url, GRID, {"id": str(town.id)}, tenant.manager_token))["grid"]["profile"]
    assert (mine["customerCount"], mine["managerCount"], mine["totalAum"]) == (1, 1, "600000.00")

    unmapped = data(await gql(url, UNMAP, {"g": str(town.id), "o": str(tenant.branch.id)}, hq_token))
    assert unmapped["unmapGridFromOrg"]["orgIds"] == []

    # The province sees every bank's grids; another bank sees none and changes none.
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other_hq = await make_user(other.bank, ("HQ_ADMIN",))
    other_token = token_for(other_hq, other.bank, stack.settings)
    assert data(await gql(url, GRID, {"id": str(town.id)}, other_token))["grid"] is None
    assert str(county.id) not in str(data(await gql(url, roots, {}, other_token)))
    assert error_codes(await gql(url, MAP, {"g": str(town.id), "o": str(other.bank.id)}, other_token)) == [
        "NOT_FOUND"
    ]
    assert error_codes(
        await gql(url, SET_GRID, {"c": str(other.customers[0].id), "g": str(town.id)}, other_token)
    ) == ["NOT_FOUND"]
    assert error_codes(await gql(url, SET_GRID, {"c": str(company.id), "g": None}, other_token)) == [
        "NOT_FOUND"
    ]
    province_org = await make_org("测试省联社", OrgKind.PROVINCE_UNION)
    province = await make_user(province_org, ("PROVINCE_ADMIN",))
    province_token = token_for(province, province_org, stack.settings)
    their_grid = await Grid.get(tenant_id=other.bank.id)
    for grid in (town, their_grid):
        assert data(await gql(url, GRID, {"id": str(grid.id)}, province_token))["grid"] is not None


@pytest.mark.integration
async def test_another_bank_reaches_no_grid_through_entities(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    grid = await Grid.get(tenant_id=tenant.bank.id)
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Grid {
      name orgIds children { name } profile { customerCount } } } }"""

    def reps() -> dict[str, Any]:  # fresh each time: resolving a representation consumes it
        return {"r": [{"__typename": "Grid", "id": str(grid.id)}]}

    theirs = await execute("customers", query, reps(), other.manager_token, settings=database)
    assert codes(theirs) == ["NOT_FOUND"] and theirs.data == {"_entities": [None]}  # as if missing
    ours = await execute("customers", query, reps(), tenant.manager_token, settings=database)
    assert ours.data["_entities"][0]["profile"] == {"customerCount": 1}
