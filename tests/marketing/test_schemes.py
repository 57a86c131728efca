"""营销方案 and 营销工单 (resolvers/marketing/schemes.py, work_orders.py, targets.py), in process
on the test storage: the lifecycle and its illegal moves, the review race, the target list job
(chunks, reruns), indicators split with their ceiling, 名单分配, feedback idempotency, monitoring
per scope, and constant statements."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from models.customers import Customer, MarketingExclusion
from models.marketing import (
    Audience,
    MarketingScheme,
    PointsEntry,
    SchemeTarget,
    WorkOrder,
    WorkOrderFeedback,
)
from models.operations import Org, OrgKind, User
from resolvers.marketing.targets import build_target_lists
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_customer, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import count_statements
from tests.marketing.test_audiences import consent

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateSchemeInput!) { createMarketingScheme(input: $i) { id status kind } }"""
MOVE = "mutation($id: ID!) {{ {name}(id: $id) {{ id status }} }}"
REVIEW = "mutation($id: ID!, $a: Boolean!, $c: String!) { reviewMarketingScheme(id: $id, approve: $a, comment: $c) { status } }"
SPLIT = "mutation($i: SplitIndicatorInput!) { splitSchemeIndicator(input: $i) { id } }"
ALLOCATE = "mutation($i: AllocateTargetsInput!) { allocateSchemeTargets(input: $i) }"
FEEDBACK = (
    "mutation($i: WorkOrderFeedbackInput!) { giveWorkOrderFeedback(input: $i) { id status result amount } }"
)


@dataclass
class Bank:
    tenant: Tenant
    settings: Settings
    branch2: Org
    hq: User
    reviewer: User
    reviewer2: User
    head: User  # branch head of tenant.branch
    head2: User  # branch head of branch2
    manager2: User  # a manager of branch2
    colleague: User  # a second manager of tenant.branch
    audience: uuid.UUID
    unmanaged: list[Customer]

    def token(self, user: User, org: Org | None = None) -> str:
        if org is None:
            org = (
                self.tenant.bank
                if user.org_id == self.tenant.bank.id
                else (self.branch2 if user.org_id == self.branch2.id else self.tenant.branch)
            )
        return token_for(user, org, self.settings)


async def make_bank(settings: Settings) -> Bank:
    tenant = await make_tenant(settings, customers=3, grabbers=0, needs=0)
    branch2 = await make_org("第二支行", OrgKind.BRANCH, tenant.bank)
    hq = await make_user(tenant.bank, ("HQ_ADMIN",), "总行管理")
    reviewer = await make_user(tenant.bank, ("HQ_REVIEWER",), "总行审核")
    reviewer2 = await make_user(tenant.bank, ("HQ_REVIEWER",), "总行审核")
    head = await make_user(tenant.branch, ("BRANCH_HEAD",), "支行行长")
    head2 = await make_user(branch2, ("BRANCH_HEAD",), "支行行长")
    manager2 = await make_user(branch2, ("CUSTOMER_MANAGER",), "客户经理")
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "客户经理")
    await make_customer(branch2, manager2, "二支行客户")
    unmanaged = []
    for i in range(2):
        customer = await make_customer(tenant.branch, tenant.manager, f"无管户客户{i}")
        await Customer.filter(id=customer.id).update(primary_manager_id=None)
        unmanaged.append(customer)
    excluded = await make_customer(tenant.branch, tenant.manager, "营销过滤客户")
    await MarketingExclusion.create(
        customer=excluded, tenant_id=tenant.bank.id, reason="客户要求", created_by=hq.id
    )
    # 营销授权: the audience leaves out customers without a live consent (one here).
    for customer in await Customer.filter(tenant_id=tenant.bank.id):
        if customer.name != "未授权客户":
            await consent(customer)
    await make_customer(tenant.branch, tenant.manager, "未授权客户")
    audience = (
        await Audience.create(tenant_id=tenant.bank.id, name="全行客户", criteria={}, created_by=hq.id)
    ).id
    return Bank(
        tenant,
        settings,
        branch2,
        hq,
        reviewer,
        reviewer2,
        head,
        head2,
        manager2,
        colleague,
        audience,
        unmanaged,
    )


