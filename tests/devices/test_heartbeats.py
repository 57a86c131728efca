"""心跳 (heartbeats, resolvers/devices/heartbeats.py): a heartbeat that changes the device's status
reaches the hall's ``deviceStatus`` subscribers through the gateway, over WebSocket and SSE."""

from __future__ import annotations

import itertools

import pytest

from clients.python.dcms_client import data, gql
from testkit.factories import Tenant, make_tenant
from tests.support.stack import Stack
from tests.support.streams import delivers_through_gateway

pytestmark = pytest.mark.e2e


async def _heartbeat(stack: Stack, tenant: Tenant, status: str) -> None:
    mutation = "mutation($i: HeartbeatInput!) { reportHeartbeat(input: $i) { id } }"
    variables = {"i": {"deviceId": str(tenant.device.id), "status": status, "cpu": 97.5}}
    data(await gql(stack.gateway_url, mutation, variables, tenant.hall_token))


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_device_status_stream_delivers_through_gateway(stack: Stack, transport: str) -> None:
    tenant = await make_tenant(stack.settings, customers=3, grabbers=2)
    query = "subscription($id: ID) { deviceStatus(deviceId: $id) { device { status cpu hall { name } } } }"
    # Halls are the hall manager's scope. Only a change of status is an event: the trigger, repeated
    # until the subscription is live, turns the device FAULT and back.
    statuses = itertools.cycle(["FAULT", "ONLINE"])
    await delivers_through_gateway(
        stack,
        transport,
        query,
        {"id": str(tenant.device.id)},
        tenant.hall_token,
        lambda: _heartbeat(stack, tenant, next(statuses)),
        lambda d: (
            d["deviceStatus"]["device"]
            == {"status": "FAULT", "cpu": 97.5, "hall": {"name": "测试供电营业厅"}}
        ),
    )
