"""客户分层管理 (tiering) through the gateway: tier schemes take effect only once someone else
reviews them, and then move exactly the customers whose band differs; tier-change requests move
a tier only once approved, by an approver in scope who is not the requester; every move is in the
history and the key events; other banks see and do nothing. Plus the statements a page costs and
the statements applying a scheme costs."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.approvals import ApprovalAction, ApprovalFunction
from models.customers import (
    ApprovalStep,
    Customer,
    CustomerTier,
    TierChange,
    TierChangeRequest,
)
from models.operations import Org, User
from resolvers.customers import tiering
from resolvers.operations.identity import principal_for
from security.tokens import issue_token
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_staff, make_tenant, make_user, token_keys
from testkit.inprocess import execute
from testkit.sqlcount import counted, statements_of
from tests.support.stack import Stack

SCHEME = "id name status reviewComment bands { tier minAum } createdBy { id } reviewedBy { id }"
STEPS = "approvalSteps { action comment actor { id } }"
CREATE = (
    f"mutation($n: String!, $b: [TierBandInput!]!) {{ createTierScheme(name: $n, bands: $b) {{ {SCHEME} }} }}"
)
UPDATE = f"mutation($id: ID!, $n: String) {{ updateTierScheme(id: $id, name: $n) {{ {SCHEME} }} }}"
SUBMIT = f"mutation($id: ID!) {{ submitTierScheme(id: $id) {{ {SCHEME} }} }}"
REVIEW = f"""mutation($id: ID!, $ok: Boolean!, $c: String! = "") {{
  reviewTierScheme(id: $id, approve: $ok, comment: $c) {{ {SCHEME} {STEPS} }} }}"""
SCHEMES = "query($s: TierSchemeStatus) { tierSchemes(status: $s, first: 50) { nodes { id status } } }"

REQUEST_FIELDS = (
    f"id fromTier toTier reason status decisionComment requestedBy {{ id }} decidedBy {{ id }} {STEPS}"
)
REQUEST = f"""mutation($c: ID!, $t: CustomerTier!, $r: String! = "客户资产增长") {{
  requestTierChange(customerId: $c, toTier: $t, reason: $r) {{ {REQUEST_FIELDS} }} }}"""
DECIDE = f"""mutation($id: ID!, $ok: Boolean!, $c: String! = "") {{
  decideTierChange(id: $id, approve: $ok, comment: $c) {{ {REQUEST_FIELDS} }} }}"""
WITHDRAW = "mutation($id: ID!) { withdrawTierChange(id: $id) { status } }"
REQUESTS = "query($s: TierChangeStatus) { tierChangeRequests(status: $s, first: 50) { nodes { id status } } }"
HISTORY = """query($id: ID!) { customer(id: $id) { tier
  tierHistory(first: 10) { nodes { fromTier toTier requestId schemeId actor { id } } }
  keyEvents(last: 10) { kind title } } }"""

# 普通 from 0, 潜力 from 2,500, 财富 from 4,500 (make_tenant's customers hold 1,000, 2,000, …).
BANDS = [
    {"tier": "ORDINARY", "minAum": "0"},
    {"tier": "WEALTH", "minAum": "4500"},
    {"tier": "POTENTIAL", "minAum": "2500"},
]


def as_role(user: User, org: Org, role: str, settings: Settings) -> str:
    """A token for ``user`` acting in ``role`` (one of their roles, as after switchRole)."""
    return issue_token(principal_for(user, org, role=role), token_keys(settings))


async def tiers(stack: Stack, tenant: Tenant) -> list[str]:
    """The tier of each of the tenant's customers, in creation order, as their manager sees it."""
    query = "query($m: ID!) { customers(managerId: $m, first: 50) { nodes { id tier } } }"
    nodes = data(await gql(stack.gateway_url, query, {"m": str(tenant.manager.id)}, tenant.manager_token))
    tier_of = {n["id"]: n["tier"] for n in nodes["customers"]["nodes"]}
    return [tier_of[str(c.id)] for c in tenant.customers]