async def run(bank: Bank, query: str, variables: dict[str, Any], token: str) -> Any:
    return await execute("marketing", query, variables, token, settings=bank.settings)


def scheme_input(bank: Bank, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"存款旺季精准营销-{uuid.uuid4().hex[:6]}",
        "kind": "PRECISION",
        "startsOn": "2026-12-01",
        "endsOn": "2027-02-28",
        "products": ["黔农定期存款"],
        "channels": ["PHONE", "MOBILE_BANKING"],
        "audienceId": str(bank.audience),
        "indicators": [{"kind": "CONTACTS", "total": "100"}, {"kind": "AMOUNT", "total": "1000000"}],
    } | extra


async def created(bank: Bank, token: str, **extra: Any) -> str:
    result = await run(bank, CREATE, {"i": scheme_input(bank, **extra)}, token)
    assert not result.errors, result.errors
    return str(result.data["createMarketingScheme"]["id"])


async def move(bank: Bank, name: str, scheme_id: str, token: str) -> Any:
    return await run(bank, MOVE.format(name=name), {"id": scheme_id}, token)


async def running(bank: Bank, **extra: Any) -> str:
    """A head-office scheme approved, started and its list built."""
    hq = bank.token(bank.hq)
    scheme_id = await created(bank, hq, **extra)
    assert not (await move(bank, "submitMarketingScheme", scheme_id, hq)).errors
    result = await run(bank, REVIEW, {"id": scheme_id, "a": True, "c": ""}, bank.token(bank.reviewer))
    assert result.data["reviewMarketingScheme"]["status"] == "APPROVED", result.errors
    assert not (await move(bank, "startMarketingScheme", scheme_id, hq)).errors
    await build_target_lists(chunk=2)
    return scheme_id


async def test_lifecycle_and_illegal_moves(database) -> None:
    bank = await make_bank(database)
    hq = bank.token(bank.hq)
    scheme_id = await created(bank, hq)
    # Not approved yet: it cannot start; the creator cannot review their own scheme (four eyes).
    assert codes(await move(bank, "startMarketingScheme", scheme_id, hq)) == ["CONFLICT"]
    assert not (await move(bank, "submitMarketingScheme", scheme_id, hq)).errors
    assert codes(await move(bank, "submitMarketingScheme", scheme_id, hq)) == ["CONFLICT"]
    update = "mutation($id: ID!, $i: SchemeInput!) { updateMarketingScheme(id: $id, input: $i) { id } }"
    edit = {k: v for k, v in scheme_input(bank).items() if k != "kind"}
    assert codes(await run(bank, update, {"id": scheme_id, "i": edit}, hq)) == ["CONFLICT"]  # only drafts
    assert codes(await run(bank, REVIEW, {"id": scheme_id, "a": True, "c": ""}, hq)) == ["FORBIDDEN"]
    assert codes(await run(bank, REVIEW, {"id": scheme_id, "a": True, "c": ""}, bank.token(bank.head))) == [
        "FORBIDDEN"
    ]
    assert codes(
        await run(bank, REVIEW, {"id": scheme_id, "a": False, "c": " "}, bank.token(bank.reviewer))
    ) == ["BAD_USER_INPUT"]
    result = await run(bank, REVIEW, {"id": scheme_id, "a": True, "c": "同意"}, bank.token(bank.reviewer))
    assert result.data["reviewMarketingScheme"]["status"] == "APPROVED"
    assert codes(await move(bank, "closeMarketingScheme", scheme_id, hq)) == ["CONFLICT"]
    assert (await move(bank, "startMarketingScheme", scheme_id, hq)).data["startMarketingScheme"][
        "status"
    ] == "RUNNING"
    assert codes(await move(bank, "startMarketingScheme", scheme_id, hq)) == ["CONFLICT"]
    await build_target_lists(chunk=2)
    assert (await move(bank, "closeMarketingScheme", scheme_id, hq)).data["closeMarketingScheme"][
        "status"
    ] == "CLOSED"
    assert await WorkOrder.filter(scheme_id=scheme_id).exclude(status="CLOSED").count() == 0


