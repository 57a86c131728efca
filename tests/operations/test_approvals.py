"""The approvals engine (resolvers/common/approvals.py) through the real gateway: flows as data (a
two-step flow, one person one step, never the author), the per-function switch, the approvals
waiting for each approver across subgraphs (待我审批), one decision out of a race, and who may read
or set flows."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.customers import ApprovalStep
from models.operations import Org
from testkit.factories import Tenant, make_staff, make_tenant
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

SET_FLOW = """mutation($i: SetApprovalFlowInput!) {
  setApprovalFlow(input: $i) { function enabled builtIn tenantId steps { name roles } } }"""
FLOWS = "query($t: ID) { approvalFlows(tenantId: $t) { function enabled builtIn steps { name roles } } }"
PENDING = """query { pendingApprovals(first: 50) {
  id function subjectId title step stepName stepCount submittedBy { id } submittedAt } }"""
CREATE = """mutation($n: String!) { createTierScheme(name: $n, bands: [{tier: ORDINARY, minAum: "0"},
  {tier: WEALTH, minAum: "4500"}]) { id } }"""
SUBMIT = "mutation($id: ID!) { submitTierScheme(id: $id) { status } }"
REVIEW = """mutation($id: ID!, $ok: Boolean!, $c: String! = "") {
  reviewTierScheme(id: $id, approve: $ok, comment: $c) { status approvalSteps { action comment actor { id } } } }"""
REQUEST = """mutation($c: ID!) { requestTierChange(customerId: $c, toTier: WEALTH, reason: "资产增长") {
  status approvalSteps { action comment } } }"""
TIER = "query($id: ID!) { customer(id: $id) { tier } }"


def flow(function: str, *steps: tuple[str, list[str]], enabled: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "function": function,
            "enabled": enabled,
            "steps": [{"name": n, "roles": r} for n, r in steps],
            **extra,
        }
    }


async def pending(stack: Stack, token: str) -> list[dict[str, Any]]:
    return list(data(await gql(stack.gateway_url, PENDING, {}, token))["pendingApprovals"])


async def test_a_two_step_flow_is_decided_by_two_other_people_in_turn(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    author, admin = await make_staff(tenant.bank, ("HQ_ADMIN",), settings)
    reviewer, review = await make_staff(tenant.bank, ("HQ_REVIEWER",), settings)
    _, second_review = await make_staff(tenant.bank, ("HQ_REVIEWER",), settings)
    boss, boss_token = await make_staff(tenant.bank, ("HQ_ADMIN",), settings)
    _, platform = await make_staff(tenant.bank, ("PLATFORM_ADMIN",), settings)

    two_steps = flow(
        "TIER_SCHEME", ("业务审核", ["HQ_REVIEWER"]), ("总行负责人审批", ["HQ_ADMIN", "HQ_REVIEWER"])
    )
    stored = data(await gql(url, SET_FLOW, two_steps, platform))["setApprovalFlow"]
    assert (stored["builtIn"], stored["tenantId"], [s["name"] for s in stored["steps"]]) == (
        False,
        str(tenant.bank.id),
        ["业务审核", "总行负责人审批"],
    )
    flows = {f["function"]: f for f in data(await gql(url, FLOWS, {}, admin))["approvalFlows"]}
    assert flows["TIER_SCHEME"]["steps"][1]["roles"] == ["HQ_ADMIN", "HQ_REVIEWER"]
    assert flows["TIER_CHANGE"]["builtIn"] is True

    sid = data(await gql(url, CREATE, {"n": "两级审核方案"}, admin))["createTierScheme"]["id"]
    assert data(await gql(url, SUBMIT, {"id": sid}, admin))["submitTierScheme"]["status"] == "PENDING_REVIEW"
    # Waiting for the reviewers, not for its author nor (yet) for the head office's admins.
    [waiting] = [p for p in await pending(stack, review) if p["subjectId"] == sid]
    assert (waiting["function"], waiting["step"], waiting["stepName"], waiting["stepCount"]) == (
        "TIER_SCHEME",
        0,
        "业务审核",
        2,
    )
    assert waiting["submittedBy"] == {"id": str(author.id)} and waiting["title"] == "分层方案：两级审核方案"
    assert not [p for p in await pending(stack, admin) if p["subjectId"] == sid]
    assert not [p for p in await pending(stack, boss_token) if p["subjectId"] == sid]
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    _, elsewhere = await make_staff(other.bank, ("HQ_REVIEWER",), settings)  # another bank's reviewer
    assert not [p for p in await pending(stack, elsewhere) if p["subjectId"] == sid]
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": True}, elsewhere)) == ["NOT_FOUND"]
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": True}, boss_token)) == [
        "FORBIDDEN"
    ]  # step 2's

    first = data(await gql(url, REVIEW, {"id": sid, "ok": True, "c": "同意"}, review))["reviewTierScheme"]
    assert first["status"] == "PENDING_REVIEW"  # one step of two
    repeat = data(await gql(url, REVIEW, {"id": sid, "ok": True, "c": "同意"}, review))["reviewTierScheme"]
    assert repeat["status"] == "PENDING_REVIEW" and len(repeat["approvalSteps"]) == 2  # nothing written twice
    assert [p["step"] for p in await pending(stack, boss_token) if p["subjectId"] == sid] == [1]
    assert not [p for p in await pending(stack, review) if p["subjectId"] == sid]  # one person, one step
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": False, "c": "不同意"}, review)) == [
        "FORBIDDEN"
    ]
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": True}, admin)) == ["FORBIDDEN"]  # its author
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": False}, boss_token)) == ["BAD_USER_INPUT"]

    done = data(await gql(url, REVIEW, {"id": sid, "ok": True, "c": "批准"}, boss_token))["reviewTierScheme"]
    assert done["status"] == "ACTIVE"
    assert [(s["action"], s["comment"], s["actor"]["id"]) for s in done["approvalSteps"]] == [
        ("SUBMIT", "", str(author.id)),
        ("APPROVE", "同意", str(reviewer.id)),
        ("APPROVE", "批准", str(boss.id)),
    ]
    assert error_codes(await gql(url, REVIEW, {"id": sid, "ok": True}, second_review)) == ["CONFLICT"]
    assert not [p for p in await pending(stack, boss_token) if p["subjectId"] == sid]


async def test_switched_off_a_submission_takes_effect_at_once(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    _, platform = await make_staff(tenant.bank, ("PLATFORM_ADMIN",), settings)
    _, head = await make_staff(tenant.branch, ("BRANCH_HEAD",), settings)
    customer = str(tenant.customers[0].id)

    off = flow("TIER_CHANGE", ("辖内审批", ["BRANCH_HEAD"]), enabled=False)
    assert data(await gql(url, SET_FLOW, off, platform))["setApprovalFlow"]["enabled"] is False
    done = data(await gql(url, REQUEST, {"c": customer}, tenant.manager_token))["requestTierChange"]
    assert done["status"] == "APPROVED"
    assert [s["action"] for s in done["approvalSteps"]] == ["SUBMIT"]
    assert "审核流程已关闭" in done["approvalSteps"][0]["comment"]
    assert data(await gql(url, TIER, {"id": customer}, tenant.manager_token))["customer"]["tier"] == "WEALTH"
    assert not await pending(stack, head)

    # The switch is the tenant's: another bank's requests still wait for approval.
    request = await gql(url, REQUEST, {"c": str(other.customers[0].id)}, other.manager_token)
    assert data(request)["requestTierChange"]["status"] == "PENDING"


async def test_two_reviewers_at_once_make_one_decision(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    _, admin = await make_staff(tenant.bank, ("HQ_ADMIN",), settings)
    reviewers = [(await make_staff(tenant.bank, ("HQ_REVIEWER",), settings))[1] for _ in range(6)]
    sid = data(await gql(url, CREATE, {"n": "并发审核"}, admin))["createTierScheme"]["id"]
    data(await gql(url, SUBMIT, {"id": sid}, admin))
    results = await asyncio.gather(
        *(gql(url, REVIEW, {"id": sid, "ok": i % 2 == 0, "c": "意见"}, t) for i, t in enumerate(reviewers))
    )
    won = [r for r in results if not r.get("errors")]
    assert len(won) == 1 and all(error_codes(r) == ["CONFLICT"] for r in results if r.get("errors"))
    decisions = await ApprovalStep.filter(subject_id=sid, step__not_isnull=True).count()
    assert decisions == 1


async def test_only_administrators_read_or_set_flows_and_only_their_tenants(stack: Stack) -> None:
    url, settings = stack.gateway_url, stack.settings
    tenant: Tenant = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    _, platform = await make_staff(tenant.bank, ("PLATFORM_ADMIN",), settings)
    _, admin = await make_staff(tenant.bank, ("HQ_ADMIN",), settings)
    root = await Org.get(id=tenant.bank.parent_id)
    _, province = await make_staff(root, ("PROVINCE_ADMIN",), settings)
    one = ("审核", ["HQ_REVIEWER"])

    for token in (admin, tenant.manager_token):  # not administrators of flows
        assert error_codes(await gql(url, SET_FLOW, flow("TIER_SCHEME", one), token)) == ["FORBIDDEN"]
    assert error_codes(await gql(url, FLOWS, {}, tenant.manager_token)) == ["FORBIDDEN"]
    # Another tenant's flows: out of a platform admin's reach, as an unknown tenant.
    elsewhere = flow("TIER_SCHEME", one, tenantId=str(other.bank.id))
    assert error_codes(await gql(url, SET_FLOW, elsewhere, platform)) == ["NOT_FOUND"]
    assert error_codes(await gql(url, FLOWS, {"t": str(other.bank.id)}, platform)) == ["NOT_FOUND"]
    for bad in (
        flow("TIER_SCHEME"),  # no step
        flow("TIER_SCHEME", ("审核", [])),
        flow("TIER_SCHEME", ("", ["HQ_REVIEWER"])),
        flow("TIER_SCHEME", ("审核", ["NO_SUCH_ROLE"])),
        flow("TIER_SCHEME", ("审核", ["DEVICE"])),
        flow("TIER_SCHEME", *[one] * 6),
    ):
        assert error_codes(await gql(url, SET_FLOW, bad, platform)) == ["BAD_USER_INPUT"], bad
    # The province sets any tenant's.
    stored = data(await gql(url, SET_FLOW, elsewhere, province))["setApprovalFlow"]
    assert stored["tenantId"] == str(other.bank.id)
    flows = {
        f["function"]: f
        for f in data(await gql(url, FLOWS, {"t": str(other.bank.id)}, province))["approvalFlows"]
    }
    assert flows["TIER_SCHEME"]["builtIn"] is False