def ids(result: dict[str, Any], field: str) -> list[str]:
    return [n["id"] for n in data(result)[field]["nodes"]]


@pytest.mark.e2e
async def test_a_scheme_takes_effect_only_once_someone_else_approves_it(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=5, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    customers = tenant.customers  # AUM 1,000 … 5,000, all 普通
    await Customer.filter(id=customers[0].id).update(tier=CustomerTier.GROWTH)  # above its band
    await Customer.filter(id=customers[2].id).update(tier=CustomerTier.POTENTIAL)  # already in its band
    author = await make_user(tenant.bank, ("HQ_ADMIN", "HQ_REVIEWER"))
    admin = as_role(author, tenant.bank, "HQ_ADMIN", settings)
    author_reviewing = as_role(author, tenant.bank, "HQ_REVIEWER", settings)
    reviewer, review = await make_staff(tenant.bank, ("HQ_REVIEWER",), settings)
    _, other_reviewer = await make_staff(other.bank, ("HQ_REVIEWER",), settings)
    _, other_admin = await make_staff(other.bank, ("HQ_ADMIN",), settings)

    # Bands are checked: each tier once, 普通 from 0, strictly increasing with the tier.
    for bad in (
        [*BANDS, {"tier": "WEALTH", "minAum": "9000"}],
        [{"tier": "POTENTIAL", "minAum": "0"}],
        [{"tier": "ORDINARY", "minAum": "100"}, {"tier": "WEALTH", "minAum": "4500"}],
        [
            {"tier": "ORDINARY", "minAum": "0"},
            {"tier": "POTENTIAL", "minAum": "5000"},
            {"tier": "WEALTH", "minAum": "4500"},
        ],
        [{"tier": "ORDINARY", "minAum": "0"}, {"tier": "WEALTH", "minAum": "4500.005"}],
    ):
        assert error_codes(await gql(url, CREATE, {"n": "坏方案", "b": bad}, admin)) == ["BAD_USER_INPUT"], (
            bad
        )
    assert error_codes(await gql(url, CREATE, {"n": "方案", "b": BANDS}, tenant.manager_token)) == [
        "FORBIDDEN"
    ]
    assert error_codes(await gql(url, CREATE, {"n": "方案", "b": BANDS}, review)) == ["FORBIDDEN"]

    scheme = data(await gql(url, CREATE, {"n": "2026 分层", "b": BANDS}, admin))["createTierScheme"]
    assert scheme["status"] == "DRAFT" and scheme["createdBy"] == {"id": str(author.id)}
    assert [(b["tier"], b["minAum"]) for b in scheme["bands"]] == [
        ("ORDINARY", "0.00"),
        ("POTENTIAL", "2500.00"),
        ("WEALTH", "4500.00"),
    ]
    repeat = data(await gql(url, CREATE, {"n": "2026 分层", "b": BANDS}, admin))["createTierScheme"]
    assert repeat["id"] == scheme["id"]
    sid = scheme["id"]
    renamed = data(await gql(url, UPDATE, {"id": sid, "n": "2026 年度分层"}, admin))["updateTierScheme"]
    assert renamed["name"] == "2026 年度分层"
    # A draft, then a scheme under review, changes no tier; only the reviewer may review it.
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": True}, review)) == ["CONFLICT"]  # a draft
    assert data(await gql(url, SUBMIT, {"id": sid}, admin))["submitTierScheme"]["status"] == "PENDING_REVIEW"
    assert data(await gql(url, SUBMIT, {"id": sid}, admin))["submitTierScheme"]["status"] == "PENDING_REVIEW"
    assert error_codes(await gql(url, UPDATE, {"id": sid, "n": "改名"}, admin)) == ["CONFLICT"]
    assert await tiers(stack, tenant) == ["GROWTH", "ORDINARY", "POTENTIAL", "ORDINARY", "ORDINARY"]
    for token, code in (
        (author_reviewing, "FORBIDDEN"),  # four eyes: its author, even as a reviewer
        (admin, "FORBIDDEN"),  # not a reviewer
        (other_reviewer, "NOT_FOUND"),  # another bank
    ):
        assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": True}, token)) == [code]
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": False}, review)) == ["BAD_USER_INPUT"]
    assert error_codes(await gql(url, SUBMIT, {"id": sid}, other_admin)) == ["NOT_FOUND"]
    assert ids(await gql(url, SCHEMES, {}, other_reviewer), "tierSchemes") == []
    assert ids(await gql(url, SCHEMES, {}, tenant.manager_token), "tierSchemes") == []
    assert ids(await gql(url, SCHEMES, {"s": "PENDING_REVIEW"}, review), "tierSchemes") == [sid]

    # Approval activates and applies it: exactly the customers whose band differs move.
    approved = data(await gql(url, REVIEW, {"id": sid, "ok": True, "c": "同意"}, review))["reviewTierScheme"]
    assert (approved["status"], approved["reviewedBy"]) == ("ACTIVE", {"id": str(reviewer.id)})
    assert [(s["action"], s["actor"]["id"]) for s in approved["approvalSteps"]] == [
        ("SUBMIT", str(author.id)),
        ("APPROVE", str(reviewer.id)),
    ]
    assert await tiers(stack, tenant) == ["ORDINARY", "ORDINARY", "POTENTIAL", "POTENTIAL", "WEALTH"]
    again = data(await gql(url, REVIEW, {"id": sid, "ok": True}, review))["reviewTierScheme"]
    assert again["status"] == "ACTIVE" and len(again["approvalSteps"]) == 2  # a repeat changes nothing
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": False, "c": "不同意"}, review)) == [
        "CONFLICT"
    ]
    seen = {}
    for index in (0, 1, 4):
        variables = {"id": str(customers[index].id)}
        seen[index] = data(await gql(url, HISTORY, variables, tenant.manager_token))["customer"]
    assert seen[0]["tierHistory"]["nodes"] == [
        {
            "fromTier": "GROWTH",
            "toTier": "ORDINARY",
            "requestId": None,
            "schemeId": sid,
            "actor": {"id": str(reviewer.id)},
        }
    ]
    assert [e["kind"] for e in seen[0]["keyEvents"]] == ["TIER_DOWN"]
    assert seen[4]["tierHistory"]["nodes"][0]["toTier"] == "WEALTH"
    assert (
        seen[4]["keyEvents"][0]["kind"] == "TIER_UP" and "2026 年度分层" in seen[4]["keyEvents"][0]["title"]
    )
    assert seen[1]["tierHistory"]["nodes"] == [] and seen[1]["keyEvents"] == []  # did not move

    # A rejected scheme changes nothing; a later approved one retires the active one.
    growth = [{"tier": "ORDINARY", "minAum": "0"}, {"tier": "GROWTH", "minAum": "1500"}]
    rejected = data(await gql(url, CREATE, {"n": "激进方案", "b": growth}, admin))["createTierScheme"]["id"]
    data(await gql(url, SUBMIT, {"id": rejected}, admin))
    no = data(await gql(url, REVIEW, {"id": rejected, "ok": False, "c": "档位过低"}, review))[
        "reviewTierScheme"
    ]
    assert (no["status"], no["reviewComment"]) == ("REJECTED", "档位过低")
    assert await tiers(stack, tenant) == ["ORDINARY", "ORDINARY", "POTENTIAL", "POTENTIAL", "WEALTH"]
    assert error_codes(await gql(url, REVIEW, {"id": rejected, "ok": True}, review)) == ["CONFLICT"]
    later = data(await gql(url, CREATE, {"n": "2027 分层", "b": growth}, admin))["createTierScheme"]["id"]
    data(await gql(url, SUBMIT, {"id": later}, admin))
    data(await gql(url, REVIEW, {"id": later, "ok": True}, review))
    assert await tiers(stack, tenant) == ["ORDINARY", "GROWTH", "GROWTH", "GROWTH", "GROWTH"]
    assert ids(await gql(url, SCHEMES, {"s": "ACTIVE"}, admin), "tierSchemes") == [later]
    assert ids(await gql(url, SCHEMES, {"s": "RETIRED"}, review), "tierSchemes") == [sid]
    assert await tiers(stack, other) == ["ORDINARY"]  # another bank is untouched


