"""设备 (devices) of the halls (resolvers/devices/devices.py): a hall's devices through the
gateway, across the operations subgraph (the hall) and the devices subgraph."""

from __future__ import annotations

import pytest

from clients.python.dcms_client import data, gql
from testkit.factories import make_tenant
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


async def test_hall_devices_and_alert_device_cross_subgraphs(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=3, grabbers=2)
    query = """query($id: ID!) { org(id: $id) { name devices { nodes { name status hall { name } } } } }"""
    result = data(await gql(stack.gateway_url, query, {"id": str(tenant.hall.id)}, tenant.hall_token))
    assert result["org"]["devices"]["nodes"] == [
        {"name": "1号自助缴费终端", "status": "ONLINE", "hall": {"name": "测试供电营业厅"}}
    ]
