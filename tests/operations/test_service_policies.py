"""服务级别策略 as data (resolvers/operations/policies.py, sla.py): the seeds' two policies as
migrate installs them, the calendar a report falls in, and the platform admin's changes — which
time the incidents reported after them, and nobody else may make."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql
from models.finance import CalendarDay
from models.operations import OrgKind, ServicePolicy
from resolvers.common.clock import CST
from resolvers.operations.sla import calendar_at
from testkit.factories import make_org, make_user, token_for
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

POLICIES = """{ servicePolicies { id code isDefault targets { level calendar respondMinutes onSiteMinutes
  resolveMinutes } escalationMatrix { level afterMinutes tier } } }"""
TARGETS = """mutation($p: ID!, $t: [ServiceTargetInput!]!) { setServiceTargets(policyId: $p, targets: $t) {
  targets { level calendar respondMinutes } } }"""
MATRIX = """mutation($p: ID!, $c: [EscalationCellInput!]!) { setEscalationMatrix(policyId: $p, cells: $c) {
  escalationMatrix { level afterMinutes tier } } }"""
ASSIGN = "mutation($p: ID!, $o: ID) { assignServicePolicy(policyId: $p, orgId: $o) { code } }"
REPORT = """mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { calendar policy { code }
  sla { kind remainingSeconds } } }"""


def _target(policy: dict[str, Any], level: str, calendar: str) -> dict[str, Any]:
    return next(t for t in policy["targets"] if (t["level"], t["calendar"]) == (level, calendar))


async def test_the_seeds_policies_are_installed_and_an_admin_changes_them(stack: Stack) -> None:
    bureau = await make_org("策略信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    room = await make_org("策略机房", OrgKind.HALL, bureau)
    admin = token_for(await make_user(bureau, ("PLATFORM_ADMIN",), "平台管理员"), bureau, stack.settings)
    engineer = token_for(await make_user(bureau, ("OPS_ENGINEER",), "运维"), bureau, stack.settings)
    reporter = token_for(await make_user(room, ("HALL_MANAGER",), "机房"), room, stack.settings)

    policies = {
        p["code"]: p for p in data(await gql(stack.gateway_url, POLICIES, {}, engineer))["servicePolicies"]
    }
    itsm, portal = policies["ITSM_004"], policies["PORTAL_003"]
    assert itsm["isDefault"] and not portal["isDefault"]
    # seed 004: 15 min, 1 h on site, 一级 24 h … 四级 1 h; seed 003: 0.5 h in working hours, 1 h otherwise, 6 h
    assert _target(itsm, "LEVEL_1", "OFF_HOURS") | {"level": 0} == {
        "level": 0, "calendar": "OFF_HOURS", "respondMinutes": 15, "onSiteMinutes": 60, "resolveMinutes": 1440
    }  # fmt: skip
    assert _target(itsm, "LEVEL_4", "WORKING_HOURS")["resolveMinutes"] == 60
    assert [_target(portal, "LEVEL_2", c)["respondMinutes"] for c in ("WORKING_HOURS", "OFF_HOURS")] == [
        30,
        60,
    ]
    assert {"level": "LEVEL_1", "afterMinutes": 60, "tier": "TECHNICIAN"} in itsm["escalationMatrix"]
    assert {"level": "LEVEL_4", "afterMinutes": 2880, "tier": "TECHNICIAN"} in itsm["escalationMatrix"]
    assert len(itsm["escalationMatrix"]) == 10

    # The admin points seed 003's policy at the bureau: incidents reported there are timed by it.
    assert data(await gql(stack.gateway_url, ASSIGN, {"p": portal["id"], "o": str(bureau.id)}, admin))
    cell = {"level": "LEVEL_2", "respondMinutes": 20, "onSiteMinutes": 50, "resolveMinutes": 300}
    cells = [cell | {"calendar": c} for c in ("WORKING_HOURS", "OFF_HOURS")]
    assert error_codes(await gql(stack.gateway_url, TARGETS, {"p": portal["id"], "t": cells}, engineer)) == [
        "FORBIDDEN"
    ]
    bad = [cells[0] | {"respondMinutes": 0}]
    assert error_codes(await gql(stack.gateway_url, TARGETS, {"p": portal["id"], "t": bad}, admin)) == [
        "BAD_USER_INPUT"
    ]
    data(await gql(stack.gateway_url, TARGETS, {"p": portal["id"], "t": cells}, admin))
    report = {"i": {"orgId": str(room.id), "title": "存储告警", "level": "LEVEL_2"}}
    incident = data(await gql(stack.gateway_url, REPORT, report, reporter))["reportIncident"]
    assert incident["policy"] == {"code": "PORTAL_003"}
    respond = next(c for c in incident["sla"] if c["kind"] == "RESPOND")
    assert 20 * 60 - 30 <= respond["remainingSeconds"] <= 20 * 60

    # The matrix: each tier once, higher tiers later.
    backwards = [
        {"level": "LEVEL_1", "afterMinutes": 60, "tier": "ENGINEER"},
        {"level": "LEVEL_1", "afterMinutes": 120, "tier": "TECHNICIAN"},
    ]
    assert error_codes(await gql(stack.gateway_url, MATRIX, {"p": portal["id"], "c": backwards}, admin)) == [
        "BAD_USER_INPUT"
    ]
    forwards = [backwards[1] | {"afterMinutes": 30}, backwards[0] | {"afterMinutes": 90}]
    matrix = data(await gql(stack.gateway_url, MATRIX, {"p": portal["id"], "c": forwards}, admin))
    assert len(matrix["setEscalationMatrix"]["escalationMatrix"]) == 2
    await ServicePolicy.filter(code="PORTAL_003").update(org_id=None)


async def test_the_calendar_of_a_report_follows_the_working_day_calendar(database: Any) -> None:
    policy = await ServicePolicy.get(code="ITSM_004")

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST)

    monday, saturday = date(2026, 11, 30), date(2026, 12, 5)
    assert await calendar_at(at(monday, 10), policy) == "WORKING_HOURS"
    assert await calendar_at(at(monday, 19, 59), policy) == "WORKING_HOURS"
    assert await calendar_at(at(monday, 20), policy) == "OFF_HOURS"
    assert await calendar_at(at(monday, 9, 59), policy) == "OFF_HOURS"
    assert await calendar_at(at(saturday, 11), policy) == "OFF_HOURS"
    # finance's calendar: a make-up working day (调休) on that Saturday, a holiday on that Monday
    await CalendarDay.create(day=saturday, workday=True, name="调休")
    await CalendarDay.create(day=monday, workday=False, name="假日")
    try:
        assert await calendar_at(at(saturday, 11), policy) == "WORKING_HOURS"
        assert await calendar_at(at(monday, 11), policy) == "OFF_HOURS"
    finally:
        await CalendarDay.filter(day__in=[saturday, monday]).delete()
