"""参数管理 (resolvers/operations/parameters.py): one list of every parameter wherever it is kept;
setParameter validated, audited with before and after, idempotent; the business admin sets, the
audit admin reads, a tenant's parameters only by that tenant's admins; statements constant."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from tortoise import Tortoise

from models.operations import Org, OrgKind, ServicePolicy
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, token_for
from testkit.inprocess import codes, execute, records_of
from testkit.sqlcount import count_statements

pytestmark = pytest.mark.integration

LIST = """query($t: ID) { parameters(tenant: $t) {
  key label group value unit source editable editVia tenantId updatedBy updatedAt } }"""
SET = """mutation($k: String!, $v: String!, $t: ID) {
  setParameter(key: $k, value: $v, tenant: $t) { key value editable tenantId updatedAt } }"""
THRESHOLD = "reminder.largeTransactionThreshold"


@dataclass
class World:
    settings: Settings
    bank: Org
    other: Org
    tokens: dict[str, str]


@pytest.fixture(scope="module")
async def world(database: Settings) -> World:
    settings = database
    root = await make_org("参数测试省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("参数测试农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    other = await make_org("参数测试他行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch = await make_org("参数测试支行", OrgKind.BRANCH, bank)

    async def token(org: Org, role: str) -> str:
        return token_for(await make_user(org, (role,), "参数测试"), org, settings)

    tokens = {
        "head office admin": await token(bank, "HQ_ADMIN"),
        "platform admin": await token(root, "PLATFORM_ADMIN"),  # the platform's: of no tenant
        "bank platform admin": await token(bank, "PLATFORM_ADMIN"),
        "audit admin": await token(bank, "AUDIT_ADMIN"),
        "branch head": await token(branch, "BRANCH_HEAD"),
        "head office admin of another bank": await token(other, "HQ_ADMIN"),
    }
    return World(settings, bank, other, tokens)


async def run(world: World, query: str, variables: dict[str, Any], caller: str, request_id: str = "") -> Any:
    extra = {"request_id": request_id} if request_id else {}
    return await execute(
        "operations", query, variables, world.tokens[caller], settings=world.settings, **extra
    )


async def listed(world: World, caller: str, tenant: Org | None = None) -> dict[str, dict[str, Any]]:
    result = await run(world, LIST, {"t": str(tenant.id) if tenant else None}, caller)
    assert result.errors is None, result.errors
    return {p["key"]: p for p in result.data["parameters"]}


async def test_one_list_of_every_group(world: World) -> None:
    found = await listed(world, "head office admin")
    groups = {p["group"] for p in found.values()}
    assert {"提醒参数", "商机参数", "审核流程", "服务级别", "设备阈值", "系统设置"} <= groups
    threshold = found[THRESHOLD]
    assert (threshold["value"], threshold["unit"], threshold["editable"]) == ('"500000.00"', "元", False)
    assert threshold["editVia"] == "setReminderPolicy"
    assert threshold["tenantId"] == str(world.bank.id)
    assert found["approval.TIER_SCHEME"]["editVia"] == "setApprovalFlow"
    assert found["approval.TIER_SCHEME"]["editable"] is False
    notice = found["reminder.maturityNoticeDays"]
    assert (notice["value"], notice["editable"]) == ("7", False)
    assert notice["editVia"] == "change DCMS_MATURITY_NOTICE_DAYS and restart"
    assert found["finance.slaPolicy"]["editVia"] == "setSlaPolicy"


async def test_the_reminder_threshold_is_listed_but_set_by_set_reminder_policy(world: World) -> None:
    """提醒参数 is customers' rule (setReminderPolicy): listed here, never written from operations."""
    variables = {"k": THRESHOLD, "v": '"800000.50"', "t": str(world.bank.id)}
    for caller in ("head office admin", "platform admin"):
        assert codes(await run(world, SET, variables, caller)) == ["BAD_USER_INPUT"]
    policy = await Tortoise.apps["customers"]["ReminderPolicy"].get_or_none(tenant_id=world.bank.id)
    assert policy is None or Decimal(policy.large_transaction_threshold) != Decimal("800000.50")


