"""A subgraph WebSocket is no way around the gateway (production-mode stack).

Outside dev mode a subgraph accepts a WebSocket only with the gateway's proof in connection_init
(fresh, never seen before: security/gateway_trust.py), runs only subscriptions on it, gives each
operation a context of its own (the token checked again, fresh DataLoaders: subgraphs/app.py
OperationContextsWS) and counts each subscription against the caller's rate limit. The tests that
connect straight to a subgraph with a valid proof play the gateway's part; through the real
gateway subscriptions still work (tests/e2e/test_streams.py, tests/security/test_gateway_trust.py).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from types import TracebackType
from typing import Any

import pytest
import websockets
from websockets.typing import Subprotocol

from clients.python.dcms_client import data, gql
from resolvers.operations.identity import principal_for
from security.gateway_trust import MAX_AGE_SECONDS, WS_PROOF
from security.tokens import issue_token
from testkit.factories import make_tenant, make_user, token_for, token_keys
from tests.support.signing import ws_params, ws_proof
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.support.ws import connection_init

REMINDERS = """subscription($after: ID) { reminders(after: $after) {
  eventId reminder { title customer { id phone } } } }"""
ADD_REMINDER = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
HAND_OVER = """mutation($ids: [ID!]!, $to: ID!, $reason: String!) {
  handOverCustomers(customerIds: $ids, toManagerId: $to, reason: $reason) { id } }"""


def _ws_url(stack: Stack, subgraph: str = "customers") -> str:
    return stack.subgraph(subgraph).replace("http://", "ws://")


class Connection:
    """One graphql-transport-ws connection straight to a subgraph, as the gateway opens it."""

    def __init__(self, stack: Stack, token: str, subgraph: str = "customers") -> None:
        self._url = _ws_url(stack, subgraph)
        self._authorization = f"Bearer {token}"
        self._secret = stack.settings.hmac_secret
        self._messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ws: Any = None

    async def __aenter__(self) -> Connection:
        self._ws = await websockets.connect(self._url, subprotocols=[Subprotocol("graphql-transport-ws")])
        params = ws_params(self._secret, self._authorization)
        await self._ws.send(json.dumps({"type": "connection_init", "payload": params}))
        ack = json.loads(await asyncio.wait_for(self._ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self._ws.close()

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        message = {
            "id": op_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables or {}},
        }
        await self._ws.send(json.dumps(message))

    async def complete(self, op_id: str) -> None:
        await self._ws.send(json.dumps({"id": op_id, "type": "complete"}))

    async def next_message(self, op_id: str, seconds: float = 15.0) -> dict[str, Any]:
        """The next next/error/complete message of operation ``op_id``."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self._messages[op_id]:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no message for operation {op_id} in {seconds} s")
            message = json.loads(await asyncio.wait_for(self._ws.recv(), remaining))
            if message["type"] == "ping":
                await self._ws.send(json.dumps({"type": "pong"}))
            elif "id" in message:
                self._messages[message["id"]].append(message)
        return self._messages[op_id].pop(0)

    async def first_messages(self, count: int, seconds: float = 30.0) -> dict[str, dict[str, Any]]:
        """The first message of each operation, once ``count`` operations have sent one."""
        deadline = asyncio.get_running_loop().time() + seconds
        while sum(1 for messages in self._messages.values() if messages) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"fewer than {count} operations answered in {seconds} s")
            message = json.loads(await asyncio.wait_for(self._ws.recv(), remaining))
            if message["type"] == "ping":
                await self._ws.send(json.dumps({"type": "pong"}))
            elif "id" in message:
                self._messages[message["id"]].append(message)
        return {op_id: messages[0] for op_id, messages in self._messages.items() if messages}


def _errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    payload = message.get("payload")
    return payload if isinstance(payload, list) else (payload or {}).get("errors") or []


def _codes(message: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in _errors(message)]


# -- only the gateway opens a WebSocket ------------------------------------------------------------


