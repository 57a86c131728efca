"""告警 (alerts, resolvers/operations/alerts.py) through the real gateway: raiseAlert with an
idempotency key (a client that retries after a timeout, or sends the same request twice at once,
raises one alert and publishes one event); raising outside one's scope; the ``alerts`` stream
over WebSocket and SSE, reaching only subscribers whose hall it is."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from tortoise import Tortoise

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.operations import Alert
from testkit.factories import Tenant, make_tenant
from tests.support.stack import Stack
from tests.support.streams import delivers_through_gateway

pytestmark = pytest.mark.e2e

RAISE = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id title } }"


def _input(tenant: Tenant, title: str, key: str | None) -> dict[str, Any]:
    return {"i": {"orgId": str(tenant.hall.id), "level": "WARNING", "title": title, "idempotencyKey": key}}


async def _raise(stack: Stack, tenant: Tenant, title: str, key: str | None) -> dict[str, Any]:
    return await gql(stack.gateway_url, RAISE, _input(tenant, title, key), tenant.hall_token)


async def _events_of(alert_ids: list[str]) -> int:
    """alert.raised events in operations' outbox about these alerts."""
    rows = await Tortoise.apps["operations"]["OutboxEvent"].filter(type="alert.raised").all()
    return sum(1 for row in rows if str((row.payload or {}).get("id")) in alert_ids)


async def test_a_retry_with_the_same_key_raises_nothing_twice(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    key = str(uuid.uuid4())
    first = data(await _raise(stack, tenant, "机房温度过高", key))["raiseAlert"]
    again = data(await _raise(stack, tenant, "机房温度过高", key))["raiseAlert"]
    assert again["id"] == first["id"]
    assert await Alert.filter(org_id=tenant.hall.id, title="机房温度过高").count() == 1
    assert await _events_of([first["id"]]) == 1
    # Without a key every call is a new alert, as before.
    plain = [data(await _raise(stack, tenant, "无幂等键", None))["raiseAlert"]["id"] for _ in range(2)]
    assert len(set(plain)) == 2


async def test_concurrent_twins_raise_one_alert(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    key = str(uuid.uuid4())
    results = await asyncio.gather(*(_raise(stack, tenant, "并发告警", key) for _ in range(8)))
    ids = {data(result)["raiseAlert"]["id"] for result in results}
    assert len(ids) == 1
    assert await Alert.filter(org_id=tenant.hall.id, title="并发告警").count() == 1
    assert await _events_of(list(ids)) == 1


async def test_the_same_key_for_another_alert_is_a_conflict_and_keys_are_per_caller(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    key = str(uuid.uuid4())
    data(await _raise(stack, tenant, "第一条", key))
    refused = await _raise(stack, tenant, "另一条", key)
    assert error_codes(refused) == ["CONFLICT"]
    other_detail = {"i": {**_input(tenant, "第一条", key)["i"], "detail": "另一详情"}}
    assert error_codes(await gql(stack.gateway_url, RAISE, other_detail, tenant.hall_token)) == ["CONFLICT"]
    assert not await Alert.filter(org_id=tenant.hall.id, title="另一条").exists()
    # Another caller's key space is their own: the same key raises their alert.
    theirs = data(await _raise(stack, other, "第一条", key))["raiseAlert"]
    assert await Alert.filter(id=theirs["id"], org_id=other.hall.id).exists()
    assert error_codes(await _raise(stack, tenant, "过长", "k" * 65)) == ["BAD_USER_INPUT"]


RAISE_ALERT = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"


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
            data(await gql(stack.gateway_url, RAISE_ALERT, variables, theirs.hall_token))
            await asyncio.sleep(0.25)
        assert not receiver.done(), "an alert outside the subscriber's scope was delivered"
        # ... while their own hall's alerts do arrive
        own = {"i": {"orgId": str(mine.hall.id), "level": "WARNING", "title": "本厅告警"}}
        for _ in range(20):
            data(await gql(stack.gateway_url, RAISE_ALERT, own, mine.hall_token))
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
    result = await gql(stack.gateway_url, RAISE_ALERT, variables, mine.hall_token)
    assert [e["extensions"]["code"] for e in result["errors"]] == [
        "NOT_FOUND"
    ]  # their hall is not even visible


async def _raise_alert(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
    variables = {"i": {"orgId": str(tenant.hall.id), "level": "CRITICAL", "title": "营业厅网络中断"}}
    data(await gql(stack.gateway_url, mutation, variables, tenant.hall_token))


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_alerts_stream_delivers_through_gateway(stack: Stack, transport: str) -> None:
    tenant = await make_tenant(stack.settings, customers=3, grabbers=2)
    # Halls are the hall manager's scope.
    await delivers_through_gateway(
        stack,
        transport,
        "subscription($path: String) { alerts(orgPath: $path) { alert { title level org { name } } } }",
        {"path": tenant.hall.path},
        tenant.hall_token,
        lambda: _raise_alert(stack, tenant),
        lambda d: (
            d["alerts"]["alert"]
            == {"title": "营业厅网络中断", "level": "CRITICAL", "org": {"name": "测试供电营业厅"}}
        ),
    )