async def test_platform_admin_sets_a_service_policy_escalation(world: World) -> None:
    code = f"P{uuid.uuid4().hex[:10]}"
    await ServicePolicy.create(code=code, name="参数测试策略")
    key = f"servicePolicy.{code}.stagnationMinutes"
    request = f"param-{uuid.uuid4().hex}"
    result = await run(world, SET, {"k": key, "v": "90"}, "platform admin", request)
    assert result.errors is None, result.errors
    assert (await ServicePolicy.get(code=code)).stagnation_minutes == 90
    (record,) = await records_of("operations", request)
    assert record.detail == {"key": key, "before": 120, "after": 90}
    assert json.loads((await listed(world, "audit admin"))[key]["value"]) == 90
    # the same value again: nothing changes, the record says so (no before/after)
    again = f"param-{uuid.uuid4().hex}"
    result = await run(world, SET, {"k": key, "v": "90"}, "platform admin", again)
    assert result.errors is None, result.errors
    (record,) = await records_of("operations", again)
    assert record.detail == {"key": key, "unchanged": True}
    # the platform's parameter: not a member bank's head office or platform admin's to set
    for caller in ("head office admin", "bank platform admin"):
        assert codes(await run(world, SET, {"k": key, "v": "60"}, caller)) == ["FORBIDDEN"]
    assert (await ServicePolicy.get(code=code)).stagnation_minutes == 90


async def test_the_same_escalation_twice_at_once_changes_once(world: World) -> None:
    """Two identical sets racing: the row lock serialises them, one records before/after, the
    other finds the value already there and records that nothing changed."""
    code = f"P{uuid.uuid4().hex[:10]}"
    await ServicePolicy.create(code=code, name="参数并发策略")
    requests = [f"param-{uuid.uuid4().hex}" for _ in range(2)]
    variables = {"k": f"servicePolicy.{code}.stagnationMinutes", "v": "45"}
    results = await asyncio.gather(*(run(world, SET, variables, "platform admin", r) for r in requests))
    assert [r.errors for r in results] == [None, None]
    details = [record.detail for r in requests for record in await records_of("operations", r)]
    assert sorted("after" in d for d in details) == [False, True], details
    assert [d["after"] for d in details if "after" in d] == [45]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (THRESHOLD, "600000"),  # edited by setReminderPolicy
        ("servicePolicy.NOPE.stagnationMinutes", "4.5"),
        ("servicePolicy.NOPE.stagnationMinutes", "true"),
        ("servicePolicy.NOPE.stagnationMinutes", "not json"),
        ("servicePolicy.NOPE.stagnationMinutes", "1"),
        ("reminder.maturityNoticeDays", "10"),  # a start-up setting
        ("approval.TIER_SCHEME", "{}"),  # edited by setApprovalFlow
        ("no.such.key", "1"),
    ],
)
async def test_bad_values_are_refused(world: World, key: str, value: str) -> None:
    before = (await listed(world, "head office admin")).get(THRESHOLD)
    result = await run(world, SET, {"k": key, "v": value}, "platform admin")
    assert codes(result) == ["BAD_USER_INPUT"]
    assert (await listed(world, "head office admin")).get(THRESHOLD) == before


async def test_another_banks_parameters_are_out_of_reach(world: World) -> None:
    foreign = {"t": str(world.bank.id)}
    read = await run(world, LIST, foreign, "head office admin of another bank")
    assert codes(read) == ["NOT_FOUND"]
    written = await run(
        world,
        SET,
        {**foreign, "k": "servicePolicy.X.stagnationMinutes", "v": "60"},
        "head office admin of another bank",
    )
    assert codes(written) == ["NOT_FOUND"]
    # an id that is no tenant at all (a branch) is refused the same way
    branch = await make_org("参数测试网点", OrgKind.OUTLET, world.bank)
    assert codes(await run(world, LIST, {"t": str(branch.id)}, "head office admin")) == ["NOT_FOUND"]
    assert codes(await run(world, LIST, {}, "branch head")) == ["FORBIDDEN"]
    assert codes(
        await run(world, SET, {"k": "servicePolicy.X.stagnationMinutes", "v": "60"}, "audit admin")
    ) == ["FORBIDDEN"]


async def test_statements_constant_whatever_the_number_of_policies(world: World) -> None:
    counts: list[int] = []
    for n in (2, 20):
        for _ in range(n - len(counts) * 2):
            await ServicePolicy.create(code=f"C{uuid.uuid4().hex[:10]}", name="计数策略")
        with count_statements() as counter:
            result = await run(world, LIST, {}, "head office admin")
        assert result.errors is None, result.errors
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
