"""Devices' copies of org paths follow a move of the org tree (resolvers/devices/org_events.py, the
consumer of operations' ``operations.orgs``): a device in a hall under the moved org takes the new
path, one elsewhere keeps its own, and the consumer's cursor is recorded with it. In process, on
both storages."""

from __future__ import annotations

import uuid

import pytest

from models.devices import ConsumerCursor, Device, DeviceKind
from models.operations import Org, OrgKind
from resolvers.devices.org_events import CONSUMER, on_org_event
from subgraphs.settings import Settings
from testkit.factories import make_org
from testkit.inprocess import consume_latest_org_event, move_org

pytestmark = pytest.mark.integration


async def _device(hall: Org) -> Device:
    code = f"M{uuid.uuid4().hex[:10]}"
    return await Device.create(
        code=code, name="移动终端", kind=DeviceKind.SERVER, hall_id=hall.id, org_path=hall.path
    )


async def test_a_move_rewrites_device_paths(database: Settings) -> None:
    root = await make_org("设备移动省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("设备移动农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    branch, other = [await make_org(f"设备移动支行{i}", OrgKind.BRANCH, bank) for i in (1, 2)]
    hall, staying = [await make_org(f"设备移动营业厅{i}", OrgKind.HALL, branch) for i in (1, 2)]
    moved, kept = await _device(hall), await _device(staying)
    new_path = await move_org(database, hall, other)
    await consume_latest_org_event("devices", CONSUMER, on_org_event, "org.moved", hall.id)
    assert (await Device.get(id=moved.id)).org_path == new_path == f"{other.path}/{hall.id}"
    assert (await Device.get(id=kept.id)).org_path == staying.path
    assert await ConsumerCursor.filter(name=CONSUMER).exists()