@pytest.mark.e2e
async def test_a_user_token_alone_opens_no_subgraph_websocket(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    url, secret = _ws_url(stack), stack.settings.hmac_secret
    token = f"Bearer {tenant.manager_token}"
    # a valid user token, no gateway proof: closed before anything runs
    assert await connection_init(url, {"authorization": token}) == 4403
    # a proof older than 60 s
    stale = ws_proof(secret, token, ts=int((time.time() - MAX_AGE_SECONDS - 5) * 1000))
    assert await connection_init(url, {"authorization": token, WS_PROOF: stale}) == 4403
    # a proof made by someone without the secret, or for another token
    assert await connection_init(url, {"authorization": token, WS_PROOF: ws_proof("x" * 40, token)}) == 4403
    other = f"Bearer {token_for(tenant.hall_manager, tenant.hall, stack.settings)}"
    assert await connection_init(url, {"authorization": token, WS_PROOF: ws_proof(secret, other)}) == 4403
    # a captured connection_init, replayed (to this replica: the nonce is remembered)
    captured = {"authorization": token, WS_PROOF: ws_proof(secret, token)}
    ack = await connection_init(url, captured)
    assert isinstance(ack, dict) and ack["type"] == "connection_ack", ack
    assert await connection_init(url, captured) == 4403


@pytest.mark.e2e
async def test_queries_and_mutations_are_refused_over_a_subgraph_websocket(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    customer = str(tenant.customers[0].id)
    async with Connection(stack, tenant.manager_token) as connection:
        await connection.subscribe(
            "q", "query($id: ID!) { customer(id: $id) { phone idNumber } }", {"id": customer}
        )
        refused = await connection.next_message("q")
        assert refused["type"] == "error" and _codes(refused) == ["BAD_USER_INPUT"], refused
        assert refused["payload"][0]["extensions"]["limit"] == "transport"
        variables = {"i": {"customerId": customer, "kind": "SCHEDULE", "title": "不应创建"}}
        await connection.subscribe("m", ADD_REMINDER, variables)
        assert _codes(await connection.next_message("m")) == ["BAD_USER_INPUT"]
        # subscriptions still run on the same connection
        await connection.subscribe("s", REMINDERS)
        data(
            await gql(
                stack.gateway_url,
                ADD_REMINDER,
                {"i": {**variables["i"], "title": "回访"}},
                tenant.manager_token,
            )
        )
        event = await connection.next_message("s")
        assert (
            event["type"] == "next" and event["payload"]["data"]["reminders"]["reminder"]["title"] == "回访"
        )


# -- a context per operation -------------------------------------------------------------------------


@pytest.mark.e2e
async def test_a_new_subscription_on_the_connection_uses_todays_rights(stack: Stack) -> None:
    """The issue's case: a customer handed over to another manager; a new subscription on the same
    connection must not show it (nor its phone) with the rights and cache of an earlier one."""
    tenant = await make_tenant(stack.settings, customers=2, grabbers=0, needs=0)
    colleague = await make_user(tenant.branch, ("CUSTOMER_MANAGER",), "同事")
    head_token = token_for(
        await make_user(tenant.branch, ("BRANCH_HEAD",), "行长"), tenant.branch, stack.settings
    )
    kept, moved = (str(c.id) for c in tenant.customers)
    url = stack.gateway_url
    async with Connection(stack, tenant.manager_token) as connection:
        await connection.subscribe("before", REMINDERS)
        for customer, title in ((kept, "第一条"), (moved, "第二条")):
            variables = {"i": {"customerId": customer, "kind": "SCHEDULE", "title": title}}
            data(await gql(url, ADD_REMINDER, variables, tenant.manager_token))
        first = (await connection.next_message("before"))["payload"]["data"]["reminders"]
        second = (await connection.next_message("before"))["payload"]["data"]["reminders"]
        assert second["reminder"]["customer"]["id"] == moved and second["reminder"]["customer"]["phone"]

        hand_over = {"ids": [moved], "to": str(colleague.id), "reason": "客户经理调岗"}
        data(await gql(url, HAND_OVER, hand_over, head_token))
        # the same event replayed on a new subscription: its customer is no longer the manager's
        await connection.subscribe("after", REMINDERS, {"after": first["eventId"]})
        replayed = (await connection.next_message("after"))["payload"]
        assert not replayed.get("errors"), replayed
        assert replayed["data"]["reminders"]["eventId"] == second["eventId"]
        assert replayed["data"]["reminders"]["reminder"]["customer"] is None, replayed


@pytest.mark.e2e
async def test_an_expired_token_starts_no_subscription_on_an_open_connection(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    principal = principal_for(tenant.manager, tenant.branch)
    expires_at = int(time.time()) + 15  # room for the set-up below on a loaded machine
    token = issue_token(principal, token_keys(stack.settings), expires_at=expires_at)
    customer = str(tenant.customers[0].id)
    async with Connection(stack, token) as connection:
        # events to replay, so a subscription that did start would have something to send at once
        await connection.subscribe("live", REMINDERS)
        for title in ("过期前一", "过期前二"):
            variables = {"i": {"customerId": customer, "kind": "SCHEDULE", "title": title}}
            data(await gql(stack.gateway_url, ADD_REMINDER, variables, tenant.manager_token))
        first = await connection.next_message("live")
        assert (await connection.next_message("live"))["type"] == "next"
        await connection.complete("live")
        assert time.time() < expires_at, "set-up outlived the token: the test proves nothing"
        await eventually(lambda: time.time() > expires_at + 1, seconds=20)
        after = first["payload"]["data"]["reminders"]["eventId"]
        await connection.subscribe("late", REMINDERS, {"after": after})
        message = await connection.next_message("late")
        assert "UNAUTHENTICATED" in _codes(message), message
        assert not (message.get("payload") or {}).get("data"), message


# -- subscriptions count against the rate limit ------------------------------------------------------


@pytest.mark.e2e
async def test_subscriptions_are_rate_limited(stack: Stack) -> None:
    """Each subscribe counts once, like any operation; over the limit: RATE_LIMITED with
    retryAfter (the limiter's), not only the open-subscriptions cap (`limit: subscriptions`)."""
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    limit = stack.settings.limits.rate_limit
    cap = stack.settings.streams.max_subscriptions_per_user
    attempts = 3 * limit  # within two windows at most 2 × limit pass the limiter
    async with Connection(stack, tenant.manager_token) as connection:
        for i in range(attempts):
            await connection.subscribe(str(i), REMINDERS)
        # all but the `cap` subscriptions that stay open answer with an error at once
        first = await connection.first_messages(attempts - cap)
    errors = [e for message in first.values() for e in _errors(message)]
    limiter = [e for e in errors if e.get("extensions", {}).get("retryAfter")]
    assert limiter and all(e["extensions"]["code"] == "RATE_LIMITED" for e in limiter), errors[:3]