async def test_bad_input_and_who_may_create(database) -> None:
    bank = await make_bank(database)
    hq = bank.token(bank.hq)
    cases = [
        scheme_input(bank, name=" "),
        scheme_input(bank, endsOn="2026-11-01"),
        scheme_input(bank, audienceId=None),  # a precision scheme needs its audience
        scheme_input(bank, indicators=[{"kind": "CONTACTS", "total": "-1"}]),
        scheme_input(
            bank, indicators=[{"kind": "CONTACTS", "total": "1"}, {"kind": "CONTACTS", "total": "2"}]
        ),
    ]
    for case in cases:
        assert codes(await run(bank, CREATE, {"i": case}, hq)) == ["BAD_USER_INPUT"], case
    assert codes(await run(bank, CREATE, {"i": scheme_input(bank, audienceId=str(uuid.uuid4()))}, hq)) == [
        "NOT_FOUND"
    ]
    assert codes(await run(bank, CREATE, {"i": scheme_input(bank)}, bank.tenant.manager_token)) == [
        "FORBIDDEN"
    ]
    # A branch head's scheme covers their branch only.
    scheme_id = await created(bank, bank.token(bank.head), kind="MASS")
    scheme = await MarketingScheme.get(id=scheme_id)
    assert (scheme.org_id, scheme.org_path) == (bank.tenant.branch.id, bank.tenant.branch.path)
    # The other branch's head neither sees nor submits it.
    assert codes(await move(bank, "submitMarketingScheme", scheme_id, bank.token(bank.head2))) == [
        "NOT_FOUND"
    ]
    # Repeating a creation with its idempotency key makes one scheme.
    again = scheme_input(bank, idempotencyKey="k-1")
    first = await run(bank, CREATE, {"i": again}, hq)
    second = await run(bank, CREATE, {"i": again}, hq)
    assert first.data["createMarketingScheme"]["id"] == second.data["createMarketingScheme"]["id"]


async def test_two_reviewers_at_once_make_one_decision(database) -> None:
    bank = await make_bank(database)
    hq = bank.token(bank.hq)
    for _ in range(3):
        scheme_id = await created(bank, hq)
        assert not (await move(bank, "submitMarketingScheme", scheme_id, hq)).errors
        results = await asyncio.gather(
            run(bank, REVIEW, {"id": scheme_id, "a": True, "c": "同意"}, bank.token(bank.reviewer)),
            run(bank, REVIEW, {"id": scheme_id, "a": False, "c": "不同意"}, bank.token(bank.reviewer2)),
        )
        outcomes = sorted(
            codes(r)[0] if r.errors else r.data["reviewMarketingScheme"]["status"] for r in results
        )
        assert outcomes in (["APPROVED", "CONFLICT"], ["CONFLICT", "REJECTED"]), outcomes
        scheme = await MarketingScheme.get(id=scheme_id)
        assert scheme.decided_by in (bank.reviewer.id, bank.reviewer2.id)


async def test_target_list_job_in_chunks_minus_the_filter(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank)
    targets = await SchemeTarget.filter(scheme_id=scheme_id).values_list("customer_id", flat=True)
    names = set(await Customer.filter(id__in=list(targets)).values_list("name", flat=True))
    assert (
        "营销过滤客户" not in names
        and "未授权客户" not in names
        and "二支行客户" in names
        and len(targets) == 6
    )
    orders = await WorkOrder.filter(scheme_id=scheme_id).count()
    assert orders == 4  # the two unmanaged customers wait for allocation
    scheme = await MarketingScheme.get(id=scheme_id)
    assert scheme.list_complete
    # A rerun (the list complete, or a replica racing) inserts nothing twice.
    await MarketingScheme.filter(id=scheme_id).update(list_complete=False, list_after=None)
    await build_target_lists(chunk=3)
    assert await WorkOrder.filter(scheme_id=scheme_id).count() == 4
    assert await SchemeTarget.filter(scheme_id=scheme_id).count() == 6


