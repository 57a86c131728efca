"""告警处理 (the alert lifecycle, resolvers/operations/alerts.py and alert_policies.py) through the
real gateway: acknowledge → resolve → reopen with the history and illegal steps; two people
acknowledging at once; an alert storm of 1,000 repeats of one dedup key; a resolved alert raised
again; routing rules (告警路由) in the list and the stream; silences (维护窗口); the critical alert
left unacknowledged that becomes an incident (a test clock, two concurrent runs); callers out of
scope or without the role."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.operations import (
    Alert,
    AlertAction,
    AlertLevel,
    AlertStatus,
    Incident,
    IncidentSource,
    Org,
    OrgKind,
)
from resolvers.operations.alerts import raise_system_alert
from resolvers.operations.jobs import escalate_stale_alerts
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

RAISE = """mutation($i: RaiseAlertInput!) {
  raiseAlert(input: $i) { id status count routedRoles silenced } }"""
ALERT_FIELDS = """id status count acknowledgedAt resolvedAt
  acknowledgedBy { id } resolvedBy { id }
  history { action note actor { id } }"""
ACT = {
    name: f"mutation($id: ID!, $note: String!) {{ {name}(id: $id, note: $note) {{ {ALERT_FIELDS} }} }}"
    for name in ("acknowledgeAlert", "resolveAlert", "reopenAlert")
}
LIST = "query($s: AlertStatus) { alerts(first: 100, status: $s) { nodes { id } } }"
ROUTE = """mutation($i: AlertRouteInput!) { createAlertRoute(input: $i) { id roles minLevel source org { id } } }"""
SILENCE = """mutation($i: AlertSilenceInput!) { createAlertSilence(input: $i) { id active } }"""
END_SILENCE = "mutation($id: ID!) { endAlertSilence(id: $id) { id active } }"
FEED = "subscription { alerts { action alert { id title } } }"


def _new(tenant: Tenant, title: str, level: str = "WARNING", **extra: Any) -> dict[str, Any]:
    return {"i": {"orgId": str(tenant.hall.id), "level": level, "title": title, **extra}}


async def _raise(stack: Stack, token: str, variables: dict[str, Any]) -> dict[str, Any]:
    return data(await gql(stack.gateway_url, RAISE, variables, token))["raiseAlert"]


async def _act(stack: Stack, name: str, alert_id: str, token: str, note: str = "") -> dict[str, Any]:
    return await gql(stack.gateway_url, ACT[name], {"id": alert_id, "note": note}, token)


async def _listed(stack: Stack, token: str) -> set[str]:
    return {n["id"] for n in data(await gql(stack.gateway_url, LIST, {}, token))["alerts"]["nodes"]}


async def _events(alert_id: str, type_: str) -> int:
    rows = await Tortoise.apps["operations"]["OutboxEvent"].filter(type=type_).all()
    return sum(1 for row in rows if str((row.payload or {}).get("id")) == alert_id)


async def _staff(stack: Stack, org: Org, role: str) -> tuple[str, str]:
    """A user acting in ``role`` at ``org``: (user id, token)."""
    user = await make_user(org, (role,), role)
    return str(user.id), token_for(user, org, stack.settings)


async def test_acknowledge_resolve_reopen_with_history_and_illegal_steps(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    engineer, engineer_token = await _staff(stack, tenant.hall, "OPS_ENGINEER")
    manager, manager_token = str(tenant.hall_manager.id), tenant.hall_token
    alert_id = (await _raise(stack, manager_token, _new(tenant, "机房空调故障")))["id"]

    # Nothing to reopen while it is open.
    assert error_codes(await _act(stack, "reopenAlert", alert_id, engineer_token)) == ["CONFLICT"]
    acked = data(await _act(stack, "acknowledgeAlert", alert_id, engineer_token, "已派人"))[
        "acknowledgeAlert"
    ]
    assert acked["status"] == "ACKNOWLEDGED" and acked["acknowledgedBy"] == {"id": engineer}
    # The same person again (a retry) gets the same alert, nothing recorded twice; another is CONFLICT.
    again = data(await _act(stack, "acknowledgeAlert", alert_id, engineer_token, "重复"))["acknowledgeAlert"]
    assert again == acked
    assert error_codes(await _act(stack, "acknowledgeAlert", alert_id, manager_token)) == ["CONFLICT"]

    resolved = data(await _act(stack, "resolveAlert", alert_id, manager_token, "已修复"))["resolveAlert"]
    assert resolved["status"] == "RESOLVED" and resolved["resolvedBy"] == {"id": manager}
    assert resolved["resolvedAt"] is not None
    assert data(await _act(stack, "resolveAlert", alert_id, manager_token))["resolveAlert"] == resolved
    assert error_codes(await _act(stack, "resolveAlert", alert_id, engineer_token)) == ["CONFLICT"]
    assert error_codes(await _act(stack, "acknowledgeAlert", alert_id, engineer_token)) == ["CONFLICT"]

    reopened = data(await _act(stack, "reopenAlert", alert_id, engineer_token, "又坏了"))["reopenAlert"]
    assert reopened["status"] == "OPEN"
    assert reopened["acknowledgedAt"] is None and reopened["resolvedBy"] is None  # this round's
    assert data(await _act(stack, "reopenAlert", alert_id, engineer_token))["reopenAlert"] == reopened
    assert error_codes(await _act(stack, "reopenAlert", alert_id, manager_token)) == ["CONFLICT"]
    # Straight from OPEN to RESOLVED: a fault fixed before anyone acknowledged it.
    final = data(await _act(stack, "resolveAlert", alert_id, manager_token, "更换压缩机"))["resolveAlert"]
    assert final["status"] == "RESOLVED" and final["acknowledgedAt"] is None
    assert [(h["action"], h["note"], h["actor"]) for h in final["history"]] == [
        ("RAISED", "", {"id": manager}),
        ("ACKNOWLEDGED", "已派人", {"id": engineer}),
        ("RESOLVED", "已修复", {"id": manager}),
        ("REOPENED", "又坏了", {"id": engineer}),
        ("RESOLVED", "更换压缩机", {"id": manager}),
    ]
    for type_, times in (
        ("alert.raised", 1),
        ("alert.acknowledged", 1),
        ("alert.resolved", 2),
        ("alert.reopened", 1),
    ):
        assert await _events(alert_id, type_) == times, type_
    assert error_codes(await _act(stack, "acknowledgeAlert", str(uuid.uuid4()), engineer_token)) == [
        "NOT_FOUND"
    ]
    too_long = await _act(stack, "reopenAlert", alert_id, engineer_token, "x" * 501)
    assert error_codes(too_long) == ["BAD_USER_INPUT"]


async def test_two_people_acknowledging_at_once_exactly_one_wins(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    _, engineer_token = await _staff(stack, tenant.hall, "OPS_ENGINEER")
    for round_ in range(5):
        alert_id = (await _raise(stack, tenant.hall_token, _new(tenant, f"网络中断-{round_}")))["id"]
        results = await asyncio.gather(
            _act(stack, "acknowledgeAlert", alert_id, engineer_token),
            _act(stack, "acknowledgeAlert", alert_id, tenant.hall_token),
        )
        assert sorted(error_codes(r) for r in results) == [[], ["CONFLICT"]]
        assert await AlertAction.filter(alert_id=alert_id, action="ACKNOWLEDGED").count() == 1
        assert await _events(alert_id, "alert.acknowledged") == 1


async def test_an_alert_storm_of_1000_repeats_is_one_alert_counted_1000_times(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    key = f"link-down:{uuid.uuid4()}"
    variables = _new(tenant, "专线中断", "CRITICAL", dedupKey=key, source="monitoring")
    # 50 monitoring agents (each its own user: the per-user rate limit of the test stack is 40 in
    # 5 s), 20 batches of 50 concurrent raises through the gateway, one per agent per batch.
    agents = [(await _staff(stack, tenant.hall, "OPS_ENGINEER"))[1] for _ in range(50)]
    ids: set[str] = set()
    for _ in range(20):
        batch = await asyncio.gather(*(_raise(stack, agent, variables) for agent in agents))
        ids |= {alert["id"] for alert in batch}
    assert len(ids) == 1
    alert = await Alert.get(dedup_key=key)
    assert (alert.count, alert.status) == (1000, AlertStatus.OPEN)
    assert await _events(str(alert.id), "alert.raised") == 1

    # The platform's own path (raise_system_alert, in a job's or a mutation's transaction).
    system_key = f"device-offline:{uuid.uuid4()}"

    async def sighting() -> Alert | None:
        async with in_transaction("operations"):
            return await raise_system_alert(
                tenant.hall.id, AlertLevel.WARNING, "终端离线", source="heartbeat", dedup_key=system_key
            )

    for _ in range(10):
        await asyncio.gather(*(sighting() for _ in range(100)))
    system = await Alert.get(dedup_key=system_key)
    assert system.count == 1000
    assert await _events(str(system.id), "alert.raised") == 1
    # A dedup key names one org's alert: the same key about another org is CONFLICT.
    _, ops_token = await _staff(stack, await Org.get(id=tenant.bank.parent_id), "OPS_ENGINEER")
    elsewhere = {"i": {**variables["i"], "orgId": str(tenant.bank.id)}}
    assert error_codes(await gql(stack.gateway_url, RAISE, elsewhere, ops_token)) == ["CONFLICT"]
    both = {"i": {**variables["i"], "idempotencyKey": "k1"}}
    assert error_codes(await gql(stack.gateway_url, RAISE, both, tenant.hall_token)) == ["BAD_USER_INPUT"]
    assert (await Alert.get(dedup_key=key)).count == 1000


async def test_a_resolved_alert_raised_again_is_reopened(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    key = f"disk-full:{uuid.uuid4()}"
    variables = _new(tenant, "磁盘已满", dedupKey=key)
    alert_id = (await _raise(stack, tenant.hall_token, variables))["id"]
    data(await _act(stack, "resolveAlert", alert_id, tenant.hall_token, "已清理"))
    again = await _raise(stack, tenant.hall_token, variables)
    assert (again["id"], again["status"], again["count"]) == (alert_id, "OPEN", 2)
    assert await _events(alert_id, "alert.reopened") == 1
    assert await _events(alert_id, "alert.raised") == 1

    # The platform's repeat reopens it too, recorded as the platform's (no actor).
    system_key = f"backup-missing:{uuid.uuid4()}"
    async with in_transaction("operations"):
        first = await raise_system_alert(
            tenant.hall.id, AlertLevel.WARNING, "备份缺失", source="backup", dedup_key=system_key
        )
    assert first is not None
    data(await _act(stack, "resolveAlert", str(first.id), tenant.hall_token))
    async with in_transaction("operations"):
        await raise_system_alert(
            tenant.hall.id, AlertLevel.WARNING, "备份缺失", source="backup", dedup_key=system_key
        )
    reopened = await Alert.get(id=first.id)
    assert (reopened.status, reopened.count, reopened.resolved_at) == (AlertStatus.OPEN, 2, None)
    last = await AlertAction.filter(alert_id=first.id).order_by("-created_at", "-id").first()
    assert last is not None and (last.action, last.actor_id) == ("REOPENED", None)
    assert await _events(str(first.id), "alert.reopened") == 1


async def _first_event(events: AsyncGenerator[dict[str, Any], None], raise_one: Any) -> dict[str, Any]:
    """The first event of ``events`` while ``raise_one()`` is called until one arrives (the
    subscription may not be live yet when the first is raised)."""
    receiver = asyncio.create_task(anext(events))
    try:
        for _ in range(40):
            await raise_one()
            done, _ = await asyncio.wait({receiver}, timeout=0.5)
            if done:
                break
        return receiver.result()["data"]["alerts"]
    finally:
        receiver.cancel()


async def test_routing_rules_decide_who_sees_an_alert_in_the_list_and_the_stream(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    root = await Org.get(id=tenant.bank.parent_id)
    _, province_token = await _staff(stack, root, "PROVINCE_ADMIN")
    _, engineer_token = await _staff(stack, tenant.hall, "OPS_ENGINEER")
    source = f"network-{uuid.uuid4().hex[:6]}"
    # The province: network alerts anywhere in it go to the ops engineers; at the hall, the
    # critical ones go to the hall manager instead (the deeper rule wins).
    broad = {"i": {"orgId": str(root.id), "roles": ["OPS_ENGINEER"], "source": source}}
    route = data(await gql(stack.gateway_url, ROUTE, broad, province_token))["createAlertRoute"]
    assert route["roles"] == ["OPS_ENGINEER"] and route["minLevel"] == "INFO"
    narrow = {
        "i": {
            "orgId": str(tenant.hall.id),
            "roles": ["HALL_MANAGER"],
            "source": source,
            "minLevel": "CRITICAL",
        }
    }
    data(await gql(stack.gateway_url, ROUTE, narrow, province_token))
    # Only admins change routes, only in their subtree.
    assert error_codes(await gql(stack.gateway_url, ROUTE, broad, tenant.hall_token)) == ["FORBIDDEN"]
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    stranger = await make_user(other.bank, ("HQ_ADMIN",))
    stranger_token = token_for(stranger, other.bank, stack.settings)
    assert error_codes(await gql(stack.gateway_url, ROUTE, broad, stranger_token)) == ["NOT_FOUND"]
    bad_roles = {"i": {**broad["i"], "roles": ["NO_SUCH_ROLE"]}}
    assert error_codes(await gql(stack.gateway_url, ROUTE, bad_roles, province_token)) == ["BAD_USER_INPUT"]

    warning = await _raise(stack, tenant.hall_token, _new(tenant, "交换机端口抖动", source=source))
    critical = await _raise(
        stack, tenant.hall_token, _new(tenant, "核心交换机宕机", "CRITICAL", source=source)
    )
    plain = await _raise(stack, tenant.hall_token, _new(tenant, "打印机缺纸"))
    assert (warning["routedRoles"], critical["routedRoles"], plain["routedRoles"]) == (
        ["OPS_ENGINEER"],
        ["HALL_MANAGER"],
        [],
    )
    engineer_sees, manager_sees = (
        await _listed(stack, engineer_token),
        await _listed(stack, tenant.hall_token),
    )
    assert warning["id"] in engineer_sees and warning["id"] not in manager_sees
    assert critical["id"] in manager_sees and critical["id"] not in engineer_sees
    assert plain["id"] in engineer_sees and plain["id"] in manager_sees

    # The stream: the hall manager does not get the engineers' alerts.
    events = subscribe_ws(stack.gateway_ws, FEED, None, tenant.hall_token)
    title = f"只给工程师-{uuid.uuid4().hex[:6]}"

    async def raise_both() -> None:
        await _raise(stack, tenant.hall_token, _new(tenant, title, source=source))
        await _raise(stack, tenant.hall_token, _new(tenant, "营业厅停电"))

    first = await _first_event(events, raise_both)
    assert first["alert"]["title"] == "营业厅停电" and first["action"] == "RAISED"
    await events.aclose()

    listed = data(
        await gql(stack.gateway_url, "{ alertRoutes(first: 50) { nodes { id } } }", None, province_token)
    )
    assert route["id"] in {n["id"] for n in listed["alertRoutes"]["nodes"]}
    theirs = data(
        await gql(stack.gateway_url, "{ alertRoutes(first: 50) { nodes { id } } }", None, stranger_token)
    )
    assert route["id"] not in {n["id"] for n in theirs["alertRoutes"]["nodes"]}
    delete = "mutation($id: ID!) { deleteAlertRoute(id: $id) }"
    assert error_codes(await gql(stack.gateway_url, delete, {"id": route["id"]}, stranger_token)) == [
        "NOT_FOUND"
    ]
    assert data(await gql(stack.gateway_url, delete, {"id": route["id"]}, province_token)) == {
        "deleteAlertRoute": route["id"]
    }
    after = await _raise(stack, tenant.hall_token, _new(tenant, "端口抖动again", source=source))
    assert after["routedRoles"] == []  # no broad rule any more, and the narrow one wants CRITICAL


async def test_a_silenced_alert_is_recorded_flagged_not_streamed_and_not_escalated(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    now = datetime.now(UTC)
    window = {
        "i": {
            "orgId": str(tenant.hall.id),
            "startsAt": (now - timedelta(minutes=1)).isoformat(),
            "endsAt": (now + timedelta(hours=1)).isoformat(),
            "reason": "UPS 维护",
            "source": "ups",  # only the UPS alerts of the hall
        }
    }
    silence = data(await gql(stack.gateway_url, SILENCE, window, tenant.hall_token))["createAlertSilence"]
    assert silence["active"] is True
    backwards = {"i": {**window["i"], "endsAt": (now - timedelta(hours=1)).isoformat()}}
    assert error_codes(await gql(stack.gateway_url, SILENCE, backwards, tenant.hall_token)) == [
        "BAD_USER_INPUT"
    ]
    applicant = await make_user(await make_org("企业", OrgKind.REGULATOR), ("ENTERPRISE_USER",))
    applicant_token = token_for(applicant, await Org.get(id=applicant.org_id), stack.settings)
    assert error_codes(await gql(stack.gateway_url, SILENCE, window, applicant_token)) in (
        ["NOT_FOUND"],
        ["FORBIDDEN"],
    )

    events = subscribe_ws(stack.gateway_ws, FEED, None, tenant.hall_token)
    warm = await _first_event(events, lambda: _raise(stack, tenant.hall_token, _new(tenant, "预热")))
    assert warm["alert"]["title"] == "预热"  # the subscription is live
    quiet = await _raise(stack, tenant.hall_token, _new(tenant, "UPS 切换测试", "CRITICAL", source="ups"))
    assert quiet["silenced"] is True
    loud = await _raise(stack, tenant.hall_token, _new(tenant, "未静默告警"))
    assert loud["silenced"] is False
    while (event := (await anext(events))["data"]["alerts"])["alert"]["title"] == "预热":
        pass  # warm-up raises still on their way
    assert event["alert"]["id"] == loud["id"], "a silenced alert was pushed as new"
    await events.aclose()
    assert quiet["id"] in await _listed(stack, tenant.hall_token)  # recorded: nothing is lost
    assert await _events(quiet["id"], "alert.raised") == 0
    await escalate_stale_alerts(datetime.now(UTC) + timedelta(minutes=30))
    assert (await Alert.get(id=quiet["id"])).incident_id is None  # never escalated

    ended = data(await gql(stack.gateway_url, END_SILENCE, {"id": silence["id"]}, tenant.hall_token))
    assert ended["endAlertSilence"]["active"] is False
    assert data(await gql(stack.gateway_url, END_SILENCE, {"id": silence["id"]}, tenant.hall_token)) == ended
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    refused = await gql(stack.gateway_url, END_SILENCE, {"id": silence["id"]}, other.hall_token)
    assert error_codes(refused) == ["NOT_FOUND"]
    after = await _raise(stack, tenant.hall_token, _new(tenant, "UPS 再次切换", source="ups"))
    assert after["silenced"] is False
    active = "{ alertSilences(first: 50, active: true) { nodes { id } } }"
    still = {
        n["id"]
        for n in data(await gql(stack.gateway_url, active, None, tenant.hall_token))["alertSilences"]["nodes"]
    }
    assert silence["id"] not in still


async def test_critical_unacknowledged_alert_becomes_an_incident_once(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    stale = await _raise(stack, tenant.hall_token, _new(tenant, "核心系统宕机", "CRITICAL"))
    warning = await _raise(stack, tenant.hall_token, _new(tenant, "响应变慢", "WARNING"))
    acked = await _raise(stack, tenant.hall_token, _new(tenant, "已确认的宕机", "CRITICAL"))
    data(await _act(stack, "acknowledgeAlert", acked["id"], tenant.hall_token))
    start = datetime.now(UTC)

    await escalate_stale_alerts(start + timedelta(minutes=14))
    assert (await Alert.get(id=stale["id"])).incident_id is None  # not yet 15 minutes
    later = start + timedelta(minutes=16)
    await asyncio.gather(escalate_stale_alerts(later), escalate_stale_alerts(later))
    await escalate_stale_alerts(later)  # (a run of the subgraph's own job may have held the lock)
    escalated = await Alert.get(id=stale["id"])
    assert escalated.incident_id is not None
    incident = await Incident.get(id=escalated.incident_id)  # made by incidents.py report_from_alert
    assert (incident.alert_id, incident.source, incident.title) == (
        escalated.id,
        IncidentSource.ALERT,
        "核心系统宕机",
    )
    assert await Incident.filter(alert_id=escalated.id).count() == 1
    assert await AlertAction.filter(alert_id=stale["id"], action="ESCALATED").count() == 1
    assert await _events(stale["id"], "alert.escalated") == 1
    for other in (warning, acked):
        assert (await Alert.get(id=other["id"])).incident_id is None
    assert await escalate_stale_alerts(later + timedelta(hours=1)) >= 0
    assert (await Alert.get(id=stale["id"])).incident_id == escalated.incident_id


async def test_callers_out_of_scope_or_without_the_role_cannot_read_or_act(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    alert_id = (await _raise(stack, tenant.hall_token, _new(tenant, "越权测试")))["id"]
    regulator_org = await make_org("测试金融监管局", OrgKind.REGULATOR)
    outsiders = {
        "their hall manager": other.hall_token,
        "their ops engineer": (await _staff(stack, other.hall, "OPS_ENGINEER"))[1],
        "an applicant": (await _staff(stack, regulator_org, "ENTERPRISE_USER"))[1],
        "a security admin": (await _staff(stack, tenant.hall, "SECURITY_ADMIN"))[1],
    }
    for who, token in outsiders.items():
        for name in ACT:
            assert error_codes(await _act(stack, name, alert_id, token)) == ["NOT_FOUND"], (who, name)
        assert alert_id not in await _listed(stack, token), who
    # In scope but not a role that handles alerts: a customer manager of the hall's org.
    _, teller = await _staff(stack, tenant.hall, "CUSTOMER_MANAGER")
    assert error_codes(await _act(stack, "acknowledgeAlert", alert_id, teller)) == ["FORBIDDEN"]
    # The regulator sees every alert but acknowledges only the supervision ones, and resolves none.
    _, regulator = await _staff(stack, regulator_org, "REGULATOR")
    assert error_codes(await _act(stack, "acknowledgeAlert", alert_id, regulator)) == ["FORBIDDEN"]
    supervision = await _raise(stack, tenant.hall_token, _new(tenant, "督办预警", source="supervision"))
    assert data(await _act(stack, "acknowledgeAlert", supervision["id"], regulator))
    assert error_codes(await _act(stack, "resolveAlert", supervision["id"], regulator)) == ["FORBIDDEN"]
    assert (await Alert.get(id=alert_id)).status is AlertStatus.OPEN


async def test_the_stream_carries_every_step_and_resumes_after_an_event(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    feed = "subscription($a: ID) { alerts(after: $a) { eventId action alert { id status } } }"
    events = subscribe_ws(stack.gateway_ws, feed, None, tenant.hall_token)
    first = await _first_event(events, lambda: _raise(stack, tenant.hall_token, _new(tenant, "起点")))
    await events.aclose()
    alert_id = first["alert"]["id"]
    for name in ACT:
        data(await _act(stack, name, alert_id, tenant.hall_token))
    resumed = subscribe_ws(stack.gateway_ws, feed, {"a": first["eventId"]}, tenant.hall_token)
    seen: list[tuple[str, str]] = []
    while len(seen) < 3:
        event = (await asyncio.wait_for(anext(resumed), 10))["data"]["alerts"]
        if event["alert"]["id"] == alert_id:
            seen.append((event["action"], event["alert"]["status"]))
    await resumed.aclose()
    assert seen == [("ACKNOWLEDGED", "ACKNOWLEDGED"), ("RESOLVED", "RESOLVED"), ("REOPENED", "OPEN")]
