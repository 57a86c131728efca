"""Live streams through the real gateway: resume with a cursor over WebSocket and SSE, the end of
a subscription when its token expires or its session is revoked, and the per-user cap."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest
import websockets

from clients.python.dcms_client import data, gql, subscribe_sse
from resolvers.operations.identity import principal_for
from security.tokens import issue_token
from testkit.factories import Tenant, make_tenant, make_user, token_keys
from tests.support.stack import Stack
from tests.support.ws import Socket

pytestmark = pytest.mark.e2e

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
ALERTS = "subscription($after: ID) { alerts(after: $after) { eventId alert { title } } }"
PASSWORD = "Stream@2026pass"


async def _raise(stack: Stack, tenant: Tenant, title: str) -> None:
    variables = {"i": {"orgId": str(tenant.hall.id), "level": "INFO", "title": title}}
    data(await gql(stack.gateway_url, RAISE, variables, tenant.hall_token))


async def _live(stack: Stack, socket: Socket, tenant: Tenant, op_id: str = "1") -> dict[str, Any]:
    """Raise probe alerts until one arrives: the subscription is then live. Returns its event."""
    for attempt in range(20):
        await _raise(stack, tenant, f"探测{attempt}")
        try:
            message = await socket.next(within=0.5)
        except TimeoutError:
            continue
        assert message["type"] == "next" and message["id"] == op_id, message
        return message["payload"]["data"]["alerts"]
    raise AssertionError("the subscription never went live")


async def _closed(socket: Socket, within: float = 15.0) -> tuple[list[dict[str, Any]], int | None]:
    """Messages until the gateway closes the socket, and the close code."""
    messages: list[dict[str, Any]] = []
    try:
        while True:
            messages.append(await socket.next(within))
    except websockets.ConnectionClosed as closed:
        return messages, closed.rcvd.code if closed.rcvd else None


def _ending(messages: list[dict[str, Any]]) -> str:
    errors = [e for m in messages if m["type"] == "next" for e in m["payload"].get("errors") or []]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"], messages
    return errors[0]["extensions"]["reason"]


async def test_a_subscription_ends_with_4403_when_its_token_expires(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    issued = time.time()
    token = issue_token(
        principal_for(tenant.hall_manager, tenant.hall), token_keys(stack.settings), ttl_seconds=6
    )
    socket = await Socket.open(stack.gateway_ws, token)
    await socket.subscribe("1", ALERTS)
    await _live(stack, socket, tenant)
    messages, code = await _closed(socket)
    assert _ending(messages) == "TOKEN_EXPIRED" and code == 4403
    assert time.time() - issued >= 5.0  # at the token's exp, not before


async def test_logout_ends_the_sessions_subscriptions_with_4403(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    user = await make_user(tenant.hall, ("HALL_MANAGER",), "值班经理", password=PASSWORD)
    login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"
    token = data(await gql(stack.gateway_url, login, {"u": user.username, "p": PASSWORD}))["login"][
        "accessToken"
    ]
    socket = await Socket.open(stack.gateway_ws, token)
    await socket.subscribe("1", ALERTS)
    await _live(stack, socket, tenant)
    assert data(await gql(stack.gateway_url, "mutation { logout }", token=token)) == {"logout": True}
    messages, code = await _closed(socket, within=5.0)  # announced at once, not at the next recheck
    assert _ending(messages) == "SESSION_REVOKED" and code == 4403


async def test_a_user_may_hold_only_so_many_subscriptions(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    cap = stack.settings.streams.max_subscriptions_per_user
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    for index in range(cap):
        await socket.subscribe(str(index), ALERTS)
    live: set[str] = set()
    for attempt in range(20):  # until each of them has received an alert: all are open upstream
        await _raise(stack, tenant, f"占满{attempt}")
        with contextlib.suppress(TimeoutError):
            while len(live) < cap:
                live.add((await socket.next(within=0.5))["id"])
        if len(live) == cap:
            break
    await socket.subscribe("over", ALERTS)
    refused = await socket.next()
    while refused["id"] != "over":  # alerts still arriving on the others
        refused = await socket.next()
    error = refused["payload"]["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["limit"] == "subscriptions"
    await socket.close()


async def _missed_while_away(stack: Stack, tenant: Tenant, titles: list[str]) -> str:
    """Watch until live, leave, then raise ``titles``; returns the last eventId seen."""
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    await socket.subscribe("1", ALERTS)
    last = (await _live(stack, socket, tenant))["eventId"]
    await socket.close()
    for title in titles:
        await _raise(stack, tenant, title)
    return last


async def test_resume_over_websocket_replays_what_was_missed_in_order(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    missed = [f"错过{i}" for i in range(3)]
    last = await _missed_while_away(stack, tenant, missed)
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    await socket.subscribe("2", ALERTS, {"after": last})
    got = [(await socket.next())["payload"]["data"]["alerts"] for _ in missed]
    assert [e["alert"]["title"] for e in got] == missed
    await _raise(stack, tenant, "实时")  # then live, without a repeat of the replayed ones
    assert (await socket.next())["payload"]["data"]["alerts"]["alert"]["title"] == "实时"
    await socket.close()


async def test_resume_over_sse_replays_what_was_missed(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    missed = [f"SSE错过{i}" for i in range(2)]
    last = await _missed_while_away(stack, tenant, missed)
    events = subscribe_sse(stack.gateway_url, ALERTS, {"after": last}, tenant.hall_token)
    got = [await asyncio.wait_for(anext(events), 10) for _ in missed]
    await events.aclose()
    assert [e["data"]["alerts"]["alert"]["title"] for e in got] == missed


async def test_a_replay_holds_only_what_the_subscriber_may_see(stack: Stack) -> None:
    """`after` is another way in: replayed events go through the same scope filter as live ones."""
    mine = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)  # another hall
    last = await _missed_while_away(stack, mine, ["本厅机密告警"])
    socket = await Socket.open(stack.gateway_ws, other.hall_token)
    await socket.subscribe("1", ALERTS, {"after": last})
    await _raise(stack, other, "他厅告警")
    first = (await socket.next())["payload"]["data"]["alerts"]
    assert first["alert"]["title"] == "他厅告警"  # the other hall's missed alert was not replayed to it
    await socket.close()


async def test_an_unknown_cursor_gets_cursor_expired(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    socket = await Socket.open(stack.gateway_ws, tenant.hall_token)
    await socket.subscribe("1", ALERTS, {"after": "0" * 32})
    message = await socket.next()
    assert message["payload"]["errors"][0]["extensions"]["code"] == "CURSOR_EXPIRED"
    await socket.close()