async def test_a_chunk_takes_constant_statements(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank)
    counts = []
    for size in (2, 6):
        await MarketingScheme.filter(id=scheme_id).update(list_complete=False, list_after=None)
        with count_statements() as counter:
            await build_target_lists(chunk=size, chunks=1)
        counts.append(counter.count)
    print(f"\ntarget list: statements per chunk of 2 and of 6 customers: {counts}")
    # The same whatever the chunk's size; one fewer when a chunk holds no managed customer (no work
    # order to insert: the bank's first customers by id may be its two unmanaged ones).
    assert counts[1] <= 6 and counts[0] in (counts[1] - 1, counts[1]), counts


async def test_a_branch_scheme_lists_only_its_subtree(database) -> None:
    bank = await make_bank(database)
    head = bank.token(bank.head)
    scheme_id = await created(bank, head)
    await move(bank, "submitMarketingScheme", scheme_id, head)
    await run(bank, REVIEW, {"id": scheme_id, "a": True, "c": ""}, bank.token(bank.reviewer))
    assert not (await move(bank, "startMarketingScheme", scheme_id, head)).errors
    await build_target_lists(chunk=100)
    paths = set(await SchemeTarget.filter(scheme_id=scheme_id).values_list("org_path", flat=True))
    assert paths == {bank.tenant.branch.path}


async def test_indicator_split_and_its_ceiling(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank)
    hq, head = bank.token(bank.hq), bank.token(bank.head)

    def split(level: str, shares: list[tuple[Any, str]], kind: str = "CONTACTS") -> dict[str, Any]:
        return {
            "i": {
                "schemeId": scheme_id,
                "kind": kind,
                "level": level,
                "shares": [{"assigneeId": str(a), "target": t} for a, t in shares],
            }
        }

    branch, branch2 = bank.tenant.branch.id, bank.branch2.id
    assert codes(await run(bank, SPLIT, split("ORG", [(branch, "60"), (branch2, "41")]), hq)) == [
        "BAD_USER_INPUT"
    ]
    assert codes(await run(bank, SPLIT, split("ORG", [(uuid.uuid4(), "1")]), hq)) == ["NOT_FOUND"]
    assert codes(await run(bank, SPLIT, split("ORG", [(bank.tenant.bank.id, "1")]), hq)) == ["NOT_FOUND"]
    assert codes(await run(bank, SPLIT, split("ORG", [(branch, "60")]), head)) == ["FORBIDDEN"]
    # Before head office's split, the branch head has nothing to split.
    manager, colleague = bank.tenant.manager.id, bank.colleague.id
    assert codes(await run(bank, SPLIT, split("MANAGER", [(manager, "1")]), head)) == ["BAD_USER_INPUT"]
    assert not (await run(bank, SPLIT, split("ORG", [(branch, "60"), (branch2, "40")]), hq)).errors
    assert codes(await run(bank, SPLIT, split("MANAGER", [(manager, "50"), (colleague, "11")]), head)) == [
        "BAD_USER_INPUT"
    ]
    assert codes(await run(bank, SPLIT, split("MANAGER", [(bank.manager2.id, "1")]), head)) == ["NOT_FOUND"]
    assert not (await run(bank, SPLIT, split("MANAGER", [(manager, "50"), (colleague, "10")]), head)).errors
    assert not (
        await run(bank, SPLIT, split("MANAGER", [(bank.manager2.id, "40")]), bank.token(bank.head2))
    ).errors
    # Progress from the work orders: the manager's feedback counts for him and his branch.
    order = await WorkOrder.filter(scheme_id=scheme_id, manager_id=manager).first()
    assert order is not None
    feedback = {"workOrderId": str(order.id), "clientId": "c1", "channel": "PHONE", "result": "CONTACTED"}
    assert not (await run(bank, FEEDBACK, {"i": feedback}, bank.tenant.manager_token)).errors
    query = """query($id: ID!) { marketingScheme(id: $id) { indicators { kind total actual
        splits { level assigneeId target actual } } } }"""
    result = await run(bank, query, {"id": scheme_id}, hq)
    contacts = result.data["marketingScheme"]["indicators"][0]
    assert contacts["kind"] == "CONTACTS" and Decimal(contacts["actual"]) == 1
    actual = {s["assigneeId"]: (Decimal(s["target"]), Decimal(s["actual"])) for s in contacts["splits"]}
    assert actual[str(branch)] == (60, 1) and actual[str(branch2)] == (40, 0)
    assert actual[str(manager)] == (50, 1) and actual[str(colleague)] == (10, 0)


