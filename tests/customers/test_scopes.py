"""Customers-side entry points tried by someone with the right role but out of scope: another
bank's staff, a branch head of another subtree, a manager of someone else's customers. Each gets
NOT_FOUND (or sees nothing) and changes nothing; and a customer's tier-change requests follow the
customer when it moves to another branch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import Customer, CustomerAssignment, CustomerGroup, GridOrg, GroupMember, GroupSource
from models.customers import Grid as GridModel
from models.marketing import Opportunity, OpportunityStatus
from models.operations import OrgKind
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def _hq(stack: Stack, tenant: Tenant, role: str = "HQ_ADMIN") -> str:
    return token_for(await make_user(tenant.bank, (role,)), tenant.bank, stack.settings)


async def test_tier_requests_follow_the_customer_to_its_new_branch(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    (customer,) = tenant.customers
    old_head = token_for(await make_user(tenant.branch, ("BRANCH_HEAD",)), tenant.branch, settings)
    other_branch = await make_org("第二支行", OrgKind.BRANCH, tenant.bank)
    new_head = token_for(await make_user(other_branch, ("BRANCH_HEAD",)), other_branch, settings)
    ask = """mutation($c: ID!) { requestTierChange(customerId: $c, toTier: WEALTH, reason: "资产增长") { id } }"""
    request = data(await gql(url, ask, {"c": str(customer.id)}, tenant.manager_token))["requestTierChange"]
    listed = "{ tierChangeRequests { nodes { id } } }"
    assert data(await gql(url, listed, None, old_head))["tierChangeRequests"]["nodes"] == [request]

    move = """mutation($c: [ID!]!, $o: ID!) { transferCustomers(customerIds: $c, toOrgId: $o, reason: "迁居") { id } }"""
    data(await gql(url, move, {"c": [str(customer.id)], "o": str(other_branch.id)}, await _hq(stack, tenant)))

    decide = """mutation($id: ID!) { decideTierChange(id: $id, approve: true) { status } }"""
    assert data(await gql(url, listed, None, old_head))["tierChangeRequests"]["nodes"] == []
    assert error_codes(await gql(url, decide, {"id": request["id"]}, old_head)) == ["NOT_FOUND"]
    assert (await Customer.get(id=customer.id)).tier == "ORDINARY"
    assert data(await gql(url, listed, None, new_head))["tierChangeRequests"]["nodes"] == [request]
    waiting = "{ pendingApprovals { subjectId } }"  # 待我审批 follows the customer too
    assert data(await gql(url, waiting, None, old_head))["pendingApprovals"] == []
    assert data(await gql(url, waiting, None, new_head))["pendingApprovals"] == [{"subjectId": request["id"]}]
    assert data(await gql(url, decide, {"id": request["id"]}, new_head))["decideTierChange"] == {
        "status": "APPROVED"
    }


async def test_ownership_mutations_out_of_scope_are_not_found(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    (customer,) = tenant.customers
    helper = await make_user(tenant.branch, ("CUSTOMER_MANAGER",))
    await CustomerAssignment.create(customer=customer, manager_id=helper.id, kind="ASSISTING")
    other_branch = await make_org("第二支行", OrgKind.BRANCH, tenant.bank)
    far_head = token_for(await make_user(other_branch, ("BRANCH_HEAD",)), other_branch, settings)
    ids = {"c": [str(customer.id)], "one": str(customer.id), "m": str(helper.id), "o": str(other_branch.id)}
    attempts = [
        "mutation($c: [ID!]!, $m: ID) { allocateCustomers(customerIds: $c, managerId: $m) { id } }",
        """mutation($c: [ID!]!, $o: ID!) { transferCustomers(customerIds: $c, toOrgId: $o, reason: "x") { id } }""",
        "mutation($one: ID!, $m: ID!) { addAssistingManager(customerId: $one, managerId: $m) { id } }",
        "mutation($one: ID!, $m: ID!) { removeAssistingManager(customerId: $one, managerId: $m) { id } }",
    ]
    for token in (await _hq(stack, other), far_head):
        for query in attempts:
            assert error_codes(await gql(url, query, ids, token)) == ["NOT_FOUND"], query
    after = await Customer.get(id=customer.id)
    assert (after.org_id, after.primary_manager_id) == (tenant.branch.id, tenant.manager.id)
    assert await CustomerAssignment.filter(customer_id=customer.id, ends_at=None).count() == 1


async def test_schemes_requests_groups_and_grids_of_another_bank_are_not_found(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    (customer,) = tenant.customers
    hq, outsider = await _hq(stack, tenant), await _hq(stack, other)
    bands = [{"tier": "ORDINARY", "minAum": "0"}, {"tier": "WEALTH", "minAum": "500000"}]
    create = 'mutation($b: [TierBandInput!]!) { createTierScheme(name: "方案", bands: $b) { id } }'
    scheme = data(await gql(url, create, {"b": bands}, hq))["createTierScheme"]["id"]
    update = 'mutation($id: ID!) { updateTierScheme(id: $id, name: "改名") { name } }'
    assert error_codes(await gql(url, update, {"id": scheme}, outsider)) == ["NOT_FOUND"]

    ask = """mutation($c: ID!) { requestTierChange(customerId: $c, toTier: GROWTH, reason: "增长") { id } }"""
    request = data(await gql(url, ask, {"c": str(customer.id)}, tenant.manager_token))["requestTierChange"][
        "id"
    ]
    withdraw = "mutation($id: ID!) { withdrawTierChange(id: $id) { status } }"
    assert error_codes(await gql(url, withdraw, {"id": request}, other.manager_token)) == ["NOT_FOUND"]

    group = await CustomerGroup.create(
        tenant_id=tenant.bank.id,
        name="重点客户",
        kind="RETAIL",
        source=GroupSource.CUSTOM,
        created_by=uuid.uuid4(),
    )
    await GroupMember.create(group=group, customer=customer)
    remove = (
        "mutation($g: ID!, $c: [ID!]!) { removeCustomerGroupMembers(groupId: $g, customerIds: $c) { id } }"
    )
    variables = {"g": str(group.id), "c": [str(customer.id)]}
    assert error_codes(await gql(url, remove, variables, outsider)) == ["NOT_FOUND"]
    assert await GroupMember.filter(group_id=group.id).count() == 1

    grid = await GridModel.get(tenant_id=tenant.bank.id)
    await GridOrg.create(grid=grid, org_id=tenant.branch.id)
    unmap = "mutation($g: ID!, $o: ID!) { unmapGridFromOrg(gridId: $g, orgId: $o) { id } }"
    assert error_codes(await gql(url, unmap, {"g": str(grid.id), "o": str(tenant.branch.id)}, outsider)) == [
        "NOT_FOUND"
    ]
    assert await GridOrg.filter(grid_id=grid.id).count() == 1


async def test_prospects_schedules_policies_and_opportunities_stay_with_their_own(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    (customer,), (theirs,) = tenant.customers, other.customers
    mine = tenant.manager_token

    # A prospect converts only into a customer the manager may see.
    create = """mutation { createProspect(input: {name: "王小二", phone: "13900001111"}) { id } }"""
    prospect = data(await gql(url, create, None, mine))["createProspect"]["id"]
    convert = """mutation($id: ID!, $c: ID!) { updateProspect(id: $id, input: {status: CONVERTED, customerId: $c}) {
      status customerId } }"""
    assert error_codes(await gql(url, convert, {"id": prospect, "c": str(theirs.id)}, mine)) == ["NOT_FOUND"]
    assert data(await gql(url, convert, {"id": prospect, "c": str(customer.id)}, mine))["updateProspect"] == {
        "status": "CONVERTED",
        "customerId": str(customer.id),
    }

    # Schedules are one's own; an item about a customer needs a customer in scope.
    starts = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    add = """mutation($c: ID, $s: DateTime!) { addScheduleItem(input: {title: "拜访", startsAt: $s, customerId: $c}) {
      id } }"""
    assert error_codes(await gql(url, add, {"c": str(theirs.id), "s": starts}, mine)) == ["NOT_FOUND"]
    item = data(await gql(url, add, {"c": str(customer.id), "s": starts}, mine))["addScheduleItem"]["id"]
    remove = "mutation($id: ID!) { removeScheduleItem(id: $id) }"
    assert error_codes(await gql(url, remove, {"id": item}, other.manager_token)) == ["NOT_FOUND"]
    window = {"a": datetime.now(UTC).isoformat(), "b": (datetime.now(UTC) + timedelta(days=2)).isoformat()}
    schedule = "query($a: DateTime!, $b: DateTime!) { mySchedule(start: $a, end: $b) { id } }"
    assert data(await gql(url, schedule, window, other.manager_token))["mySchedule"] == []
    assert data(await gql(url, schedule, window, mine))["mySchedule"] == [{"id": item}]

    # One bank's reminder threshold is not another's.
    policy = (
        'mutation { setReminderPolicy(largeTransactionThreshold: "100000") { largeTransactionThreshold } }'
    )
    data(await gql(url, policy, None, await _hq(stack, tenant)))
    read = "{ reminderPolicy { largeTransactionThreshold } }"
    assert data(await gql(url, read, None, await _hq(stack, other)))["reminderPolicy"] == {
        "largeTransactionThreshold": "500000.00"
    }

    # A customer's open opportunities (商机), and none of another bank's customer.
    await Opportunity.create(
        tenant_id=tenant.bank.id, customer_id=customer.id, title="已转化", status=OpportunityStatus.CONVERTED
    )
    opportunities = """query($id: ID!) { customer(id: $id) {
      opportunities(status: [OPEN, CLAIMED]) { nodes { title status } } } }"""
    seen = data(await gql(url, opportunities, {"id": str(customer.id)}, mine))["customer"]["opportunities"]
    assert [n["status"] for n in seen["nodes"]] == ["OPEN"]  # the factory's open one, not the converted
    assert (
        data(await gql(url, opportunities, {"id": str(customer.id)}, other.manager_token))["customer"] is None
    )


async def test_a_movement_reference_is_per_bank(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    feed = """mutation($m: [AccountMovementInput!]!) { recordAccountMovements(movements: $m) { recorded } }"""
    reference = f"R{uuid.uuid4().hex[:16]}"
    for _ in range(2):
        bank = await make_tenant(settings, customers=1, grabbers=0, needs=0)
        movement = {
            "reference": reference,
            "customerId": str(bank.customers[0].id),
            "direction": "IN",
            "amount": "100.00",
            "occurredAt": datetime.now(UTC).isoformat(),
        }
        got = data(await gql(url, feed, {"m": [movement]}, await _hq(stack, bank)))["recordAccountMovements"]
        assert got == {"recorded": 1}  # the same serial number at another bank is its own movement
