"""Scopes and masking on the live entry points, through the real gateway: subscription events
reach only subscribers in scope, with fields masked per subscriber."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, gql, subscribe_ws
from testkit.factories import make_tenant
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
PUBLISH = "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id } }"


async def _first_event(events: Any, trigger: Any, attempts: int = 20) -> dict[str, Any]:
    receiver = asyncio.create_task(anext(events))
    try:
        for _ in range(attempts):
            await trigger()
            done, _ = await asyncio.wait({receiver}, timeout=0.5)
            if done:
                return receiver.result()
        raise AssertionError("no event")
    finally:
        receiver.cancel()


async def test_alerts_of_another_hall_do_not_reach_a_hall_manager(stack: Stack) -> None:
    mine = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    theirs = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    events = subscribe_ws(
        stack.gateway_ws, "subscription { alerts { alert { title } } }", None, mine.hall_token
    )
    receiver = asyncio.create_task(anext(events))
    try:
        variables = {"i": {"orgId": str(theirs.hall.id), "level": "WARNING", "title": "别厅告警"}}
        for _ in range(6):
            data(await gql(stack.gateway_url, RAISE, variables, theirs.hall_token))
            await asyncio.sleep(0.25)
        assert not receiver.done(), "an alert outside the subscriber's scope was delivered"
        # ... while their own hall's alerts do arrive
        own = {"i": {"orgId": str(mine.hall.id), "level": "WARNING", "title": "本厅告警"}}
        for _ in range(20):
            data(await gql(stack.gateway_url, RAISE, own, mine.hall_token))
            done, _ = await asyncio.wait({receiver}, timeout=0.5)
            if done:
                break
        assert receiver.result()["data"]["alerts"]["alert"]["title"] == "本厅告警"
    finally:
        receiver.cancel()


async def test_raising_an_alert_outside_ones_scope_is_forbidden(stack: Stack) -> None:
    mine = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    theirs = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    variables = {"i": {"orgId": str(theirs.hall.id), "level": "WARNING", "title": "越权告警"}}
    result = await gql(stack.gateway_url, RAISE, variables, mine.hall_token)
    assert [e["extensions"]["code"] for e in result["errors"]] == [
        "NOT_FOUND"
    ]  # their hall is not even visible


async def test_grab_pool_event_carries_no_contact(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=1, needs=0)
    _, grabber_token = tenant.grabbers[0]
    query = "subscription { grabPool { kind need { purpose contactPhone } } }"
    events = subscribe_ws(stack.gateway_ws, query, None, grabber_token)
    variables = {
        "i": {
            "applicantId": str(tenant.customers[0].id),
            "amount": "80000",
            "termMonths": 12,
            "purpose": "春耕备货",
            "contactPhone": "13700001111",
        }
    }

    amounts = iter(range(80000, 90000, 100))

    async def publish() -> None:
        # A new need each time: the same need again is a repeat, which publishes nothing.
        variables["i"]["amount"] = str(next(amounts))
        data(await gql(stack.gateway_url, PUBLISH, variables, tenant.manager_token))

    payload = await _first_event(events, publish)
    # Encrypted PII never travels through the broker (events carry it as null), and institution
    # staff may not see it before their grab anyway.
    assert payload["data"]["grabPool"]["need"] == {"purpose": "春耕备货", "contactPhone": None}
    assert "13700001111" not in str(payload)


async def test_grab_pool_skips_needs_of_other_banks_for_bank_staff(stack: Stack) -> None:
    mine = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    theirs = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    events = subscribe_ws(
        stack.gateway_ws, "subscription { grabPool { need { purpose } } }", None, mine.manager_token
    )
    amounts = iter(range(1000, 90000, 10))  # a new need each time (the same one again publishes nothing)

    async def publish(tenant: Any, purpose: str) -> None:
        need = {"applicantId": str(tenant.customers[0].id), "amount": str(next(amounts)), "termMonths": 3}
        data(await gql(stack.gateway_url, PUBLISH, {"i": {**need, "purpose": purpose}}, tenant.manager_token))

    async def theirs_then_mine() -> None:
        await publish(theirs, "他行需求")
        await publish(mine, "本行需求")

    # Each round publishes another bank's need, then one of ours: the first event must be ours,
    # and once the stream is live (that event came), the next round's first event too.
    first = await _first_event(events, theirs_then_mine)
    assert first["data"]["grabPool"]["need"]["purpose"] == "本行需求"
    await theirs_then_mine()
    second = await asyncio.wait_for(anext(events), 10)
    assert second["data"]["grabPool"]["need"]["purpose"] == "本行需求", "another bank's need arrived"


async def test_subscription_payload_masks_per_subscriber(stack: Stack) -> None:
    """Nested fields of an event resolve with the subscriber's rights: the owner gets the PII in
    full (other callers are covered by test_permission_matrix and the grab pool test above)."""
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    query = "subscription { reminders { reminder { customer { phone idNumber } } } }"
    events = subscribe_ws(stack.gateway_ws, query, None, tenant.manager_token)
    add = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
    variables = {"i": {"customerId": str(tenant.customers[0].id), "kind": "SCHEDULE", "title": "回访"}}

    async def remind() -> None:
        data(await gql(stack.gateway_url, add, variables, tenant.manager_token))

    payload = await _first_event(events, remind)
    assert payload["data"]["reminders"]["reminder"]["customer"] == {
        "phone": "13800000000",
        "idNumber": "520102199001011234",
    }


async def test_gateway_enforces_required_scopes(stack: Stack) -> None:
    """`grabNeed` needs the FI_ACCOUNT_MANAGER role and `auditRecords` AUDIT_ADMIN: the gateway
    refuses other roles before any subgraph is asked (generic auth's code)."""
    tenant = await make_tenant(stack.settings, customers=1, grabbers=1, needs=1)
    grab = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    search = "{ auditRecords(first: 1) { edges { node { action } } } }"
    for query, variables, token in (
        (grab, {"id": str(tenant.needs[0].id)}, tenant.manager_token),
        (search, None, tenant.hall_token),
    ):
        async with httpx.AsyncClient(timeout=30) as client:
            body = {"query": query, "variables": variables or {}}
            response = await client.post(
                stack.gateway_url, json=body, headers={"authorization": f"Bearer {token}"}
            )
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    # the right role passes the gateway
    data(await gql(stack.gateway_url, grab, {"id": str(tenant.needs[0].id)}, tenant.grabbers[0][1]))