async def test_allocation_of_unmanaged_targets(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank)
    head = bank.token(bank.head)
    listed = """query($id: ID!) { schemeTargets(schemeId: $id, unallocated: true) { nodes { id customer { id } } } }"""
    result = await run(bank, listed, {"id": scheme_id}, head)
    ids = {n["customer"]["id"] for n in result.data["schemeTargets"]["nodes"]}
    assert ids == {str(c.id) for c in bank.unmanaged}
    # The other branch's head sees none of them.
    other = await run(bank, listed, {"id": scheme_id}, bank.token(bank.head2))
    assert other.data["schemeTargets"]["nodes"] == []

    def allocate(customer: Any, manager: Any) -> dict[str, Any]:
        return {
            "i": {
                "schemeId": scheme_id,
                "allocations": [{"customerId": str(customer), "managerId": str(manager)}],
            }
        }

    first, second = bank.unmanaged
    assert codes(await run(bank, ALLOCATE, allocate(first.id, bank.manager2.id), head)) == ["NOT_FOUND"]
    assert codes(
        await run(bank, ALLOCATE, allocate(bank.tenant.customers[0].id, bank.colleague.id), head)
    ) == ["NOT_FOUND"]
    assert codes(
        await run(bank, ALLOCATE, allocate(first.id, bank.colleague.id), bank.token(bank.head2))
    ) == ["NOT_FOUND"]
    assert codes(await run(bank, ALLOCATE, allocate(first.id, bank.colleague.id), bank.token(bank.hq))) == [
        "FORBIDDEN"
    ]
    result = await run(bank, ALLOCATE, allocate(first.id, bank.colleague.id), head)
    assert result.data == {"allocateSchemeTargets": 1}, result.errors
    assert codes(await run(bank, ALLOCATE, allocate(first.id, bank.colleague.id), head)) == ["NOT_FOUND"]
    assert await WorkOrder.filter(
        scheme_id=scheme_id, customer_id=first.id, manager_id=bank.colleague.id
    ).exists()
    # Allocation statements do not grow with the number allocated.
    with count_statements() as one:
        assert not (await run(bank, ALLOCATE, allocate(second.id, bank.colleague.id), head)).errors
    assert one.count <= 12, one.statements


async def test_feedback_is_idempotent_and_scoped(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank)
    token = bank.tenant.manager_token
    order = await WorkOrder.filter(scheme_id=scheme_id, manager_id=bank.tenant.manager.id).first()
    assert order is not None
    feedback = {
        "workOrderId": str(order.id),
        "clientId": "fb-1",
        "channel": "MOBILE_BANKING",
        "result": "CONVERTED",
        "amount": "50000.00",
        "note": "已购买定期",
    }
    first = await run(bank, FEEDBACK, {"i": feedback}, token)
    again = await run(bank, FEEDBACK, {"i": feedback}, token)
    assert first.data == again.data and first.data["giveWorkOrderFeedback"]["status"] == "DONE"
    assert await WorkOrderFeedback.filter(work_order_id=order.id).count() == 1
    assert codes(await run(bank, FEEDBACK, {"i": feedback | {"note": "改了"}}, token)) == ["CONFLICT"]
    assert codes(await run(bank, FEEDBACK, {"i": feedback | {"clientId": "fb-2"}}, token)) == [
        "CONFLICT"
    ]  # done
    # Someone else's work order: NOT_FOUND, as an unknown one.
    colleague = bank.token(bank.colleague)
    assert codes(await run(bank, FEEDBACK, {"i": feedback | {"clientId": "x"}}, colleague)) == ["NOT_FOUND"]
    bad = feedback | {"clientId": "y", "result": "REFUSED"}
    assert codes(await run(bank, FEEDBACK, {"i": bad}, token)) == [
        "BAD_USER_INPUT"
    ]  # an amount only converted


