"""供电营业厅 (resolvers/operations/halls.py, queues.py): the queue's lifecycle and its races (two
windows calling next at once get two tickets; two staff calling one ticket, one CONFLICT), the
queue length and waiting-time figures, visitor counts once per (hall, counter, period), duty with
its history, service-quality events raising one alert per rule window, the statements of
``hallStatuses`` for 1 and 10 halls, and, through the real gateway, the mutations' scope and the
``hallStatus`` stream filtered by scope."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.operations import (
    Alert,
    AlertLevel,
    DutyStatus,
    HallProfile,
    HallType,
    Org,
    OrgKind,
    QualityCategory,
    QueueTicket,
    ServiceQualityEvent,
    StaffDuty,
    TicketStatus,
    User,
    VisitorCount,
)
from resolvers.common.clock import CST
from resolvers.common.errors import CodedError
from resolvers.operations import halls, queues
from resolvers.operations.identity import principal_for
from resolvers.operations.queues import TicketStep
from security.principal import Principal
from testkit.factories import Tenant, make_org, make_staff, make_tenant, make_user
from testkit.sqlcount import counted
from tests.support.stack import Stack


@dataclass
class Hall:
    tenant: Tenant
    hall: Org
    manager: Principal  # the hall manager (营业厅管理)
    clerk: Principal  # a second member of staff at the hall
    clerk_user: User


async def make_hall(settings: Any) -> Hall:
    tenant = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    hall = tenant.hall
    await HallProfile.create(
        hall=hall,
        org_path=hall.path,
        hall_type=HallType.BRAND,
        business_types=list(queues.BUSINESS_TYPES),
    )
    clerk = await make_user(hall, ("HALL_MANAGER",), "营业员")
    return Hall(tenant, hall, principal_for(tenant.hall_manager, hall), principal_for(clerk, hall), clerk)


async def coded(awaitable: Any) -> str:
    try:
        await awaitable
    except CodedError as error:
        return error.code.value
    return "OK"


# -- the queue (排队叫号) --------------------------------------------------------------------------------


@pytest.mark.integration
async def test_a_ticket_walks_through_its_lifecycle_and_repeats_are_safe(database: Any) -> None:
    h = await make_hall(database)
    first = await queues.issue_queue_ticket(h.manager, h.hall.id, "PAYMENT", "key-1")
    again = await queues.issue_queue_ticket(h.manager, h.hall.id, "PAYMENT", "key-1")
    assert again.id == first.id and first.number == "A001"  # a retry issues nothing twice
    assert await coded(queues.issue_queue_ticket(h.manager, h.hall.id, "INVOICE", "key-1")) == "CONFLICT"
    second = await queues.issue_queue_ticket(h.manager, h.hall.id, "PAYMENT")
    invoice = await queues.issue_queue_ticket(h.manager, h.hall.id, "INVOICE")
    assert (second.number, invoice.number) == ("A002", "D001")
    assert await coded(queues.issue_queue_ticket(h.manager, h.hall.id, "NO_SUCH")) == "BAD_USER_INPUT"

    called = await queues.step_ticket(h.manager, first.id, TicketStep.CALL, "3号窗口")
    assert (called.status, called.window, called.called_by) == (
        TicketStatus.CALLED,
        "3号窗口",
        h.manager.user_id,
    )
    repeat = await queues.step_ticket(h.manager, first.id, TicketStep.CALL, "3号窗口")
    assert repeat.status is TicketStatus.CALLED  # the same person again: safe
    assert await coded(queues.step_ticket(h.clerk, first.id, TicketStep.CALL, "5号窗口")) == "CONFLICT"
    assert (
        await coded(queues.step_ticket(h.manager, first.id, TicketStep.FINISH)) == "CONFLICT"
    )  # not serving
    serving = await queues.step_ticket(h.manager, first.id, TicketStep.START)
    assert serving.status is TicketStatus.SERVING and serving.served_by == h.manager.user_id
    done = await queues.step_ticket(h.manager, first.id, TicketStep.FINISH)
    assert done.status is TicketStatus.DONE and done.finished_at is not None
    assert (await queues.step_ticket(h.manager, first.id, TicketStep.FINISH)).status is TicketStatus.DONE
    assert await coded(queues.step_ticket(h.manager, first.id, TicketStep.MISS)) == "CONFLICT"

    await queues.step_ticket(h.clerk, second.id, TicketStep.CALL, "5号窗口")
    missed = await queues.step_ticket(h.clerk, second.id, TicketStep.MISS)
    assert missed.status is TicketStatus.MISSED  # 过号
    assert await coded(queues.step_ticket(h.clerk, second.id, TicketStep.START)) == "CONFLICT"


@pytest.mark.integration
async def test_two_windows_calling_next_at_once_get_different_tickets(database: Any) -> None:
    h = await make_hall(database)
    issued = [await queues.issue_queue_ticket(h.manager, h.hall.id, "PAYMENT") for _ in range(3)]
    one, two = await asyncio.gather(
        queues.call_next(h.manager, h.hall.id, "PAYMENT", "1号窗口"),
        queues.call_next(h.clerk, h.hall.id, None, "2号窗口"),
    )
    assert one is not None and two is not None and one.id != two.id
    assert {one.id, two.id} == {issued[0].id, issued[1].id}  # the oldest two
    # A retry at a window holding a called ticket gets it back: nobody else is called.
    assert (await queues.call_next(h.manager, h.hall.id, "PAYMENT", "1号窗口")) == one
    await queues.step_ticket(h.manager, one.id, TicketStep.MISS)
    third = await queues.call_next(h.manager, h.hall.id, "PAYMENT", "1号窗口")
    assert third is not None and third.id == issued[2].id
    await queues.step_ticket(h.manager, third.id, TicketStep.MISS)
    assert await queues.call_next(h.manager, h.hall.id, None, "1号窗口") is None  # nobody waits
    assert await coded(queues.call_next(h.manager, h.hall.id, None, "")) == "BAD_USER_INPUT"


@pytest.mark.integration
async def test_two_staff_calling_one_ticket_one_wins_the_other_gets_conflict(database: Any) -> None:
    h = await make_hall(database)
    ticket = await queues.issue_queue_ticket(h.manager, h.hall.id, "CONSULTING")
    results = await asyncio.gather(
        coded(queues.step_ticket(h.manager, ticket.id, TicketStep.CALL, "1号窗口")),
        coded(queues.step_ticket(h.clerk, ticket.id, TicketStep.CALL, "2号窗口")),
    )
    assert sorted(results) == ["CONFLICT", "OK"]


@pytest.mark.integration
async def test_issuing_at_once_gives_distinct_numbers_and_a_device_event_once(database: Any) -> None:
    h = await make_hall(database)
    tickets = await asyncio.gather(
        *(queues.issue_ticket(h.hall.id, "CHANGE", datetime.now(UTC)) for _ in range(6))
    )
    assert sorted(t.number for t in tickets) == [f"C{n:03d}" for n in range(1, 7)]
    event = f"evt-{uuid.uuid4().hex}"
    a, b = await asyncio.gather(
        queues.issue_ticket(h.hall.id, "CHANGE", datetime.now(UTC), event),
        queues.issue_ticket(h.hall.id, "CHANGE", datetime.now(UTC), event),
    )
    assert a.id == b.id and await QueueTicket.filter(source_event_id=event).count() == 1
    assert await coded(queues.issue_ticket(uuid.uuid4(), "CHANGE", datetime.now(UTC))) == "NOT_FOUND"


# -- figures (实时状态) -----------------------------------------------------------------------------------


@pytest.mark.integration
async def test_queue_length_waiting_times_visitors_and_staff(database: Any) -> None:
    h = await make_hall(database)
    # Today (CST) after 00:35, so every ticket below is of today; visitors counted just after midnight.
    midnight = datetime.now(CST).replace(hour=0, minute=0, second=0, microsecond=0)
    moment = max(datetime.now(UTC), midnight + timedelta(minutes=35))
    for minutes, business in ((10, "PAYMENT"), (20, "PAYMENT"), (30, "INVOICE"), (5, "INVOICE")):
        await queues.issue_ticket(h.hall.id, business, moment - timedelta(minutes=minutes))
    served = await queues.issue_queue_ticket(h.manager, h.hall.id, "CONSULTING")
    await queues.step_ticket(h.manager, served.id, TicketStep.CALL, "1")
    await queues.step_ticket(h.manager, served.id, TicketStep.START)
    await queues.step_ticket(h.manager, served.id, TicketStep.FINISH)
    counter = uuid.uuid4()
    await halls.record_visitors(h.hall.id, counter, midnight + timedelta(seconds=30), 12)
    await halls.record_visitors(h.hall.id, None, midnight + timedelta(seconds=30), 3)
    await halls.set_duty_status(h.manager, h.hall.id, DutyStatus.ON_DUTY)
    await halls.set_duty_status(h.manager, h.hall.id, DutyStatus.ON_DUTY, h.clerk_user.id)

    (figures,) = await halls.hall_status([h.hall.id], moment)
    assert figures.queue_length == 4 and figures.served_today == 1
    assert figures.average_wait_minutes == pytest.approx(16.2, abs=0.2)  # (10 + 20 + 30 + 5) / 4
    assert figures.longest_wait_minutes == pytest.approx(30, abs=0.1)
    assert (figures.visitors_today, figures.staff_on_duty) == (15, 2)
    by = {b.business_type: b for b in figures.by_business}
    assert set(by) == set(queues.BUSINESS_TYPES)  # every business the hall offers, waiting or not
    assert by["PAYMENT"].waiting == 2 and by["PAYMENT"].average_wait_minutes == pytest.approx(15, abs=0.1)
    assert by["INVOICE"].longest_wait_minutes == pytest.approx(30, abs=0.1)
    assert by["CONSULTING"].waiting == 0 and by["CONSULTING"].average_wait_minutes is None


@pytest.mark.integration
async def test_a_counter_repeating_its_count_records_it_once(database: Any) -> None:
    h = await make_hall(database)
    counter, period = uuid.uuid4(), datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    rows = await asyncio.gather(*(halls.record_visitors(h.hall.id, counter, period, 40) for _ in range(4)))
    assert len({row.id for row in rows}) == 1
    await halls.record_visitors(h.hall.id, counter, period, 42)  # corrected: replaces, never adds
    assert await VisitorCount.filter(hall_id=h.hall.id).count() == 1
    (figures,) = await halls.hall_status([h.hall.id])
    today = period.astimezone(CST).date() == datetime.now(CST).date()
    assert figures.visitors_today == (42 if today else 0)
    for bad in (-1, 100_001):
        assert await coded(halls.record_visitors(h.hall.id, counter, period, bad)) == "BAD_USER_INPUT"
    future = datetime.now(UTC) + timedelta(hours=1)
    assert await coded(halls.record_visitors(h.hall.id, counter, future, 1)) == "BAD_USER_INPUT"


@pytest.mark.integration
async def test_duty_changes_keep_their_history(database: Any) -> None:
    h = await make_hall(database)
    on = await halls.set_duty_status(h.manager, h.hall.id, DutyStatus.ON_DUTY)
    assert (await halls.set_duty_status(h.manager, h.hall.id, DutyStatus.ON_DUTY)).id == on.id  # a repeat
    await halls.set_duty_status(h.manager, h.hall.id, DutyStatus.BREAK)
    history = await StaffDuty.filter(hall_id=h.hall.id, user_id=h.manager.user_id).order_by("since")
    assert [row.status for row in history] == [DutyStatus.ON_DUTY, DutyStatus.BREAK]
    assert history[0].until is not None and history[1].until is None
    (figures,) = await halls.hall_status([h.hall.id])
    assert figures.staff_on_duty == 0
    # Someone of another hall is not staff here; someone out of scope is unknown.
    elsewhere = await make_org("另一营业厅", OrgKind.HALL, await Org.get(id=h.hall.parent_id))
    stranger = await make_user(elsewhere, ("HALL_MANAGER",))
    given = halls.set_duty_status(h.manager, h.hall.id, DutyStatus.ON_DUTY, stranger.id)
    assert await coded(given) in ("BAD_USER_INPUT", "NOT_FOUND")
    other = await make_tenant(database, customers=0, grabbers=0, needs=0)
    outsider = principal_for(other.hall_manager, other.hall)
    assert await coded(halls.set_duty_status(outsider, h.hall.id, DutyStatus.ON_DUTY)) == "NOT_FOUND"


# -- service quality (服务质量) -----------------------------------------------------------------------------


@pytest.mark.integration
async def test_service_events_raise_one_alert_per_rule_window(database: Any) -> None:
    h = await make_hall(database)
    root = await Org.get(id=h.hall.parent_id)
    admin = principal_for(await make_user(root, ("PROVINCE_ADMIN",)), root)
    rule = await halls.set_service_quality_rule(
        admin,
        halls.QualityRuleDraft(
            root.id, QualityCategory.SERVICE_NORM, AlertLevel.WARNING, 2, 60, "NO_UNIFORM"
        ),
    )
    assert await coded(
        halls.set_service_quality_rule(
            h.manager, halls.QualityRuleDraft(root.id, QualityCategory.SERVICE_NORM, AlertLevel.INFO, 1, 1)
        )
    ) in ("FORBIDDEN", "NOT_FOUND")  # the hall manager is not over the province's subtree
    bad = halls.QualityRuleDraft(root.id, QualityCategory.SERVICE_NORM, AlertLevel.INFO, 0, 60)
    assert await coded(halls.set_service_quality_rule(admin, bad)) == "BAD_USER_INPUT"
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)

    def uniform(minutes: int, source: str | None = None) -> Any:
        at = start + timedelta(minutes=minutes)
        return halls.record_service_event(
            h.hall.id, QualityCategory.SERVICE_NORM, "NO_UNIFORM", "未着工装", at, None, source
        )

    first = await uniform(1, "e1")
    assert first.alert_id is None  # below the threshold
    again = await uniform(1, "e1")
    assert again.id == first.id  # the analytics' event, once
    other_type = await halls.record_service_event(
        h.hall.id, QualityCategory.SERVICE_NORM, "PHONE_USE", "玩手机", start + timedelta(minutes=2)
    )
    assert other_type.alert_id is None  # the rule counts its type only
    reached = [await uniform(m) for m in (10, 20, 30)]
    alerts = await Alert.filter(source=halls.QUALITY_SOURCE, org_id=h.hall.id)
    assert len(alerts) == 1 and alerts[0].count == 3  # one alert for the window, counted 3 times
    assert alerts[0].dedup_key == f"hall-quality:{rule.id}:{h.hall.id}:{int(start.timestamp()) // 3600}"
    assert {event.alert_id for event in reached} == {alerts[0].id}
    # The next window is another alert.
    for m in (61, 62):
        await uniform(m)
    assert await Alert.filter(source=halls.QUALITY_SOURCE, org_id=h.hall.id).count() == 2
    assert await ServiceQualityEvent.filter(hall_id=h.hall.id).count() == 7
    too_long = halls.record_service_event(h.hall.id, QualityCategory.RISK_WARNING, "x" * 41, "", start)
    assert await coded(too_long) == "BAD_USER_INPUT"


# -- statements ------------------------------------------------------------------------------------------

STATUSES = """query($p: String) { hallStatuses(orgPath: $p) { hall { id name profile { hallType } zones { name } }
  queueLength averageWaitMinutes longestWaitMinutes servedToday visitorsToday staffOnDuty
  byBusiness { businessType businessName waiting averageWaitMinutes longestWaitMinutes } } }"""


@pytest.mark.integration
async def test_hall_statuses_cost_the_same_statements_for_1_and_10_halls(database: Any) -> None:
    costs = []
    for size in (1, 10):
        root = await make_org("测试电网公司", OrgKind.GRID_COMPANY, own_tenant=True)
        for index in range(size):
            hall = await make_org(f"营业厅{index}", OrgKind.HALL, root)
            await HallProfile.create(
                hall=hall, org_path=hall.path, hall_type=HallType.ECOSYSTEM, business_types=["PAYMENT"]
            )
            await queues.issue_ticket(hall.id, "PAYMENT", datetime.now(UTC))
            await halls.record_visitors(hall.id, None, datetime.now(UTC) - timedelta(minutes=1), 5)
        _, token = await make_staff(root, ("OPS_ENGINEER",), database)
        statements, result = await counted("operations", STATUSES, {"p": root.path}, token, database)
        assert len(result["hallStatuses"]) == size
        assert all(s["queueLength"] == 1 and s["visitorsToday"] == 5 for s in result["hallStatuses"])
        costs.append(statements)
    assert costs[0] == costs[1] <= 8, costs


# -- through the gateway: scope of the mutations and of the stream --------------------------------------

ISSUE = "mutation($i: IssueQueueTicketInput!) { issueQueueTicket(input: $i) { id number status } }"
CALL_NEXT = """mutation($i: CallNextTicketInput!) { callNextTicket(input: $i) { id number window status } }"""
FEED = """subscription($h: ID, $p: String) { hallStatus(hallId: $h, orgPath: $p) {
  eventId status { hall { id } queueLength byBusiness { businessType waiting } } } }"""


@pytest.mark.e2e
async def test_the_mutations_and_lists_through_the_gateway_keep_to_scope(stack: Stack) -> None:
    a = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    b = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    given = {"i": {"hallId": str(a.hall.id), "businessType": "PAYMENT", "idempotencyKey": uuid.uuid4().hex}}
    ticket = data(await gql(stack.gateway_url, ISSUE, given, a.hall_token))["issueQueueTicket"]
    assert ticket["number"] == "A001" and ticket["status"] == "ISSUED"
    assert error_codes(await gql(stack.gateway_url, ISSUE, given, b.hall_token)) == ["NOT_FOUND"]
    call = {"i": {"hallId": str(a.hall.id), "window": "1号窗口"}}
    assert error_codes(await gql(stack.gateway_url, CALL_NEXT, call, b.hall_token)) == ["NOT_FOUND"]
    called = data(await gql(stack.gateway_url, CALL_NEXT, call, a.hall_token))["callNextTicket"]
    assert called["id"] == ticket["id"] and called["status"] == "CALLED"
    step = "mutation($id: ID!) { startServingTicket(id: $id) { status } }"
    assert error_codes(await gql(stack.gateway_url, step, {"id": ticket["id"]}, b.hall_token)) == [
        "NOT_FOUND"
    ]
    assert data(await gql(stack.gateway_url, step, {"id": ticket["id"]}, a.hall_token))[
        "startServingTicket"
    ] == {"status": "SERVING"}
    listed = "query($h: ID!) { queueTickets(hallId: $h, first: 10) { nodes { id hall { id } } } }"
    nodes = data(await gql(stack.gateway_url, listed, {"h": str(a.hall.id)}, a.hall_token))["queueTickets"][
        "nodes"
    ]
    assert nodes == [{"id": ticket["id"], "hall": {"id": str(a.hall.id)}}]
    assert error_codes(await gql(stack.gateway_url, listed, {"h": str(a.hall.id)}, b.hall_token)) == [
        "NOT_FOUND"
    ]
    one = "query($h: ID!) { hall(id: $h) { id } }"
    assert data(await gql(stack.gateway_url, one, {"h": str(a.hall.id)}, b.hall_token))["hall"] is None
    statuses = "{ hallStatuses { hall { id } queueLength } }"
    seen = data(await gql(stack.gateway_url, statuses, None, b.hall_token))["hallStatuses"]
    assert [s["hall"]["id"] for s in seen] == [str(b.hall.id)]  # a hall manager: their own hall only
    events = "query($h: ID!) { serviceQualityEvents(hallId: $h, first: 5) { nodes { id } } }"
    assert error_codes(await gql(stack.gateway_url, events, {"h": str(a.hall.id)}, b.hall_token)) == [
        "NOT_FOUND"
    ]


@pytest.mark.e2e
async def test_the_hall_status_stream_carries_only_halls_in_scope(stack: Stack) -> None:
    a = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    b = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    events = subscribe_ws(stack.gateway_ws, FEED, None, b.hall_token)
    receiver = asyncio.create_task(anext(events))

    async def issue(tenant: Tenant) -> None:
        variables = {"i": {"hallId": str(tenant.hall.id), "businessType": "INVOICE"}}
        data(await gql(stack.gateway_url, ISSUE, variables, tenant.hall_token))

    try:
        for _ in range(40):
            await issue(a)  # another hall's: never reaches b's manager
            await issue(b)
            done, _ = await asyncio.wait({receiver}, timeout=0.5)
            if done:
                break
        first = receiver.result()["data"]["hallStatus"]
    finally:
        receiver.cancel()
        await events.aclose()
    status = first["status"]
    assert status["hall"]["id"] == str(b.hall.id) and status["queueLength"] >= 1
    assert {"businessType": "INVOICE", "waiting": status["queueLength"]} in status["byBusiness"]

    # The province follows one hall by id: the other's events are filtered out.
    root = await Org.get(id=a.hall.parent_id)
    _, province = await make_staff(root, ("PROVINCE_ADMIN",), stack.settings)
    one = subscribe_ws(stack.gateway_ws, FEED, {"h": str(a.hall.id)}, province)
    receiver = asyncio.create_task(anext(one))
    try:
        for _ in range(40):
            await issue(b)
            await issue(a)
            done, _ = await asyncio.wait({receiver}, timeout=0.5)
            if done:
                break
        assert receiver.result()["data"]["hallStatus"]["status"]["hall"]["id"] == str(a.hall.id)
    finally:
        receiver.cancel()
        await one.aclose()
