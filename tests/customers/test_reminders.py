"""提醒 through the gateway: a large movement from the core banking feed reaches exactly the
managers responsible for the customer (primary, assisting, custodian while custody lasts), live and
once; the threshold is each member bank's own; reminders are marked read by their owner only."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.customers import AssignmentKind, Customer, CustomerAssignment, Reminder, ReminderPolicy
from testkit.factories import Tenant, make_customer, make_tenant, make_user, token_for
from tests.support.stack import Stack
from tests.support.streams import delivers_through_gateway
from tests.support.ws import Socket

pytestmark = pytest.mark.e2e

FEED = """mutation($m: [AccountMovementInput!]!) {
  recordAccountMovements(movements: $m) { recorded reminders } }"""
POLICY = """mutation($t: Decimal!) { setReminderPolicy(largeTransactionThreshold: $t) {
  largeTransactionThreshold } }"""
PROBE = """mutation($c: ID!, $t: String!) { addReminder(input: {customerId: $c, kind: SCHEDULE, title: $t}) { id } }"""
STREAM = "subscription { reminders { reminder { id kind title customer { id } } } }"
MARK = "mutation($ids: [ID!]!) { markRemindersRead(ids: $ids) { id read } }"


def _movement(
    customer: Customer, amount: str, direction: str = "IN", reference: str | None = None
) -> dict[str, Any]:
    return {
        "reference": reference or f"R{uuid.uuid4().hex[:20]}",
        "customerId": str(customer.id),
        "direction": direction,
        "amount": amount,
        "occurredAt": datetime.now(UTC).isoformat(),
        "counterparty": "贵州某某贸易有限公司",
    }


async def _listening(stack: Stack, token: str, probe_customer: Customer) -> Socket:
    """A reminders subscription proven live: a probe reminder added by hand has arrived."""
    socket = await Socket.open(stack.gateway_ws, token)
    await socket.subscribe("1", STREAM)
    for attempt in range(20):
        data(await gql(stack.gateway_url, PROBE, {"c": str(probe_customer.id), "t": f"探测{attempt}"}, token))
        with contextlib.suppress(TimeoutError):
            while True:
                if (await socket.next(within=1.0))["payload"]["data"]["reminders"]["reminder"][
                    "title"
                ].startswith("探测"):
                    return socket
    raise AssertionError("reminders stream never went live")


async def _titles_until_probe(
    stack: Stack, socket: Socket, token: str, probe_customer: Customer
) -> list[str]:
    """What the stream delivered before a fresh probe: everything published before it, in order."""
    marker = f"标记{uuid.uuid4().hex[:6]}"
    data(await gql(stack.gateway_url, PROBE, {"c": str(probe_customer.id), "t": marker}, token))
    titles: list[str] = []
    while True:
        title = (await socket.next())["payload"]["data"]["reminders"]["reminder"]["title"]
        if title == marker:
            return [t for t in titles if not t.startswith("探测")]
        titles.append(title)


async def test_large_movements_reach_exactly_the_responsible_managers_once(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    (customer,) = tenant.customers
    settings, url = stack.settings, stack.gateway_url
    assisting = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "协办经理")
    custodian = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "托管经理")
    former = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "托管已结束")
    bystander = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "同支行经理")
    now = datetime.now(UTC)
    await CustomerAssignment.create(customer=customer, manager_id=assisting.id, kind=AssignmentKind.ASSISTING)
    await CustomerAssignment.create(
        customer=customer,
        manager_id=custodian.id,
        kind=AssignmentKind.CUSTODIAN,
        ends_at=now + timedelta(days=2),
    )
    await CustomerAssignment.create(
        customer=customer,
        manager_id=former.id,
        kind=AssignmentKind.CUSTODIAN,
        ends_at=now - timedelta(minutes=1),
    )
    hq = await make_user(tenant.bank, ("HQ_ADMIN",), "总行管理")
    hq_token = token_for(hq, tenant.bank, settings)
    custodian_token = token_for(custodian, tenant.branch, settings)
    bystander_token = token_for(bystander, tenant.branch, settings)
    assert data(await gql(url, POLICY, {"t": "100000"}, hq_token))["setReminderPolicy"] == {
        "largeTransactionThreshold": "100000.00"
    }

    sockets = {}  # each listener proves its stream live with a probe on a customer of its own
    for name, user, token in (
        ("manager", tenant.manager, tenant.manager_token),
        ("custodian", custodian, custodian_token),
        ("bystander", bystander, bystander_token),
    ):
        probe = await make_customer(tenant.branch, user, "探测客户")
        sockets[name] = (await _listening(stack, token, probe), token, probe)
    try:
        big_in, big_out = _movement(customer, "200000.00"), _movement(customer, "150000", "OUT")
        small = _movement(customer, "99999.99")
        fed = data(await gql(url, FEED, {"m": [big_in, small, big_out]}, hq_token))["recordAccountMovements"]
        assert fed == {"recorded": 3, "reminders": 6}  # two large ones, three managers each
        assert data(await gql(url, FEED, {"m": [big_in, small]}, hq_token))["recordAccountMovements"] == {
            "recorded": 0,
            "reminders": 0,
        }  # the feed repeated: nothing new, nothing sent twice

        expected = ["客户0大额转入 200,000.00 元", "客户0大额转出 150,000.00 元"]
        for name, (socket, token, probe_customer) in sockets.items():
            got = await _titles_until_probe(stack, socket, token, probe_customer)
            assert got == ([] if name == "bystander" else expected), name
    finally:
        for socket, _, _ in sockets.values():
            await socket.close()

    rows = await Reminder.filter(customer_id=customer.id, kind="LARGE_TRANSACTION")
    assert sorted(str(r.manager_id) for r in rows) == sorted(
        str(m) for m in [tenant.manager.id, assisting.id, custodian.id] * 2
    )


async def test_the_feed_and_the_policy_are_the_member_banks_own(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    url, settings = stack.gateway_url, stack.settings
    other_hq = await make_user(other.bank, ("HQ_ADMIN",))
    other_token = token_for(other_hq, other.bank, settings)
    (customer,) = tenant.customers
    # Another bank's feed cannot touch our customer; a manager cannot feed at all.
    assert error_codes(await gql(url, FEED, {"m": [_movement(customer, "900000")]}, other_token)) == [
        "NOT_FOUND"
    ]
    assert error_codes(
        await gql(url, FEED, {"m": [_movement(customer, "900000")]}, tenant.manager_token)
    ) == ["FORBIDDEN"]
    assert error_codes(await gql(url, POLICY, {"t": "1"}, tenant.manager_token)) == ["FORBIDDEN"]
    assert error_codes(await gql(url, POLICY, {"t": "0"}, other_token)) == ["BAD_USER_INPUT"]

    # Our threshold is the default (500,000): 200,000 is not large here, 600,000 is.
    hq = await make_user(tenant.bank, ("HQ_ADMIN",))
    hq_token = token_for(hq, tenant.bank, settings)
    policy = data(await gql(url, "{ reminderPolicy { largeTransactionThreshold } }", None, hq_token))
    assert policy == {"reminderPolicy": {"largeTransactionThreshold": "500000.00"}}
    first = _movement(customer, "200000")
    fed = data(await gql(url, FEED, {"m": [first, _movement(customer, "600000")]}, hq_token))
    assert fed["recordAccountMovements"] == {"recorded": 2, "reminders": 1}

    # Bad input changes nothing: a reference reused with other values, a bad amount, a future time.
    changed = {**first, "amount": "300000"}
    assert error_codes(await gql(url, FEED, {"m": [_movement(customer, "700000"), changed]}, hq_token)) == [
        "CONFLICT"
    ]
    future = {**_movement(customer, "1"), "occurredAt": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    for bad in (_movement(customer, "-5"), _movement(customer, "1.001"), future):
        assert error_codes(await gql(url, FEED, {"m": [bad]}, hq_token)) == ["BAD_USER_INPUT"]
    assert await Reminder.filter(customer_id=customer.id, kind="LARGE_TRANSACTION").count() == 1


async def test_the_same_threshold_twice_at_once_is_set_once(stack: Stack) -> None:
    """Two identical setReminderPolicy racing on a bank without a policy row yet: both succeed and
    the bank keeps one row with that threshold (the create that loses finds the winner's row)."""
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    hq_token = token_for(await make_user(tenant.bank, ("HQ_ADMIN",)), tenant.bank, stack.settings)
    calls = [gql(stack.gateway_url, POLICY, {"t": "654321.5"}, hq_token) for _ in range(2)]
    for result in await asyncio.gather(*calls):
        assert data(result)["setReminderPolicy"] == {"largeTransactionThreshold": "654321.50"}
    (policy,) = await ReminderPolicy.filter(tenant_id=tenant.bank.id)
    assert Decimal(policy.large_transaction_threshold) == Decimal("654321.50")


async def test_reminders_are_marked_read_by_their_owner_only(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=2, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    url = stack.gateway_url
    mine = [str(r.id) for r in await Reminder.filter(manager_id=tenant.manager.id)]
    assert len(mine) == 2
    marked = data(await gql(url, MARK, {"ids": mine}, tenant.manager_token))["markRemindersRead"]
    assert {(m["id"], m["read"]) for m in marked} == {(i, True) for i in mine}
    assert data(await gql(url, MARK, {"ids": mine[:1]}, tenant.manager_token))["markRemindersRead"][0]["read"]
    assert error_codes(await gql(url, MARK, {"ids": mine}, other.manager_token)) == ["NOT_FOUND"]
    unread = "{ myReminders(first: 10, unreadOnly: true) { nodes { id } } }"
    assert data(await gql(url, unread, None, tenant.manager_token))["myReminders"]["nodes"] == []


# -- the reminders stream through the gateway ------------------------------------------------------


async def _add_reminder(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
    variables = {
        "i": {"customerId": str(tenant.customers[0].id), "kind": "LOAN_MATURITY", "title": "贷款下月到期"}
    }
    data(await gql(stack.gateway_url, mutation, variables, tenant.manager_token))


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_reminders_stream_delivers_through_gateway(stack: Stack, transport: str) -> None:
    tenant = await make_tenant(stack.settings, customers=3, grabbers=2)
    query = "subscription { reminders { reminder { title customer { name } manager { displayName } } } }"
    await delivers_through_gateway(
        stack,
        transport,
        query,
        {},
        tenant.manager_token,
        lambda: _add_reminder(stack, tenant),
        lambda d: (
            d["reminders"]["reminder"]["title"] == "贷款下月到期"
            and d["reminders"]["reminder"]["customer"]["name"] == "客户0"
        ),
    )


async def test_reminders_reach_only_their_manager(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=3, grabbers=2)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    events = subscribe_ws(
        stack.gateway_ws, "subscription { reminders { reminder { title } } }", None, other.manager_token
    )
    receiver = asyncio.create_task(anext(events))
    for _ in range(6):
        await _add_reminder(stack, tenant)
        await asyncio.sleep(0.25)
    assert not receiver.done(), "another manager's reminder was delivered"
    receiver.cancel()
