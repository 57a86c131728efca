"""变更记录 (resolvers/operations/changes.py) through the real gateway: a change walked through every
state (reject, approve, start inside the window, complete, fail, roll back); the requester never
approves their own change (四眼原则); two approvers at once, one wins; illegal steps are CONFLICT;
callers of another tenant see nothing and act on nothing."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.operations import ChangeRequest, Org
from testkit.factories import Tenant, make_tenant, make_user, token_for
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

CREATE = """mutation($i: CreateChangeRequestInput!) {
  createChangeRequest(input: $i) { id status requestedBy org { id } } }"""
ADVANCE = """mutation($i: AdvanceChangeRequestInput!) {
  advanceChangeRequest(input: $i) { id status approvedBy resultNote } }"""
READ = """query($id: ID!) { changeRequest(id: $id) {
  id status steps { fromStatus toStatus actorId note at } } }"""
LIST = "query { changeRequests(first: 100) { nodes { id } } }"


@dataclass
class Unit:
    tenant: Tenant
    engineer: str  # an OPS_ENGINEER of the hall: drafts and carries out changes
    manager: str  # the hall manager: approves
    province: str  # a province admin: approves too


async def make_unit(stack: Stack) -> Unit:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    engineer = await make_user(tenant.hall, ("OPS_ENGINEER",), "运维工程师")
    root = await Org.get(id=tenant.hall.parent_id)
    province = await make_user(root, ("PROVINCE_ADMIN",), "省联社管理")
    return Unit(
        tenant,
        token_for(engineer, tenant.hall, stack.settings),
        tenant.hall_token,
        token_for(province, root, stack.settings),
    )


def _at(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def draft(unit: Unit, **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "orgId": str(unit.tenant.hall.id),
            "kind": "BACKUP_POLICY",
            "title": f"备份策略调整-{uuid.uuid4().hex[:6]}",
            "plannedStart": _at(60),
            "plannedEnd": _at(180),
            "risk": "MEDIUM",
            "rollbackPlan": "恢复原备份策略配置",
            "system": "核心数据库",
            **extra,
        }
    }


async def create(stack: Stack, unit: Unit, token: str | None = None, **extra: Any) -> str:
    result = await gql(stack.gateway_url, CREATE, draft(unit, **extra), token or unit.engineer)
    return str(data(result)["createChangeRequest"]["id"])


async def step(stack: Stack, token: str, change_id: str, action: str, note: str = "") -> dict[str, Any]:
    return await gql(
        stack.gateway_url, ADVANCE, {"i": {"id": change_id, "action": action, "note": note}}, token
    )


async def status_after(stack: Stack, token: str, change_id: str, action: str, note: str = "") -> str:
    return str(data(await step(stack, token, change_id, action, note))["advanceChangeRequest"]["status"])


async def open_window(change_id: str) -> None:
    """The planned window has come (the clock of the test: the window moves, not time)."""
    start = datetime.now(UTC) - timedelta(minutes=5)
    await ChangeRequest.filter(id=change_id).update(
        planned_start=start, planned_end=start + timedelta(hours=2)
    )


async def test_a_change_walks_through_every_state(stack: Stack) -> None:
    unit = await make_unit(stack)
    key = str(uuid.uuid4())
    variables = draft(unit, idempotencyKey=key)
    first = data(await gql(stack.gateway_url, CREATE, variables, unit.engineer))["createChangeRequest"]
    again = data(await gql(stack.gateway_url, CREATE, variables, unit.engineer))["createChangeRequest"]
    assert again["id"] == first["id"] and first["status"] == "DRAFT"  # a retry creates nothing twice
    other = {"i": {**variables["i"], "title": "另一个变更"}}
    assert error_codes(await gql(stack.gateway_url, CREATE, other, unit.engineer)) == ["CONFLICT"]
    change_id = first["id"]

    assert await status_after(stack, unit.engineer, change_id, "SUBMIT") == "SUBMITTED"
    approved = data(await step(stack, unit.manager, change_id, "APPROVE", "同意"))["advanceChangeRequest"]
    assert approved["status"] == "APPROVED" and approved["approvedBy"] is not None
    # Not yet inside the approved window: CONFLICT, the change stays APPROVED.
    early = await step(stack, unit.engineer, change_id, "START")
    assert error_codes(early) == ["CONFLICT"]
    assert early["errors"][0]["extensions"]["reason"] == "OUTSIDE_WINDOW"
    await open_window(change_id)
    assert await status_after(stack, unit.engineer, change_id, "START") == "IN_PROGRESS"
    assert error_codes(await step(stack, unit.engineer, change_id, "FAIL")) == ["BAD_USER_INPUT"]  # why?
    assert await status_after(stack, unit.engineer, change_id, "FAIL", "存储扩容失败") == "FAILED"
    rolled = data(await step(stack, unit.engineer, change_id, "ROLL_BACK", "已按回退方案恢复"))
    assert rolled["advanceChangeRequest"] == {
        "id": change_id,
        "status": "ROLLED_BACK",
        "approvedBy": approved["approvedBy"],
        "resultNote": "已按回退方案恢复",
    }
    history = data(await gql(stack.gateway_url, READ, {"id": change_id}, unit.manager))["changeRequest"][
        "steps"
    ]
    assert [(s["fromStatus"], s["toStatus"]) for s in history] == [
        (None, "DRAFT"),
        ("DRAFT", "SUBMITTED"),
        ("SUBMITTED", "APPROVED"),
        ("APPROVED", "IN_PROGRESS"),
        ("IN_PROGRESS", "FAILED"),
        ("FAILED", "ROLLED_BACK"),
    ]
    assert history[2]["actorId"] == approved["approvedBy"] and history[2]["note"] == "同意"

    # Another: completed. And a third: rejected, after which nothing more happens to it.
    done = await create(stack, unit)
    await status_after(stack, unit.engineer, done, "SUBMIT")
    await status_after(stack, unit.province, done, "APPROVE")
    await open_window(done)
    await status_after(stack, unit.engineer, done, "START")
    assert await status_after(stack, unit.engineer, done, "COMPLETE", "扩容完成") == "COMPLETED"
    assert error_codes(await step(stack, unit.engineer, done, "ROLL_BACK", "晚了")) == ["CONFLICT"]
    rejected = await create(stack, unit)
    await status_after(stack, unit.engineer, rejected, "SUBMIT")
    assert error_codes(await step(stack, unit.manager, rejected, "REJECT")) == ["BAD_USER_INPUT"]  # a reason
    assert await status_after(stack, unit.manager, rejected, "REJECT", "窗口与月末结账冲突") == "REJECTED"
    for token, action in ((unit.province, "APPROVE"), (unit.engineer, "START"), (unit.engineer, "SUBMIT")):
        assert error_codes(await step(stack, token, rejected, action, "x")) == ["CONFLICT"], action


async def test_the_requester_never_approves_their_own_change(stack: Stack) -> None:
    unit = await make_unit(stack)
    mine = await create(stack, unit, unit.manager)  # a hall manager, an approver, drafts one
    await status_after(stack, unit.manager, mine, "SUBMIT")
    assert error_codes(await step(stack, unit.manager, mine, "APPROVE")) == ["FORBIDDEN"]
    assert error_codes(await step(stack, unit.manager, mine, "REJECT", "撤回")) == ["FORBIDDEN"]
    # An engineer carries out, does not approve; another manager of the unit does.
    assert error_codes(await step(stack, unit.engineer, mine, "APPROVE")) == ["FORBIDDEN"]
    assert (await ChangeRequest.get(id=mine)).status == "SUBMITTED"
    assert await status_after(stack, unit.province, mine, "APPROVE") == "APPROVED"
    # Only the requester submits their draft.
    theirs = await create(stack, unit)
    assert error_codes(await step(stack, unit.manager, theirs, "SUBMIT")) == ["FORBIDDEN"]


async def test_two_approvers_at_once_one_wins(stack: Stack) -> None:
    unit = await make_unit(stack)
    change_id = await create(stack, unit)
    await status_after(stack, unit.engineer, change_id, "SUBMIT")
    results = await asyncio.gather(
        step(stack, unit.manager, change_id, "APPROVE", "同意"),
        step(stack, unit.province, change_id, "REJECT", "不同意"),
    )
    assert sorted(error_codes(r) for r in results) == [[], ["CONFLICT"]]
    won = next(r for r in results if not r.get("errors"))["data"]["advanceChangeRequest"]
    row = await ChangeRequest.get(id=change_id)
    assert str(row.status) == won["status"] and str(row.approved_by) == won["approvedBy"]
    history = data(await gql(stack.gateway_url, READ, {"id": change_id}, unit.manager))["changeRequest"][
        "steps"
    ]
    assert [s["toStatus"] for s in history] == ["DRAFT", "SUBMITTED", won["status"]]  # one decision recorded


async def test_illegal_steps_and_bad_drafts(stack: Stack) -> None:
    unit = await make_unit(stack)
    change_id = await create(stack, unit)
    for token, action in (
        (unit.manager, "APPROVE"),
        (unit.engineer, "START"),
        (unit.engineer, "COMPLETE"),
        (unit.engineer, "ROLL_BACK"),
    ):
        assert error_codes(await step(stack, token, change_id, action, "x")) == ["CONFLICT"], action
    assert (await ChangeRequest.get(id=change_id)).status == "DRAFT"
    bad = [
        {"rollbackPlan": " "},
        {"plannedStart": _at(120), "plannedEnd": _at(60)},
        {"title": ""},
    ]
    for extra in bad:
        result = await gql(stack.gateway_url, CREATE, draft(unit, **extra), unit.engineer)
        assert error_codes(result) == ["BAD_USER_INPUT"], extra
    # A window already begun cannot be submitted.
    late = await create(stack, unit, plannedStart=_at(-10), plannedEnd=_at(60))
    assert error_codes(await step(stack, unit.engineer, late, "SUBMIT")) == ["BAD_USER_INPUT"]


async def test_another_tenant_sees_no_change_and_acts_on_none(stack: Stack) -> None:
    unit = await make_unit(stack)
    other = await make_unit(stack)
    change_id = await create(stack, unit)
    await status_after(stack, unit.engineer, change_id, "SUBMIT")
    for token in (other.manager, other.engineer):  # (a province admin sees every province: Scope.ALL)
        read = await gql(stack.gateway_url, READ, {"id": change_id}, token)
        assert data(read)["changeRequest"] is None
        listed = data(await gql(stack.gateway_url, LIST, {}, token))["changeRequests"]["nodes"]
        assert {"id": change_id} not in listed
        assert error_codes(await step(stack, token, change_id, "APPROVE")) == ["NOT_FOUND"]
    # Drafting a change at their hall is as if it were not there.
    assert error_codes(await gql(stack.gateway_url, CREATE, draft(unit), other.engineer)) == ["NOT_FOUND"]
    # A customer manager of the unit's own bank is no one at the hall either.
    assert error_codes(await step(stack, unit.tenant.manager_token, change_id, "APPROVE")) == ["NOT_FOUND"]
    assert (await ChangeRequest.get(id=change_id)).status == "SUBMITTED"
    listed = data(await gql(stack.gateway_url, LIST, {}, unit.manager))["changeRequests"]["nodes"]
    assert {"id": change_id} in listed
    filtered = (
        """query($o: ID!) { changeRequests(filter: {orgId: $o, status: SUBMITTED}) { nodes { id } } }"""
    )
    nodes = data(await gql(stack.gateway_url, filtered, {"o": str(unit.tenant.hall.id)}, unit.manager))
    assert nodes["changeRequests"]["nodes"] == [{"id": change_id}]


async def test_a_change_names_a_device_of_its_unit_only(stack: Stack) -> None:
    unit = await make_unit(stack)
    other = await make_unit(stack)
    mine = draft(unit, deviceId=str(unit.tenant.device.id))
    assert data(await gql(stack.gateway_url, CREATE, mine, unit.engineer))["createChangeRequest"]["id"]
    theirs = draft(unit, deviceId=str(other.tenant.device.id))
    assert error_codes(await gql(stack.gateway_url, CREATE, theirs, unit.engineer)) == ["NOT_FOUND"]
