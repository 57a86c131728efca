"""The grab pool's stream (resolvers/finance/streams.py) through the gateway, over WebSocket and
SSE: events reach the staff whose pool they are in, and carry no contact."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from clients.python.dcms_client import data, gql, subscribe_ws
from testkit.factories import Tenant, make_tenant
from tests.support.stack import Stack
from tests.support.streams import delivers_through_gateway, first_event

pytestmark = pytest.mark.e2e

PUBLISH_NEED = "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id } }"


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
        data(await gql(stack.gateway_url, PUBLISH_NEED, variables, tenant.manager_token))

    payload = await first_event(events, publish)
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
        data(
            await gql(
                stack.gateway_url, PUBLISH_NEED, {"i": {**need, "purpose": purpose}}, tenant.manager_token
            )
        )

    async def theirs_then_mine() -> None:
        await publish(theirs, "他行需求")
        await publish(mine, "本行需求")

    # Each round publishes another bank's need, then one of ours: the first event must be ours,
    # and once the stream is live (that event came), the next round's first event too.
    first = await first_event(events, theirs_then_mine)
    assert first["data"]["grabPool"]["need"]["purpose"] == "本行需求"
    await theirs_then_mine()
    second = await asyncio.wait_for(anext(events), 10)
    assert second["data"]["grabPool"]["need"]["purpose"] == "本行需求", "another bank's need arrived"


async def _publish_need(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id } }"
    variables = {
        "i": {
            "applicantId": str(tenant.customers[1].id),
            "amount": "300000",
            "termMonths": 6,
            "purpose": "扩建厂房",
        }
    }
    data(await gql(stack.gateway_url, mutation, variables, tenant.manager_token))


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_grab_pool_stream_delivers_through_gateway(stack: Stack, transport: str) -> None:
    tenant = await make_tenant(stack.settings, customers=3, grabbers=2)
    # The pool reaches the bank's manager.
    await delivers_through_gateway(
        stack,
        transport,
        "subscription { grabPool { kind need { purpose applicant { name } } } }",
        {},
        tenant.manager_token,
        lambda: _publish_need(stack, tenant),
        lambda d: d["grabPool"]["kind"] == "NEW" and d["grabPool"]["need"]["purpose"] == "扩建厂房",
    )