async def test_a_conversion_earns_the_schemes_points_once(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank, conversionPoints=200)
    order = await WorkOrder.filter(scheme_id=scheme_id, manager_id=bank.tenant.manager.id).first()
    assert order is not None
    feedback = {"workOrderId": str(order.id), "clientId": "p-1", "channel": "PHONE", "result": "CONVERTED"}
    for _ in range(2):  # a repeat awards nothing twice
        assert not (await run(bank, FEEDBACK, {"i": feedback}, bank.tenant.manager_token)).errors
    entries = await PointsEntry.filter(customer_id=order.customer_id)
    assert [(e.kind, e.amount, e.key) for e in entries] == [("EARN", 200, f"work-order:{order.id}")]
    query = "query($id: ID!) { marketingScheme(id: $id) { monitoring { converted pointsIssued } } }"
    for user, issued in ((bank.hq, 200), (bank.head2, 0)):  # head2's subtree has not converted
        result = await run(bank, query, {"id": scheme_id}, bank.token(user))
        assert result.data["marketingScheme"]["monitoring"]["pointsIssued"] == issued, result.errors
    too_many = scheme_input(bank, conversionPoints=100_001)
    assert codes(await run(bank, CREATE, {"i": too_many}, bank.token(bank.hq))) == ["BAD_USER_INPUT"]


async def test_monitoring_per_scope(database) -> None:
    bank = await make_bank(database)
    scheme_id = await running(bank)
    orders = await WorkOrder.filter(scheme_id=scheme_id, manager_id=bank.tenant.manager.id).order_by("id")
    channels = ["PHONE", "APP", "WECHAT"]
    for order, channel in zip(orders, channels, strict=False):
        feedback = {"workOrderId": str(order.id), "clientId": "m", "channel": channel, "result": "CONTACTED"}
        assert not (await run(bank, FEEDBACK, {"i": feedback}, bank.tenant.manager_token)).errors
    query = """query($id: ID!) { marketingScheme(id: $id) { monitoring { total processed contacted converted
        executionRate conversionRate channels { channel online contacts share } }
        managerProgress { manager { id } total contacted } } }"""
    seen = {}
    for who, user in (("hq", bank.hq), ("head", bank.head), ("head2", bank.head2), ("manager", None)):
        token = bank.tenant.manager_token if user is None else bank.token(user)
        result = await run(bank, query, {"id": scheme_id}, token)
        assert not result.errors, result.errors
        seen[who] = result.data["marketingScheme"]
    assert seen["hq"]["monitoring"]["total"] == 4
    assert seen["head"]["monitoring"]["total"] == 3  # the branch's customers
    assert seen["head2"]["monitoring"]["total"] == 1
    assert seen["manager"]["monitoring"]["total"] == 3 and seen["manager"]["monitoring"]["contacted"] == 3
    shares = {c["channel"]: c for c in seen["hq"]["monitoring"]["channels"]}
    assert (
        shares["APP"]["online"]
        and not shares["PHONE"]["online"]
        and shares["APP"]["share"] == pytest.approx(1 / 3, 0.01)
    )
    assert [m["manager"]["id"] for m in seen["head2"]["managerProgress"]] == [str(bank.manager2.id)]


async def test_scheme_lists_take_constant_statements(database) -> None:
    bank = await make_bank(database)
    hq = bank.token(bank.hq)
    for _ in range(3):
        await running(bank)
    query = """query($n: Int!) { marketingSchemes(first: $n) { nodes { id name
        indicators { kind total actual splits { target actual } } monitoring { total channels { share } }
        managerProgress { total } } } }"""
    counts = []
    for n in (1, 3):
        with count_statements() as counter:
            result = await run(bank, query, {"n": n}, hq)
        assert not result.errors, result.errors
        assert len(result.data["marketingSchemes"]["nodes"]) == n
        counts.append(counter.count)
    print(
        f"\nmarketingSchemes with indicators, monitoring, managers: statements for 1 and 3 schemes: {counts}"
    )
    assert counts[0] == counts[1], counts
    orders = """{ workOrders(first: 50) { nodes { id status scheme { name } customer { id } } } }"""
    with count_statements() as counter:
        result = await run(bank, orders, {}, bank.tenant.manager_token)
    assert not result.errors and len(result.data["workOrders"]["nodes"]) >= 9
    assert counter.count <= 3, counter.statements