@pytest.mark.e2e
async def test_a_tier_change_request_moves_the_tier_only_once_approved(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=3, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    first, second, third = (str(c.id) for c in tenant.customers)
    mine = tenant.manager_token
    head, head_token = await make_staff(tenant.branch, ("BRANCH_HEAD",), settings)
    _, review = await make_staff(tenant.bank, ("HQ_REVIEWER",), settings)
    _, stranger = await make_staff(tenant.branch, ("CUSTOMER_MANAGER",), settings)  # same branch, not theirs
    _, other_admin = await make_staff(other.bank, ("HQ_ADMIN",), settings)

    asked = data(await gql(url, REQUEST, {"c": first, "t": "WEALTH"}, mine))["requestTierChange"]
    assert (asked["fromTier"], asked["toTier"], asked["status"]) == ("ORDINARY", "WEALTH", "PENDING")
    rid = asked["id"]
    assert data(await gql(url, REQUEST, {"c": first, "t": "WEALTH"}, mine))["requestTierChange"]["id"] == rid
    for variables, token, code in (
        ({"c": first, "t": "PRIVATE"}, mine, "CONFLICT"),  # another one while one is pending
        ({"c": first, "t": "GROWTH"}, head_token, "CONFLICT"),
        ({"c": second, "t": "ORDINARY"}, mine, "BAD_USER_INPUT"),  # already there
        ({"c": second, "t": "GROWTH", "r": " "}, mine, "BAD_USER_INPUT"),
        ({"c": first, "t": "GROWTH"}, stranger, "NOT_FOUND"),  # not their customer
        ({"c": first, "t": "GROWTH"}, other.manager_token, "NOT_FOUND"),
        ({"c": first, "t": "GROWTH"}, review, "FORBIDDEN"),  # head office decides, does not ask
    ):
        assert error_codes(await gql(url, REQUEST, variables, token)) == [code], (variables, code)
    assert await tiers(stack, tenant) == ["ORDINARY", "ORDINARY", "ORDINARY"]  # not yet approved

    # Who sees it, and who may decide it.
    assert ids(await gql(url, REQUESTS, {}, mine), "tierChangeRequests") == [rid]
    assert ids(await gql(url, REQUESTS, {"s": "PENDING"}, head_token), "tierChangeRequests") == [rid]
    assert ids(await gql(url, REQUESTS, {}, review), "tierChangeRequests") == [rid]
    for token in (stranger, other_admin, other.manager_token):
        assert ids(await gql(url, REQUESTS, {}, token), "tierChangeRequests") == []
    for token, code in ((mine, "FORBIDDEN"), (stranger, "NOT_FOUND"), (other_admin, "NOT_FOUND")):
        assert error_codes(await gql(url, DECIDE, {"id": rid, "ok": True}, token)) == [code]
    assert error_codes(await gql(url, DECIDE, {"id": rid, "ok": False}, head_token)) == ["BAD_USER_INPUT"]

    approved = data(await gql(url, DECIDE, {"id": rid, "ok": True, "c": "同意"}, head_token))[
        "decideTierChange"
    ]
    assert (approved["status"], approved["decidedBy"]) == ("APPROVED", {"id": str(head.id)})
    assert [(s["action"], s["comment"]) for s in approved["approvalSteps"]] == [
        ("SUBMIT", "客户资产增长"),
        ("APPROVE", "同意"),
    ]
    assert (
        data(await gql(url, DECIDE, {"id": rid, "ok": True}, head_token))["decideTierChange"]["status"]
        == "APPROVED"
    )
    assert error_codes(await gql(url, DECIDE, {"id": rid, "ok": False, "c": "不"}, review)) == ["CONFLICT"]
    history = data(await gql(url, HISTORY, {"id": first}, mine))["customer"]
    assert history["tier"] == "WEALTH"
    assert history["tierHistory"]["nodes"] == [
        {
            "fromTier": "ORDINARY",
            "toTier": "WEALTH",
            "requestId": rid,
            "schemeId": None,
            "actor": {"id": str(head.id)},
        }
    ]
    assert [e["kind"] for e in history["keyEvents"]] == ["TIER_UP"]
    assert data(await gql(url, HISTORY, {"id": first}, stranger))["customer"] is None  # not theirs
    assert data(await gql(url, HISTORY, {"id": first}, other.manager_token))["customer"] is None

    # Rejection leaves the tier; withdrawal is the requester's.
    no = data(await gql(url, REQUEST, {"c": second, "t": "GROWTH"}, mine))["requestTierChange"]["id"]
    rejected = data(await gql(url, DECIDE, {"id": no, "ok": False, "c": "资产不稳定"}, review))[
        "decideTierChange"
    ]
    assert (rejected["status"], rejected["decisionComment"]) == ("REJECTED", "资产不稳定")
    back = data(await gql(url, REQUEST, {"c": second, "t": "POTENTIAL"}, mine))["requestTierChange"]["id"]
    assert error_codes(await gql(url, WITHDRAW, {"id": back}, head_token)) == ["FORBIDDEN"]
    assert data(await gql(url, WITHDRAW, {"id": back}, mine))["withdrawTierChange"]["status"] == "WITHDRAWN"
    assert data(await gql(url, WITHDRAW, {"id": back}, mine))["withdrawTierChange"]["status"] == "WITHDRAWN"
    assert error_codes(await gql(url, DECIDE, {"id": back, "ok": True}, head_token)) == ["CONFLICT"]
    assert await tiers(stack, tenant) == ["WEALTH", "ORDINARY", "ORDINARY"]

    # A branch head's own request goes to someone else; a tier moved meanwhile is a conflict.
    own = data(await gql(url, REQUEST, {"c": third, "t": "GROWTH"}, head_token))["requestTierChange"]["id"]
    assert error_codes(await gql(url, DECIDE, {"id": own, "ok": True}, head_token)) == ["FORBIDDEN"]
    await Customer.filter(id=third).update(tier=CustomerTier.POTENTIAL)  # e.g. a scheme moved it
    assert error_codes(await gql(url, DECIDE, {"id": own, "ok": True}, review)) == ["CONFLICT"]
    assert ids(await gql(url, REQUESTS, {"s": "PENDING"}, review), "tierChangeRequests") == [own]
    assert data(await gql(url, DECIDE, {"id": own, "ok": False, "c": "等级已调整"}, review))
    assert await tiers(stack, tenant) == ["WEALTH", "ORDINARY", "POTENTIAL"]


@pytest.mark.integration
async def test_tier_history_and_approval_steps_take_the_same_statements_at_2_and_20(
    database: Settings,
) -> None:
    tenant = await make_tenant(database, customers=20, grabbers=0, needs=0)
    head, head_token = await make_staff(tenant.branch, ("BRANCH_HEAD",), database)
    for customer in tenant.customers:
        for before, after in (
            (CustomerTier.ORDINARY, CustomerTier.GROWTH),
            (CustomerTier.GROWTH, CustomerTier.WEALTH),
        ):
            await TierChange.create(customer=customer, from_tier=before, to_tier=after, actor_id=head.id)
        request = await TierChangeRequest.create(
            customer=customer,
            tenant_id=customer.tenant_id,
            from_tier=CustomerTier.WEALTH,
            to_tier=CustomerTier.PRIVATE,
            reason="资产增长",
            requested_by=tenant.manager.id,
        )
        for action in (ApprovalAction.SUBMIT, ApprovalAction.WITHDRAW):
            await ApprovalStep.create(
                tenant_id=customer.tenant_id,
                function=ApprovalFunction.TIER_CHANGE,
                subject_id=request.id,
                action=action,
                actor_id=tenant.manager.id,
            )
    pages = (
        (
            "query($m: ID!, $first: Int!) { customers(managerId: $m, first: $first) { nodes { name "
            "tierHistory(first: 5) { nodes { fromTier toTier actor { id } } } } } }",
            lambda node: len(node["tierHistory"]["nodes"]) == 2,
        ),
        (
            "query($first: Int!) { tierChangeRequests(first: $first) { nodes { toTier "
            "customer { name } requestedBy { id } approvalSteps { action actor { id } } } } }",
            lambda node: len(node["approvalSteps"]) == 2 and node["customer"] is not None,
        ),
    )
    for query, complete in pages:
        counts = []
        for first in (2, 20):
            variables = {"m": str(tenant.manager.id), "first": first}
            statements, seen = await counted("customers", query, variables, head_token, database)
            nodes = next(iter(seen.values()))["nodes"]
            assert len(nodes) == first and all(complete(node) for node in nodes)
            counts.append(statements)
        assert counts[0] == counts[1], (query, counts)


@pytest.mark.integration
async def test_tier_history_through_entities_is_scoped_like_the_customer(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    other = await make_tenant(database, customers=1, grabbers=0, needs=0)
    customer = tenant.customers[0]
    await TierChange.create(
        customer=customer, from_tier=CustomerTier.ORDINARY, to_tier=CustomerTier.GROWTH, actor_id=uuid4()
    )
    _, stranger = await make_staff(tenant.branch, ("CUSTOMER_MANAGER",), database)
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Customer { tierHistory { nodes { toTier } } } } }"""

    async def entities(token: str) -> Any:
        reps = [{"__typename": "Customer", "id": str(customer.id)}]  # the resolver pops __typename
        return (await execute("customers", query, {"r": reps}, token, settings=database)).data

    assert await entities(tenant.manager_token) == {
        "_entities": [{"tierHistory": {"nodes": [{"toTier": "GROWTH"}]}}]
    }
    assert await entities(stranger) == await entities(other.manager_token) == {"_entities": [None]}


async def activate(tenant: Tenant, bands: list[dict[str, str]], settings: Settings) -> int:
    """Create, submit and approve a scheme in process: the statements the approval took."""
    _, admin_token = await make_staff(tenant.bank, ("HQ_ADMIN",), settings)
    _, review = await make_staff(tenant.bank, ("HQ_REVIEWER",), settings)
    created = await execute("customers", CREATE, {"n": "方案", "b": bands}, admin_token, settings=settings)
    sid = created.data["createTierScheme"]["id"]
    await execute("customers", SUBMIT, {"id": sid}, admin_token, settings=settings)
    return await statements_of("customers", REVIEW, {"id": sid, "ok": True}, review, settings)


@pytest.mark.integration
async def test_applying_a_scheme_costs_the_same_statements_for_3_and_30_customers(database: Settings) -> None:
    # Both sizes move customers to the same tiers (潜力 and 财富): one UPDATE each.
    bands = [
        {"tier": "ORDINARY", "minAum": "0"},
        {"tier": "POTENTIAL", "minAum": "1500"},
        {"tier": "WEALTH", "minAum": "2500"},
    ]
    counts = []
    for size in (3, 30):
        tenant = await make_tenant(database, customers=size, grabbers=0, needs=0)  # AUM 1,000 … size × 1,000
        counts.append(await activate(tenant, bands, database))
        moved = await TierChange.filter(customer__tenant_id=tenant.bank.id).count()
        assert moved == size - 1  # all but the one below 1,500
    assert counts[0] == counts[1], counts


@pytest.mark.integration
async def test_a_scheme_is_applied_chunk_by_chunk(
    database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tiering, "CHUNK", 2)
    tenant = await make_tenant(database, customers=7, grabbers=0, needs=0)
    await Customer.filter(id=tenant.customers[6].id).update(tier=CustomerTier.PRIVATE)
    await activate(tenant, BANDS, database)
    rows = {c.id: c.tier for c in await Customer.filter(tenant_id=tenant.bank.id)}
    assert [rows[c.id] for c in tenant.customers] == [
        CustomerTier.ORDINARY,
        CustomerTier.ORDINARY,
        CustomerTier.POTENTIAL,
        CustomerTier.POTENTIAL,
        CustomerTier.WEALTH,
        CustomerTier.WEALTH,
        CustomerTier.WEALTH,  # down from 私行
    ]
    assert await TierChange.filter(customer__tenant_id=tenant.bank.id).count() == 5
