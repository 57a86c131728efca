"""故障事件 (resolvers/operations/incidents.py, sla.py, escalation.py) through the real gateway: an
incident walked through every state with its SLA clocks checked at each step; the confirmation
matrix at 1 h / 4 h / 24 h / 48 h for each level, and escalation after 2 h standing still; missed
targets raising one alert each; two engineers taking one incident at once; out-of-scope callers.

Time passes by a test clock, never by sleeping: ``age`` moves an incident's recorded times back
(as if that long had passed since), and the jobs take the moment to run at.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.operations import (
    Alert,
    Incident,
    IncidentLevel,
    IncidentStep,
    Org,
    OrgKind,
    SupportTier,
    User,
)
from resolvers.operations import escalation
from resolvers.operations.policies import MATRIX_004
from testkit.factories import make_org, make_user, token_for
from testkit.inprocess import codes, execute
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

FIELDS = """id code status level source assignee { id } confirmedTier escalatedTier escalations
  satisfaction pausedSeconds sla { kind dueAt doneAt breached paused remainingSeconds }"""
REPORT = f"mutation($i: ReportIncidentInput!) {{ reportIncident(input: $i) {{ {FIELDS} }} }}"


def step(name: str, args: str = "") -> str:
    """The mutation of one workflow step, e.g. ``step("takeIncident")``."""
    extra = f", {args}" if args else ""
    return f"mutation($id: ID!{extra and ', ' + _vars(args)}) {{ {name}(id: $id{extra}) {{ {FIELDS} }} }}"


def _vars(args: str) -> str:
    types = {"$level": "IncidentLevel!", "$who": "ID!", "$s": "Int!", "$text": "String!", "$note": "String!"}
    return ", ".join(f"{v}: {t}" for v, t in types.items() if v in args)


@dataclass
class Ops:
    """A bureau (its own tenant) with a machine room under it; its service team at the bureau, one
    per tier; the room's manager who reports; and a stranger: another bureau's engineer."""

    bureau: Org
    room: Org
    team: dict[SupportTier, tuple[User, str]]
    reporter: tuple[User, str]
    stranger: str


async def make_ops(stack: Stack) -> Ops:
    settings = stack.settings
    bureau = await make_org("测试信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    room = await make_org("一号机房", OrgKind.HALL, bureau)
    team = {}
    for tier in SupportTier:
        user = await make_user(bureau, ("OPS_ENGINEER",), f"运维{tier}")
        await User.filter(id=user.id).update(support_tier=tier)
        team[tier] = (user, token_for(user, bureau, settings))
    reporter = await make_user(room, ("HALL_MANAGER",), "机房管理员")
    other = await make_org("另一信息处", OrgKind.GRID_COMPANY, own_tenant=True)
    stranger = await make_user(other, ("OPS_ENGINEER",), "外单位运维")
    return Ops(
        bureau,
        room,
        team,
        (reporter, token_for(reporter, room, settings)),
        token_for(stranger, other, settings),
    )


async def call(stack: Stack, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    result = await gql(stack.gateway_url, query, variables, token)
    name = next(iter(result.get("data") or {"?": None}))
    return dict(data(result)[name])


async def report(stack: Stack, ops: Ops, level: str = "LEVEL_2", **extra: Any) -> dict[str, Any]:
    i = {"orgId": str(ops.room.id), "title": "核心交换机端口故障", "level": level, **extra}
    return await call(stack, REPORT, {"i": i}, ops.reporter[1])


async def age(incident_id: str, minutes: float) -> None:
    """As if ``minutes`` had passed: every recorded time of the incident moves back by as long."""
    delta = timedelta(minutes=minutes)
    incident = await Incident.get(id=incident_id)
    times = (
        "reported_at confirmed_at on_site_at resolved_at closed_at analysed_at last_moved_at "
        "respond_due_at on_site_due_at resolve_due_at paused_at"
    ).split()
    moved = {name: getattr(incident, name) - delta for name in times if getattr(incident, name)}
    await Incident.filter(id=incident_id).update(**moved)
    for row in await IncidentStep.filter(incident_id=incident_id):
        await IncidentStep.filter(id=row.id).update(at=row.at - delta)


def clock(incident: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in incident["sla"] if c["kind"] == kind)


def about(seconds: int | None, expected: float) -> bool:
    return seconds is not None and abs(seconds - expected) <= 30  # the requests' own time


async def test_an_incident_walks_every_state_with_its_sla_clock(stack: Stack) -> None:
    ops = await make_ops(stack)
    desk, engineer = ops.team[SupportTier.TECHNICIAN][1], ops.team[SupportTier.ENGINEER]
    reporter = ops.reporter[1]
    incident = await report(stack, ops, "LEVEL_2", idempotencyKey="k-1")
    id_ = incident["id"]
    assert (incident["status"], incident["source"]) == ("REPORTED", "STAFF")
    # seed 004: respond within 15 minutes, on site within 1 h, 二级 fixed within 4 h
    assert about(clock(incident, "RESPOND")["remainingSeconds"], 15 * 60)
    assert about(clock(incident, "ON_SITE")["remainingSeconds"], 60 * 60)
    assert about(clock(incident, "RESOLVE")["remainingSeconds"], 4 * 3600)
    assert (await report(stack, ops, "LEVEL_2", idempotencyKey="k-1"))["id"] == id_  # a retry: the same one
    again = {"orgId": str(ops.room.id), "title": "另一故障", "level": "LEVEL_2", "idempotencyKey": "k-1"}
    assert error_codes(await gql(stack.gateway_url, REPORT, {"i": again}, reporter)) == ["CONFLICT"]

    await age(id_, 10)
    start = step("startIncident")
    assert error_codes(await gql(stack.gateway_url, start, {"id": id_}, engineer[1])) == ["FORBIDDEN"]
    incident = await call(stack, step("confirmIncident"), {"id": id_}, desk)
    respond = clock(incident, "RESPOND")
    assert (incident["status"], respond["breached"], respond["remainingSeconds"]) == (
        "CONFIRMED",
        False,
        None,
    )
    assert incident["confirmedTier"] == "TECHNICIAN"

    classify = step("classifyIncident", "level: $level")
    incident = await call(
        stack, classify, {"id": id_, "level": "LEVEL_1"}, desk
    )  # 一级: 24 h from the report
    assert incident["status"] == "CLASSIFIED"
    assert about(clock(incident, "RESOLVE")["remainingSeconds"], 24 * 3600 - 10 * 60)

    assign = step("assignIncident", "assigneeId: $who")
    incident = await call(stack, assign, {"id": id_, "who": str(engineer[0].id)}, desk)
    assert (incident["status"], incident["assignee"]) == ("ASSIGNED", {"id": str(engineer[0].id)})
    assert error_codes(await gql(stack.gateway_url, start, {"id": id_}, desk)) == ["FORBIDDEN"]  # not theirs
    assert (await call(stack, start, {"id": id_}, engineer[1]))["status"] == "IN_PROGRESS"
    assert (await call(stack, start, {"id": id_}, engineer[1]))["status"] == "IN_PROGRESS"  # a repeat
    await age(id_, 10)
    incident = await call(stack, step("arriveOnSite"), {"id": id_}, engineer[1])
    on_site = clock(incident, "ON_SITE")
    assert on_site["doneAt"] and not on_site["breached"]

    submit = step("submitIncidentForTest")
    assert (await call(stack, submit, {"id": id_}, engineer[1]))["status"] == "TESTING"
    assert (await call(stack, step("reworkIncident"), {"id": id_}, desk))["status"] == "IN_PROGRESS"
    assert (await call(stack, submit, {"id": id_}, engineer[1]))["status"] == "TESTING"
    incident = await call(stack, step("resolveIncident"), {"id": id_}, desk)
    assert incident["status"] == "PENDING_CONFIRMATION"
    resolve = clock(incident, "RESOLVE")
    assert resolve["paused"] and about(resolve["remainingSeconds"], 24 * 3600 - 20 * 60)

    await age(id_, 180)  # three hours pending the reporter: the resolve clock stands still
    resolve = clock(
        await call(stack, "query($id: ID!) { incident(id: $id) { " + FIELDS + " } }", {"id": id_}, desk),
        "RESOLVE",
    )
    assert resolve["paused"] and about(resolve["remainingSeconds"], 24 * 3600 - 20 * 60)
    incident = await call(stack, step("rejectIncidentResolution"), {"id": id_}, reporter)
    assert incident["status"] == "IN_PROGRESS" and about(incident["pausedSeconds"], 3 * 3600)
    resolve = clock(incident, "RESOLVE")
    assert not resolve["paused"] and about(resolve["remainingSeconds"], 24 * 3600 - 20 * 60)

    assert (await call(stack, submit, {"id": id_}, engineer[1]))["status"] == "TESTING"
    assert (await call(stack, step("resolveIncident"), {"id": id_}, desk))["status"] == "PENDING_CONFIRMATION"
    close = step("closeIncident", "satisfaction: $s")
    assert error_codes(await gql(stack.gateway_url, close, {"id": id_, "s": 5}, desk)) == ["FORBIDDEN"]
    assert error_codes(await gql(stack.gateway_url, close, {"id": id_, "s": 6}, reporter)) == [
        "BAD_USER_INPUT"
    ]
    incident = await call(stack, close, {"id": id_, "s": 5}, reporter)
    assert (incident["status"], incident["satisfaction"]) == ("CLOSED", 5)
    resolve = clock(incident, "RESOLVE")
    assert resolve["doneAt"] and not resolve["breached"] and resolve["remainingSeconds"] is None
    analyse = step("analyseIncident", "analysis: $text")
    assert (await call(stack, analyse, {"id": id_, "text": "端口老化，已更换"}, desk))["status"] == "ANALYSED"
    assert error_codes(await gql(stack.gateway_url, submit, {"id": id_}, engineer[1])) == ["CONFLICT"]

    history = await call(
        stack,
        "query($id: ID!) { incident(id: $id) { history { action fromStatus toStatus actor { id } } } }",
        {"id": id_},
        desk,
    )
    actions = [h["action"] for h in history["history"]]
    assert actions == [
        "REPORT", "CONFIRM", "CLASSIFY", "ASSIGN", "START", "ARRIVE", "SUBMIT_TEST", "REWORK",
        "SUBMIT_TEST", "RESOLVE", "REJECT", "SUBMIT_TEST", "RESOLVE", "CLOSE", "ANALYSE",
    ]  # fmt: skip
    assert history["history"][0]["actor"] == {"id": str(ops.reporter[0].id)}


async def test_two_engineers_taking_one_incident_exactly_one_wins(stack: Stack) -> None:
    ops = await make_ops(stack)
    desk = ops.team[SupportTier.TECHNICIAN][1]
    id_ = (await report(stack, ops))["id"]
    await call(stack, step("confirmIncident"), {"id": id_}, desk)
    await call(stack, step("classifyIncident", "level: $level"), {"id": id_, "level": "LEVEL_3"}, desk)
    takers = [ops.team[SupportTier.ENGINEER], ops.team[SupportTier.EXPERT]]
    results = await asyncio.gather(
        *(gql(stack.gateway_url, step("takeIncident"), {"id": id_}, token) for _, token in takers)
    )
    won = [r for r in results if not r.get("errors")]
    assert len(won) == 1 and [error_codes(r) for r in results if r.get("errors")] == [["CONFLICT"]]
    winner = won[0]["data"]["takeIncident"]["assignee"]["id"]
    assert (await Incident.get(id=id_)).assignee_id == uuid.UUID(winner)


async def test_out_of_scope_callers_cannot_read_or_work_an_incident(stack: Stack) -> None:
    ops = await make_ops(stack)
    id_ = (await report(stack, ops))["id"]
    read = "query($id: ID!) { incident(id: $id) { id } }"
    assert (await gql(stack.gateway_url, read, {"id": id_}, ops.stranger))["data"]["incident"] is None
    listed = await gql(stack.gateway_url, "{ incidents(first: 50) { nodes { id } } }", {}, ops.stranger)
    assert {"id": id_} not in data(listed)["incidents"]["nodes"]
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Incident { id } } }"
    reference = {"r": [{"__typename": "Incident", "id": id_}]}
    result = await execute("operations", entities, reference, ops.stranger, settings=stack.settings)
    assert codes(result) == ["NOT_FOUND"]
    mine = await execute(
        "operations", entities, reference, ops.team[SupportTier.TECHNICIAN][1], settings=stack.settings
    )
    assert mine.data == {"_entities": [{"id": id_}]}
    for mutation in ("confirmIncident", "takeIncident"):
        result = await gql(stack.gateway_url, step(mutation), {"id": id_}, ops.stranger)
        assert error_codes(result) == ["NOT_FOUND"], mutation
    # Reporting at an org one does not see, and assigning to someone one does not see.
    other = {"orgId": str(uuid.uuid4()), "title": "x", "level": "LEVEL_4"}
    assert error_codes(await gql(stack.gateway_url, REPORT, {"i": other}, ops.stranger)) == ["NOT_FOUND"]
    assert (await Incident.get(id=id_)).status == "REPORTED"
    # A hall manager reports, but does not enter phone calls for the service desk.
    phone = {
        "orgId": str(ops.room.id),
        "title": "电话报修",
        "level": "LEVEL_4",
        "caller": "张三 0851-1234567",
    }
    assert error_codes(await gql(stack.gateway_url, REPORT, {"i": phone}, ops.reporter[1])) == ["FORBIDDEN"]
    entered = await call(stack, REPORT, {"i": phone}, ops.team[SupportTier.TECHNICIAN][1])
    assert entered["source"] == "PHONE"


def _moments(incident: Incident, minutes: int) -> tuple[datetime, datetime]:
    """A minute before and the minute ``minutes`` after the report."""
    at = incident.reported_at + timedelta(minutes=minutes)
    return at - timedelta(minutes=1), at


@pytest.mark.parametrize("level", list(IncidentLevel))
async def test_the_confirmation_matrix_escalates_each_level_on_time(
    stack: Stack, level: IncidentLevel
) -> None:
    """seed 004 事故分级响应服务时间: by each cell's time, its tier must have confirmed; nobody did, so
    the incident is escalated to that tier then, and not a minute before. (The incident is kept
    moving, so that standing still does not escalate it first.)"""
    ops = await make_ops(stack)
    incident = await Incident.get(id=(await report(stack, ops, level.value))["id"])
    for minutes, tier in MATRIX_004[level]:
        before, at = _moments(incident, minutes)
        await Incident.filter(id=incident.id).update(last_moved_at=before - timedelta(minutes=1))
        await escalation.escalate(before)
        assert (await Incident.get(id=incident.id)).escalated_tier != tier, (level, minutes)
        await Incident.filter(id=incident.id).update(last_moved_at=at - timedelta(minutes=1))
        await escalation.escalate(at)
        row = await Incident.get(id=incident.id)
        assert row.escalated_tier is tier, (level, minutes)
    steps = await IncidentStep.filter(incident_id=incident.id, action="ESCALATE").order_by("at")
    assert [s.tier for s in steps] == [tier for _, tier in MATRIX_004[level]]
    notified = steps[0].detail["notified"]
    assert notified == [str(ops.team[MATRIX_004[level][0][1]][0].id)]  # that tier's staff over the room


async def test_a_confirmation_by_the_tier_the_matrix_asks_for_stops_its_escalation(stack: Stack) -> None:
    ops = await make_ops(stack)
    id_ = (await report(stack, ops, "LEVEL_1"))["id"]
    await call(stack, step("confirmIncident"), {"id": id_}, ops.team[SupportTier.ENGINEER][1])
    incident = await Incident.get(id=id_)
    _, at = _moments(incident, 4 * 60)  # by 4 h an engineer must have confirmed: one did
    await Incident.filter(id=id_).update(last_moved_at=at)
    await escalation.escalate(at)
    assert (await Incident.get(id=id_)).escalated_tier is None


async def test_an_incident_standing_still_is_escalated_every_two_hours(stack: Stack) -> None:
    ops = await make_ops(stack)
    events = subscribe_ws(
        stack.gateway_ws,
        "subscription { incidents(mine: true) { action incident { id escalatedTier } } }",
        None,
        ops.team[SupportTier.TECHNICIAN][1],
    )
    receiver = asyncio.create_task(anext(events))
    await asyncio.sleep(0.5)
    incident = await Incident.get(id=(await report(stack, ops, "LEVEL_4"))["id"])
    start = incident.reported_at
    tiers = []
    for hours in (1, 2, 3, 4, 6, 8, 10):
        await escalation.escalate(start + timedelta(hours=hours, seconds=1))
        tiers.append((await Incident.get(id=incident.id)).escalated_tier)
    T, E, X, P = SupportTier
    assert tiers == [None, T, T, E, X, P, P]  # every 2 h to the next tier, up to the project manager
    # The technician over the room hears of the first escalation on their own stream.
    event = (await asyncio.wait_for(receiver, 10))["data"]["incidents"]
    assert event == {
        "action": "ESCALATE",
        "incident": {"id": str(incident.id), "escalatedTier": "TECHNICIAN"},
    }
    # Two replicas running the check at once escalate once.
    await Incident.filter(id=incident.id).update(escalated_tier=None, escalations=0)
    moment = start + timedelta(hours=20)
    counts = await asyncio.gather(escalation.escalate(moment), escalation.escalate(moment))
    assert sorted(counts) == [0, 1] and (await Incident.get(id=incident.id)).escalations == 1


async def test_a_missed_target_is_a_breach_once_with_one_alert(stack: Stack) -> None:
    ops = await make_ops(stack)
    id_ = (await report(stack, ops, "LEVEL_1"))["id"]
    incident = await Incident.get(id=id_)
    moment = incident.reported_at + timedelta(minutes=16)
    await escalation.check_sla(moment)
    await escalation.check_sla(moment + timedelta(minutes=5))
    incident = await Incident.get(id=id_)
    assert (incident.respond_breached, incident.on_site_breached, incident.resolve_breached) == (
        True,
        False,
        False,
    )
    (alert,) = await Alert.filter(dedup_key=f"sla:{id_}:RESPOND")
    assert (alert.level, alert.org_id, alert.source) == ("CRITICAL", ops.room.id, "sla")
    assert await IncidentStep.filter(incident_id=id_, action="BREACH").count() == 1
    # The respond clock reads as missed through the API.
    query = "query($id: ID!) { incident(id: $id) { sla { kind breached } } }"
    clocks = (await call(stack, query, {"id": id_}, ops.reporter[1]))["sla"]
    assert {"kind": "RESPOND", "breached": True} in clocks


async def test_a_backlog_larger_than_a_chunk_is_all_marked_in_one_run(stack: Stack) -> None:
    """55 incidents two hours late on every target: 165 breaches, written 50 at a time, all in the
    one run; the next run adds none."""
    ops = await make_ops(stack)
    first = await Incident.get(id=(await report(stack, ops, "LEVEL_4"))["id"])
    fields = {
        name: getattr(first, name)
        for name in ("org_id", "org_path", "tenant_id", "policy_id", "calendar", "month", "source", "level")
    }
    late = first.reported_at - timedelta(hours=2)
    due = {"respond_due_at": late, "on_site_due_at": late, "resolve_due_at": late}
    await Incident.bulk_create(
        [
            Incident(
                code=f"INC-B{n:03d}-{first.code[-6:]}",
                title="积压",
                reported_at=late,
                last_moved_at=late,
                **fields,
                **due,
            )
            for n in range(54)
        ]
    )
    await Incident.filter(id=first.id).update(reported_at=late, **due)
    ids = [i.id for i in await Incident.filter(org_path=ops.room.path)]
    assert len(ids) == 55
    assert await escalation.check_sla() >= 165
    rows = await Incident.filter(id__in=ids)
    assert all(r.respond_breached and r.on_site_breached and r.resolve_breached for r in rows)
    assert await IncidentStep.filter(incident_id__in=ids, action="BREACH").count() == 165
    await escalation.check_sla()  # again: nothing more for these
    assert await IncidentStep.filter(incident_id__in=ids, action="BREACH").count() == 165
