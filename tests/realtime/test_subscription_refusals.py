"""A subscription a subgraph refuses before execution ends with that refusal, through the gateway.

Strawberry 0.341 ignores the result an extension sets for a subscription (it checks it only for
queries and mutations): before subgraphs/schema.py RefuseSubscriptions, a subscription with a NUL
byte in its variables (InputGuard's BAD_USER_INPUT) was opened and ran as if nothing were wrong.
"""

from __future__ import annotations

import asyncio

import pytest

from clients.python.dcms_client import error_codes, subscribe_ws
from testkit.factories import make_tenant
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

ALERTS = "subscription($path: String) { alerts(orgPath: $path) { eventId alert { title } } }"


async def _first(stack: Stack, token: str, path: str) -> dict[str, object]:
    stream = subscribe_ws(stack.gateway_ws, ALERTS, {"path": path}, token)
    try:
        return await asyncio.wait_for(anext(stream), 10)
    finally:
        await stream.aclose()


async def test_a_refused_subscription_gets_its_error_and_does_not_run(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    first = await _first(stack, tenant.hall_token, tenant.hall.path + "\x00")
    assert error_codes(first) == ["BAD_USER_INPUT"], first
