"""客户关系管理 (ownership) through the gateway: access follows every change of who manages a
customer at once (hand-over, custody and its end, transfer, allocation, assisting managers),
the history lists each change with its actor and time, and out-of-scope callers can neither act
nor read; the history and a batch change cost the same statements for 2 or 20 customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import AssignmentKind, CustomerAssignment
from models.operations import Org, OrgKind, User
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted, statements_of
from tests.support.stack import Stack

ONE = "query($id: ID!) { customer(id: $id) { id phone tags { name } org { id } primaryManager { id } } }"
MINE = "{ customers(first: 100) { nodes { id } } }"
ASSIGNED = """query($id: ID!) { customer(id: $id) {
  assistingManagers { manager { id } since endsAt } custodian { manager { id } endsAt } } }"""
HISTORY = """query($id: ID!, $first: Int!, $after: String) { customer(id: $id) {
  ownershipHistory(first: $first, after: $after) {
    nodes { kind reason createdAt endsAt actor { id displayName } fromManager { id } toManager { id }
            fromOrg { id } toOrg { id } }
    pageInfo { hasNextPage endCursor } }
  keyEvents { kind title } } }"""
HAND_OVER = """mutation($ids: [ID!]!, $to: ID!, $reason: String!) {
  handOverCustomers(customerIds: $ids, toManagerId: $to, reason: $reason) { id primaryManager { id } } }"""
TRANSFER = """mutation($ids: [ID!]!, $org: ID!, $to: ID, $reason: String!) {
  transferCustomers(customerIds: $ids, toOrgId: $org, toManagerId: $to, reason: $reason) { id org { id } } }"""
ALLOCATE = """mutation($ids: [ID!]!, $m: ID, $org: ID) {
  allocateCustomers(customerIds: $ids, managerId: $m, orgId: $org) { id org { id } primaryManager { id } } }"""
RETURN = """mutation($ids: [ID!]!) { returnToOrg(customerIds: $ids, reason: "调岗收回") { id primaryManager { id } } }"""
CUSTODY = """mutation($ids: [ID!]!, $to: ID!, $ends: DateTime!) {
  startCustody(customerIds: $ids, custodianId: $to, endsAt: $ends, reason: "休假托管") {
    id custodian { manager { id } endsAt } } }"""
END_CUSTODY = "mutation($id: ID!) { endCustody(customerId: $id) { id custodian { endsAt } } }"
ASSIST = """mutation($id: ID!, $m: ID!) { addAssistingManager(customerId: $id, managerId: $m) {
  assistingManagers { manager { id } } } }"""
UNASSIST = """mutation($id: ID!, $m: ID!) { removeAssistingManager(customerId: $id, managerId: $m) {
  assistingManagers { manager { id } } } }"""


@dataclass
class Bank:
    """A member bank: two branches, each with a head and managers; head office above them."""

    tenant: Tenant
    branch2: Org
    tokens: dict[str, str]
    users: dict[str, User]

    def id(self, who: str) -> str:
        return str(self.users[who].id)

    def customer(self, i: int) -> str:
        return str(self.tenant.customers[i].id)


async def make_bank(settings: Settings, customers: int = 2) -> Bank:
    tenant = await make_tenant(settings, customers=customers, grabbers=0, needs=0)
    branch2 = await make_org("测试二支行", OrgKind.BRANCH, tenant.bank)
    staff = {
        "manager": (tenant.branch, "CUSTOMER_MANAGER"),
        "colleague": (tenant.branch, "CUSTOMER_MANAGER"),  # same branch as the manager
        "head": (tenant.branch, "BRANCH_HEAD"),
        "hq": (tenant.bank, "HQ_ADMIN"),
        "far": (branch2, "CUSTOMER_MANAGER"),  # the other branch
        "head2": (branch2, "BRANCH_HEAD"),
    }
    users = {"manager": tenant.manager}
    for name, (org, role) in staff.items():
        users.setdefault(name, await make_user(org, (role,), name))
    tokens = {name: token_for(users[name], org, settings) for name, (org, _) in staff.items()}
    return Bank(tenant, branch2, tokens, users)


async def visible(stack: Stack, bank: Bank, who: str, customer: str) -> bool:
    """Whether ``who`` sees the customer: by id, in their list and through a profile block."""
    one = data(await gql(stack.gateway_url, ONE, {"id": customer}, bank.tokens[who]))["customer"]
    listed = data(await gql(stack.gateway_url, MINE, {}, bank.tokens[who]))["customers"]["nodes"]
    assert (one is not None) == ({"id": customer} in listed), (one, listed)
    return one is not None


def future(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def history(stack: Stack, customer: str, token: str, first: int = 50) -> list[dict[str, Any]]:
    seen = data(await gql(stack.gateway_url, HISTORY, {"id": customer, "first": first}, token))["customer"]
    return seen["ownershipHistory"]["nodes"]


@pytest.mark.e2e
async def test_a_hand_over_moves_access_at_once(stack: Stack) -> None:
    bank = await make_bank(stack.settings)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    url, c0, c1 = stack.gateway_url, bank.customer(0), bank.customer(1)
    assert await visible(stack, bank, "manager", c0) and not await visible(stack, bank, "colleague", c0)

    hand_over = {"ids": [c0], "to": bank.id("colleague"), "reason": "客户经理调岗"}
    moved = data(await gql(url, HAND_OVER, hand_over, bank.tokens["head"]))["handOverCustomers"]
    assert moved == [{"id": c0, "primaryManager": {"id": bank.id("colleague")}}]
    # The old manager: gone from the customer, the list and the profile blocks; the new one has it all.
    assert not await visible(stack, bank, "manager", c0)
    gone = await gql(
        url, "query($id: ID!) { customer(id: $id) { tags { name } } }", {"id": c0}, bank.tokens["manager"]
    )
    assert data(gone) == {"customer": None}
    assert await visible(stack, bank, "colleague", c0)
    seen = data(await gql(url, ONE, {"id": c0}, bank.tokens["colleague"]))["customer"]
    assert seen["phone"] == "13800000000"  # in full: the managing manager now
    # A repeat changes nothing and writes no second row.
    data(await gql(url, HAND_OVER, hand_over, bank.tokens["head"]))
    assert [h["kind"] for h in await history(stack, c0, bank.tokens["head"])] == ["HAND_OVER"]

    # Assisting keeps access after a hand-over; removing it ends it.
    data(await gql(url, ASSIST, {"id": c0, "m": bank.id("manager")}, bank.tokens["head"]))
    data(await gql(url, ASSIST, {"id": c0, "m": bank.id("manager")}, bank.tokens["head"]))  # a repeat
    assisted = data(await gql(url, ASSIGNED, {"id": c0}, bank.tokens["manager"]))["customer"]
    assert [a["manager"] for a in assisted["assistingManagers"]] == [{"id": bank.id("manager")}]
    assert assisted["assistingManagers"][0]["endsAt"] is None
    removed = data(await gql(url, UNASSIST, {"id": c0, "m": bank.id("manager")}, bank.tokens["hq"]))
    assert removed["removeAssistingManager"]["assistingManagers"] == []
    assert not await visible(stack, bank, "manager", c0)

    # Who may not, and bad targets.
    for variables, who, code in (
        ({**hand_over, "ids": [c1]}, "manager", "FORBIDDEN"),  # a manager does not hand over
        ({**hand_over, "ids": [c1], "to": bank.id("far")}, "hq", "BAD_USER_INPUT"),  # another org: transfer
        ({**hand_over, "ids": [c1], "to": bank.id("head")}, "hq", "BAD_USER_INPUT"),  # not a manager
        ({**hand_over, "ids": [c1], "to": str(other.manager.id)}, "hq", "BAD_USER_INPUT"),  # another bank
        ({**hand_over, "ids": [c1], "reason": " "}, "hq", "BAD_USER_INPUT"),
        ({**hand_over, "ids": [c1]}, "head2", "NOT_FOUND"),  # not in the other branch head's subtree
        ({**hand_over, "ids": [c1], "to": "x"}, "hq", "BAD_USER_INPUT"),
    ):
        assert error_codes(await gql(url, HAND_OVER, variables, bank.tokens[who])) == [code], (variables, who)
    assert error_codes(await gql(url, HAND_OVER, {**hand_over, "ids": [c1]}, other.manager_token)) == [
        "FORBIDDEN"
    ]
    assert await visible(stack, bank, "manager", c1)  # none of those changed anything


@pytest.mark.e2e
async def test_custody_lasts_until_its_end_or_until_ended(stack: Stack) -> None:
    bank = await make_bank(stack.settings)
    url, c0, c1 = stack.gateway_url, bank.customer(0), bank.customer(1)
    custody = {"ids": [c0], "to": bank.id("colleague"), "ends": future(3600)}
    # The primary manager puts their own customer in custody (leave): the custodian sees it.
    started = data(await gql(url, CUSTODY, custody, bank.tokens["manager"]))["startCustody"]
    assert started[0]["custodian"]["manager"] == {"id": bank.id("colleague")}
    data(await gql(url, CUSTODY, custody, bank.tokens["manager"]))  # a repeat
    assert await visible(stack, bank, "colleague", c0) and await visible(stack, bank, "manager", c0)
    # At endsAt access ends by itself (moved into the past here rather than waiting for it).
    await CustomerAssignment.filter(customer_id=c0, kind=AssignmentKind.CUSTODIAN).update(
        ends_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert not await visible(stack, bank, "colleague", c0)
    assert data(await gql(url, ASSIGNED, {"id": c0}, bank.tokens["manager"]))["customer"]["custodian"] is None
    assert [h["kind"] for h in await history(stack, c0, bank.tokens["manager"])] == ["CUSTODY_START"]

    # endCustody ends it at once; a repeat writes nothing more.
    data(await gql(url, CUSTODY, {**custody, "ids": [c1], "ends": future(86400)}, bank.tokens["head"]))
    assert await visible(stack, bank, "colleague", c1)
    # One custodian at a time; the custodian cannot pass it on or end it, not being the primary.
    third = await make_user(bank.tenant.branch, ("CUSTOMER_MANAGER",), "第三位客户经理")
    assert error_codes(
        await gql(url, CUSTODY, {**custody, "ids": [c1], "to": str(third.id)}, bank.tokens["hq"])
    ) == ["CONFLICT"]
    assert error_codes(await gql(url, END_CUSTODY, {"id": c1}, bank.tokens["colleague"])) == ["FORBIDDEN"]
    ended = data(await gql(url, END_CUSTODY, {"id": c1}, bank.tokens["manager"]))["endCustody"]
    assert ended == {"id": c1, "custodian": None}
    assert not await visible(stack, bank, "colleague", c1)
    data(await gql(url, END_CUSTODY, {"id": c1}, bank.tokens["manager"]))
    assert [h["kind"] for h in await history(stack, c1, bank.tokens["manager"])] == [
        "CUSTODY_END",
        "CUSTODY_START",
    ]

    # Only to another manager of the customer's own org, for a while that makes sense.
    for variables, who, code in (
        ({**custody, "ids": [c1], "to": bank.id("far")}, "manager", "BAD_USER_INPUT"),  # another org
        ({**custody, "ids": [c1], "to": bank.id("far")}, "hq", "BAD_USER_INPUT"),
        ({**custody, "ids": [c1], "to": bank.id("manager")}, "manager", "BAD_USER_INPUT"),  # oneself
        ({**custody, "ids": [c1], "ends": future(-60)}, "manager", "BAD_USER_INPUT"),
        ({**custody, "ids": [c1], "ends": future(91 * 86400)}, "manager", "BAD_USER_INPUT"),
        ({**custody, "ids": [c1]}, "far", "NOT_FOUND"),  # not their customer
    ):
        assert error_codes(await gql(url, CUSTODY, variables, bank.tokens[who])) == [code], (variables, who)
    assert error_codes(await gql(url, CUSTODY, {**custody, "ids": [c1]}, bank.tenant.hall_token)) == [
        "FORBIDDEN"
    ]


@pytest.mark.e2e
async def test_a_transfer_moves_the_customer_to_the_other_branch(stack: Stack) -> None:
    bank = await make_bank(stack.settings)
    url, c0 = stack.gateway_url, bank.customer(0)
    data(await gql(url, ASSIST, {"id": c0, "m": bank.id("colleague")}, bank.tokens["head"]))
    assert await visible(stack, bank, "head", c0) and not await visible(stack, bank, "head2", c0)
    transfer = {"ids": [c0], "org": str(bank.branch2.id), "to": bank.id("far"), "reason": "客户搬迁"}
    # A branch head cannot send customers out of their subtree; the manager must be of the new org.
    assert error_codes(await gql(url, TRANSFER, transfer, bank.tokens["head"])) == ["BAD_USER_INPUT"]
    assert error_codes(
        await gql(url, TRANSFER, {**transfer, "to": bank.id("colleague")}, bank.tokens["hq"])
    ) == ["BAD_USER_INPUT"]
    moved = data(await gql(url, TRANSFER, transfer, bank.tokens["hq"]))["transferCustomers"]
    assert moved == [{"id": c0, "org": {"id": str(bank.branch2.id)}}]
    data(await gql(url, TRANSFER, transfer, bank.tokens["hq"]))  # a repeat
    assert not await visible(stack, bank, "head", c0) and await visible(stack, bank, "head2", c0)
    assert await visible(stack, bank, "far", c0)
    assert not await visible(stack, bank, "manager", c0) and not await visible(stack, bank, "colleague", c0)
    rows = await history(stack, c0, bank.tokens["hq"])
    kinds = [h["kind"] for h in rows]
    # Assisting ended with the transfer, in the same change (same time, so in either order).
    assert sorted(kinds[:2]) == ["ASSIST_REMOVE", "TRANSFER"] and kinds[2:] == ["ASSIST_ADD"]
    transferred = next(h for h in rows if h["kind"] == "TRANSFER")
    assert transferred["fromOrg"] == {"id": str(bank.tenant.branch.id)}
    assert transferred["fromManager"] == {"id": bank.id("manager")} and transferred["toManager"] == {
        "id": bank.id("far")
    }


@pytest.mark.e2e
async def test_allocation_and_return_to_org(stack: Stack) -> None:
    bank = await make_bank(stack.settings)
    outlet = await make_org("测试网点", OrgKind.OUTLET, bank.tenant.branch)
    url, c0, c1 = stack.gateway_url, bank.customer(0), bank.customer(1)
    both = [c0, c1]
    returned = data(await gql(url, RETURN, {"ids": both}, bank.tokens["head"]))["returnToOrg"]
    assert [r["primaryManager"] for r in returned] == [None, None]
    assert not await visible(stack, bank, "manager", c0) and await visible(stack, bank, "head", c0)
    data(await gql(url, RETURN, {"ids": both}, bank.tokens["head"]))  # a repeat
    # To a manager of the customer's subtree, or down to an org unmanaged; one of the two only.
    assert error_codes(await gql(url, ALLOCATE, {"ids": both}, bank.tokens["head"])) == ["BAD_USER_INPUT"]
    assert error_codes(await gql(url, ALLOCATE, {"ids": both, "m": bank.id("far")}, bank.tokens["hq"])) == [
        "BAD_USER_INPUT"
    ]  # another branch's manager: that is a transfer
    allocated = data(await gql(url, ALLOCATE, {"ids": both, "m": bank.id("colleague")}, bank.tokens["head"]))
    assert {a["primaryManager"]["id"] for a in allocated["allocateCustomers"]} == {bank.id("colleague")}
    assert await visible(stack, bank, "colleague", c1)
    assert error_codes(
        await gql(url, ALLOCATE, {"ids": [c0], "org": str(outlet.id)}, bank.tokens["head"])
    ) == ["CONFLICT"]  # managed already: hand over or transfer it
    data(await gql(url, RETURN, {"ids": [c0]}, bank.tokens["head"]))
    down = data(await gql(url, ALLOCATE, {"ids": [c0], "org": str(outlet.id)}, bank.tokens["head"]))
    assert down["allocateCustomers"] == [{"id": c0, "org": {"id": str(outlet.id)}, "primaryManager": None}]
    assert error_codes(await gql(url, RETURN, {"ids": both}, bank.tokens["manager"])) == ["FORBIDDEN"]
    kinds = [h["kind"] for h in await history(stack, c0, bank.tokens["hq"])]
    assert kinds == ["ALLOCATE", "RETURN_TO_ORG", "ALLOCATE", "RETURN_TO_ORG"]


@pytest.mark.e2e
async def test_the_history_lists_every_change_for_those_who_see_the_customer(stack: Stack) -> None:
    bank = await make_bank(stack.settings)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other_hq = await make_user(other.bank, ("HQ_ADMIN",), "他行总行管理")
    other_hq_token = token_for(other_hq, other.bank, stack.settings)
    url, c0 = stack.gateway_url, bank.customer(0)
    data(await gql(url, ASSIST, {"id": c0, "m": bank.id("far")}, bank.tokens["hq"]))
    data(
        await gql(
            url,
            CUSTODY,
            {"ids": [c0], "to": bank.id("colleague"), "ends": future(600)},
            bank.tokens["manager"],
        )
    )
    data(await gql(url, END_CUSTODY, {"id": c0}, bank.tokens["head"]))
    data(
        await gql(
            url,
            HAND_OVER,
            {"ids": [c0], "to": bank.id("colleague"), "reason": "客户经理离职"},
            bank.tokens["hq"],
        )
    )

    rows = await history(stack, c0, bank.tokens["head"])
    assert [(h["kind"], h["actor"]["id"]) for h in rows] == [
        ("HAND_OVER", bank.id("hq")),
        ("CUSTODY_END", bank.id("head")),
        ("CUSTODY_START", bank.id("manager")),
        ("ASSIST_ADD", bank.id("hq")),
    ]
    assert all(h["actor"]["displayName"] for h in rows)  # the actor resolved by operations
    times = [datetime.fromisoformat(h["createdAt"]) for h in rows]
    assert times == sorted(times, reverse=True) and times[0] > datetime.now(UTC) - timedelta(minutes=5)
    assert rows[0]["reason"] == "客户经理离职" and rows[2]["reason"] == "休假托管" and rows[2]["endsAt"]
    assert (rows[1]["fromManager"], rows[1]["toManager"]) == (
        {"id": bank.id("colleague")},
        {"id": bank.id("manager")},
    )
    # Every change is a key event on the customer too.
    events = data(await gql(url, HISTORY, {"id": c0, "first": 1}, bank.tokens["colleague"]))["customer"]
    assert [e["kind"] for e in events["keyEvents"]].count("OWNERSHIP") == 4
    # Pages, newest first.
    first = events["ownershipHistory"]
    assert first["pageInfo"]["hasNextPage"] and [n["kind"] for n in first["nodes"]] == ["HAND_OVER"]
    page = {"id": c0, "first": 10, "after": first["pageInfo"]["endCursor"]}
    rest = data(await gql(url, HISTORY, page, bank.tokens["colleague"]))["customer"]["ownershipHistory"]
    assert [n["kind"] for n in rest["nodes"]] == ["CUSTODY_END", "CUSTODY_START", "ASSIST_ADD"]

    # Out of scope: another bank's head office and a manager of the bank not managing it.
    for token in (other_hq_token, other.manager_token, bank.tokens["manager"], bank.tokens["head2"]):
        assert data(await gql(url, HISTORY, {"id": c0, "first": 5}, token)) == {"customer": None}
    assert error_codes(await gql(url, RETURN, {"ids": [c0]}, other_hq_token)) == ["NOT_FOUND"]
    assert error_codes(await gql(url, END_CUSTODY, {"id": c0}, bank.tokens["manager"])) == ["NOT_FOUND"]
    assert error_codes(await gql(url, ASSIST, {"id": c0, "m": bank.id("manager")}, bank.tokens["far"])) == [
        "FORBIDDEN"
    ]


PAGE = """query($m: ID!, $first: Int!) { customers(managerId: $m, first: $first) { edges { node {
  ownershipHistory(first: 5) { nodes { kind actor { id } toManager { id } } }
  assistingManagers { manager { id } } custodian { endsAt } } } } }"""


@pytest.mark.integration
async def test_history_and_a_batch_change_take_the_same_statements_at_2_and_20_customers(
    database: Settings,
) -> None:
    bank = await make_bank(database, customers=22)
    ids = [str(c.id) for c in bank.tenant.customers]
    counts: dict[str, list[int]] = {"handOver": [], "history": []}
    for batch in (ids[:2], ids[2:]):  # 2, then 20 customers handed over in one call each
        variables: dict[str, Any] = {"ids": batch, "to": bank.id("colleague"), "reason": "批量移交"}
        counts["handOver"].append(
            await statements_of("customers", HAND_OVER, variables, bank.tokens["head"], database)
        )
    for first in (2, 20):
        variables = {"m": bank.id("colleague"), "first": first}
        statements, seen = await counted("customers", PAGE, variables, bank.tokens["hq"], database)
        edges = seen["customers"]["edges"]
        assert len(edges) == first and all(e["node"]["ownershipHistory"]["nodes"] for e in edges)
        counts["history"].append(statements)
    assert counts["handOver"][0] == counts["handOver"][1] and counts["history"][0] == counts["history"][1], (
        counts
    )
    print(f"\nhand-over / history of 2 and 20 customers: {counts} SQL statements")


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {
  ownershipHistory { nodes { kind } } assistingManagers { since } custodian { endsAt } } } }"""


@pytest.mark.integration
async def test_entities_give_the_ownership_fields_only_in_scope(database: Settings) -> None:
    bank = await make_bank(database, customers=1)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    customer = bank.tenant.customers[0]
    await CustomerAssignment.create(
        customer=customer, manager_id=bank.users["far"].id, kind=AssignmentKind.ASSISTING
    )

    async def entity(token: str) -> Any:
        reps = {"r": [{"__typename": "Customer", "id": str(customer.id)}]}  # a fresh one: it is consumed
        result = await execute("customers", ENTITIES, reps, token, settings=database)
        entity = result.data["_entities"][0]
        # Out of scope is answered like a missing customer: null, with NOT_FOUND at that index.
        assert codes(result) == ([] if entity else ["NOT_FOUND"]), result.errors
        return entity

    assert len((await entity(bank.tokens["manager"]))["assistingManagers"]) == 1
    for token in (other.manager_token, bank.tokens["colleague"], bank.tokens["head2"]):
        assert await entity(token) is None
