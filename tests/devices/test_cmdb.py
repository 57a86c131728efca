"""配置库 (CMDB, resolvers/devices/cmdb.py), executed on the devices schema in process: items
created (idempotently), updated (one change record with every field changed, the configuration key
by key; the original configuration never changes), related to items and devices, unrelated and
retired, each change with who, when, before and after; callers out of scope see nothing and change
nothing; a page of items with all their relations costs the same statements for 2 items and 20."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.devices import ConfigChange, ConfigItem, ConfigRelation
from models.operations import ChangeKind, ChangeRequest, ChangeRisk, Org, OrgKind, User
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute, records_of
from testkit.sqlcount import statements_of
from tests.support.entities import batch_statements

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateConfigItemInput!) { createConfigItem(input: $i) {
  id code status version originalConfig config org { id } device { id } } }"""
UPDATE = """mutation($i: UpdateConfigItemInput!) { updateConfigItem(input: $i) {
  id name status version originalConfig config warrantyUntil device { id } } }"""
RELATE = "mutation($i: RelateConfigItemInput!) { relateConfigItem(input: $i) { id version } }"
UNRELATE = "mutation($i: UnrelateConfigItemInput!) { unrelateConfigItem(input: $i) { id version } }"
RETIRE = "mutation($i: RetireConfigItemInput!) { retireConfigItem(input: $i) { id status version } }"
READ = """query($id: ID!, $first: Int = 20, $after: String) { configItem(id: $id) {
  id code name version originalConfig config
  relations { id kind direction item { id code } device { id } }
  changes(first: $first, after: $after) {
    nodes { seq action changes reason changeRequestId actorId actorName at }
    pageInfo { hasNextPage endCursor } } } }"""
LIST = "query($s: String) { configItems(first: 100, search: $s) { nodes { id } } }"


@dataclass
class Room:
    """A grid company's hall (机房) with its CMDB keepers, and a caller of another province."""

    tenant: Tenant
    engineer: User
    engineer_token: str  # OPS_ENGINEER of the hall: keeps the CMDB
    reader: str  # a BRANCH_HEAD at the hall: sees, does not change
    province: str  # PROVINCE_ADMIN over the hall
    other: Tenant  # another province's hall
    settings: Settings


async def make_room(settings: Settings) -> Room:
    tenant = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    engineer = await make_user(tenant.hall, ("OPS_ENGINEER",), "运维工程师")
    reader = await make_user(tenant.hall, ("BRANCH_HEAD",), "只读")
    root = await Org.get(id=tenant.hall.parent_id)
    province = await make_user(root, ("PROVINCE_ADMIN",), "省联社管理")
    return Room(
        tenant,
        engineer,
        token_for(engineer, tenant.hall, settings),
        token_for(reader, tenant.hall, settings),
        token_for(province, root, settings),
        other,
        settings,
    )


async def run(room: Room, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    return await execute("devices", query, variables, token or room.engineer_token, settings=room.settings)


async def ok(room: Room, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    result = await run(room, query, variables, token)
    assert not result.errors, result.errors
    return dict(result.data)


def item_input(org: Org, **extra: Any) -> dict[str, Any]:
    return {
        "i": {
            "orgId": str(org.id),
            "code": f"CI-{uuid.uuid4().hex[:10]}",
            "name": "数据库服务器",
            "kind": "SERVER",
            "vendor": "华为",
            "model": "RH2288H V5",
            "location": "机房A-03柜-U12",
            "config": {"os": "CentOS 7.6", "cpu": 32, "raid": "RAID5"},
            **extra,
        }
    }


async def create(room: Room, token: str | None = None, org: Org | None = None, **extra: Any) -> str:
    data = await ok(room, CREATE, item_input(org or room.tenant.hall, **extra), token)
    return str(data["createConfigItem"]["id"])


async def test_an_item_is_created_once_changed_related_unrelated_and_retired(database: Settings) -> None:
    room = await make_room(database)
    key = str(uuid.uuid4())
    variables = item_input(room.tenant.hall, idempotencyKey=key, deviceId=str(room.tenant.device.id))
    request_id = f"cmdb-{uuid.uuid4()}"
    first = await execute(
        "devices", CREATE, variables, room.engineer_token, settings=database, request_id=request_id
    )
    created = first.data["createConfigItem"]
    assert created["status"] == "IN_SERVICE" and created["version"] == 1
    assert created["originalConfig"] == created["config"] == {"os": "CentOS 7.6", "cpu": 32, "raid": "RAID5"}
    assert created["org"] == {"id": str(room.tenant.hall.id)}
    assert created["device"] == {"id": str(room.tenant.device.id)}
    [record] = await records_of("devices", request_id)  # one transaction, one audit record
    assert (record.action, record.target_id, record.result) == ("createConfigItem", created["id"], "ok")
    again = (await ok(room, CREATE, variables))["createConfigItem"]  # a retry creates nothing twice
    assert again["id"] == created["id"] and await ConfigItem.filter(code=variables["i"]["code"]).count() == 1
    other = {"i": {**variables["i"], "code": "CI-another"}}
    assert codes(await run(room, CREATE, other)) == ["CONFLICT"]  # the key, used for another item
    taken = {"i": {**variables["i"], "idempotencyKey": None}}
    assert codes(await run(room, CREATE, taken)) == ["CONFLICT"]  # the code is taken
    item = created["id"]

    # An update: one change with every field changed, the configuration key by key.
    patch = {
        "id": item,
        "name": "核心数据库服务器",
        "vendor": "华为",  # as it was: not a change
        "config": {"os": "CentOS 7.9", "cpu": 32, "ram": "256G"},
        "warrantyUntil": "2028-06-30",
        "reason": "系统补丁升级并扩容内存",
    }
    updated = (await ok(room, UPDATE, {"i": patch}))["updateConfigItem"]
    assert updated["version"] == 2 and updated["name"] == "核心数据库服务器"
    assert updated["originalConfig"] == {"os": "CentOS 7.6", "cpu": 32, "raid": "RAID5"}  # 原始配置 kept
    assert updated["config"] == {"os": "CentOS 7.9", "cpu": 32, "ram": "256G"}
    change = await ConfigChange.get(item_id=item, seq=2)
    assert change.changes == {
        "name": {"before": "数据库服务器", "after": "核心数据库服务器"},
        "warranty_until": {"before": None, "after": "2028-06-30"},
        "config.os": {"before": "CentOS 7.6", "after": "CentOS 7.9"},
        "config.raid": {"before": "RAID5", "after": None},
        "config.ram": {"before": None, "after": "256G"},
    }
    assert (change.actor_id, change.reason) == (room.engineer.id, "系统补丁升级并扩容内存")
    assert abs(change.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    # The same values again: nothing changed, nothing recorded.
    assert (await ok(room, UPDATE, {"i": patch}))["updateConfigItem"]["version"] == 2
    assert await ConfigChange.filter(item_id=item).count() == 2
    # Unlinking the device and clearing the warranty (null), under a change request (变更单) in scope.
    change_request = await _change_request(room.tenant.hall, room.engineer)
    cleared = {"id": item, "deviceId": None, "warrantyUntil": None, "changeRequestId": str(change_request)}
    unlinked = (await ok(room, UPDATE, {"i": cleared}))["updateConfigItem"]
    assert unlinked["device"] is None and unlinked["warrantyUntil"] is None and unlinked["version"] == 3
    theirs = await _change_request(room.other.hall, room.engineer)
    refused = {"i": {"id": item, "name": "x", "changeRequestId": str(theirs)}}
    assert codes(await run(room, UPDATE, refused)) == ["NOT_FOUND"]  # another province's 变更单

    # Relations: to another item (both directions seen) and to a device; the same one again is no error.
    array = await create(room, kind="STORAGE", name="磁盘阵列", config={"raid": "RAID6", "capacity": "200T"})
    stores = {"sourceId": item, "kind": "STORES_ON", "targetItemId": array, "reason": "数据库卷迁至阵列"}
    assert (await ok(room, RELATE, {"i": stores}))["relateConfigItem"]["version"] == 4
    assert (await ok(room, RELATE, {"i": stores}))["relateConfigItem"]["version"] == 4  # repeated: no record
    on_device = {"sourceId": item, "kind": "CONNECTS_TO", "targetDeviceId": str(room.tenant.device.id)}
    await ok(room, RELATE, {"i": on_device})
    for wrong in (
        {"sourceId": item, "kind": "DEPENDS_ON"},  # no target
        {**on_device, "targetItemId": array},  # two targets
        {"sourceId": item, "kind": "DEPENDS_ON", "targetItemId": item},  # itself
    ):
        assert codes(await run(room, RELATE, {"i": wrong})) == ["BAD_USER_INPUT"], wrong
    read = (await ok(room, READ, {"id": item}))["configItem"]
    assert sorted((r["direction"], r["kind"], r["item"], r["device"]) for r in read["relations"]) == [
        ("OUTGOING", "CONNECTS_TO", None, {"id": str(room.tenant.device.id)}),
        ("OUTGOING", "STORES_ON", {"id": array, "code": (await ConfigItem.get(id=array)).code}, None),
    ]
    incoming = (await ok(room, READ, {"id": array}))["configItem"]["relations"]
    assert [(r["direction"], r["kind"], r["item"]["id"]) for r in incoming] == [
        ("INCOMING", "STORES_ON", item)
    ]

    # The history, newest first, paged; who and when on each.
    changes = read["changes"]["nodes"]
    assert [(c["seq"], c["action"]) for c in changes] == [
        (5, "RELATED"),
        (4, "RELATED"),
        (3, "UPDATED"),
        (2, "UPDATED"),
        (1, "CREATED"),
    ]
    assert changes[2]["changeRequestId"] == str(change_request)
    assert changes[2]["changes"]["device_id"] == {"before": str(room.tenant.device.id), "after": None}
    assert all(c["actorId"] == str(room.engineer.id) and c["actorName"] and c["at"] for c in changes)
    page = (await ok(room, READ, {"id": item, "first": 2}))["configItem"]["changes"]
    assert [c["seq"] for c in page["nodes"]] == [5, 4] and page["pageInfo"]["hasNextPage"]
    rest = await ok(room, READ, {"id": item, "first": 2, "after": page["pageInfo"]["endCursor"]})
    assert [c["seq"] for c in rest["configItem"]["changes"]["nodes"]] == [3, 2]
    assert codes(await run(room, READ, {"id": item, "after": "bm90IGEgY3Vyc29y"})) == ["BAD_USER_INPUT"]

    # Unrelate: recorded too; again, there is nothing to remove.
    relation = await ConfigRelation.get(source_id=item, target_item_id=array)
    unrelated = await ok(room, UNRELATE, {"i": {"relationId": str(relation.id), "reason": "迁回本地盘"}})
    assert unrelated["unrelateConfigItem"]["version"] == 6
    assert codes(await run(room, UNRELATE, {"i": {"relationId": str(relation.id)}})) == ["NOT_FOUND"]
    last = await ConfigChange.get(item_id=item, seq=6)
    assert last.changes["relation"]["before"]["targetItemId"] == array and last.reason == "迁回本地盘"

    # Retire: a reason is required; then the item is read-only.
    assert codes(await run(room, RETIRE, {"i": {"id": item, "reason": " "}})) == ["BAD_USER_INPUT"]
    retired = (await ok(room, RETIRE, {"i": {"id": item, "reason": "设备到期下线"}}))["retireConfigItem"]
    assert retired == {"id": item, "status": "RETIRED", "version": 7}
    assert codes(await run(room, RETIRE, {"i": {"id": item, "reason": "再次"}})) == ["CONFLICT"]
    assert codes(await run(room, UPDATE, {"i": {"id": item, "name": "复用"}})) == ["CONFLICT"]
    assert codes(await run(room, RELATE, {"i": {**on_device, "kind": "DEPENDS_ON"}})) == ["CONFLICT"]
    final = await ConfigItem.get(id=item)
    assert final.original_config == {"os": "CentOS 7.6", "cpu": 32, "raid": "RAID5"}  # never changed


async def test_bad_input_is_refused_with_a_code(database: Settings) -> None:
    room = await make_room(database)
    hall = room.tenant.hall
    for extra in (
        {"config": [1, 2]},  # not an object
        {"config": {"k": "x" * 20_001}},  # too long
        {"code": " "},
        {"name": "名" * 101},
        {"location": "位" * 201},
        {"idempotencyKey": ""},
    ):
        assert codes(await run(room, CREATE, item_input(hall, **extra))) == ["BAD_USER_INPUT"], extra
    item = await create(room)
    for patch in ({"status": "RETIRED"}, {"config": "text"}, {"name": ""}, {"reason": "因" * 2001}):
        assert codes(await run(room, UPDATE, {"i": {"id": item, **patch}})) == ["BAD_USER_INPUT"], patch
    assert codes(await run(room, UPDATE, {"i": {"id": "not-an-id", "name": "x"}})) == ["BAD_USER_INPUT"]
    listed = "query($s: String) { configItems(first: 5, search: $s) { nodes { id } } }"
    assert codes(await run(room, listed, {"s": "搜" * 51})) == ["BAD_USER_INPUT"]


async def test_callers_out_of_scope_see_nothing_and_change_nothing(database: Settings) -> None:
    room = await make_room(database)
    item = await create(room, deviceId=str(room.tenant.device.id))
    array = await create(room, kind="STORAGE", name="磁盘阵列")
    await ok(room, RELATE, {"i": {"sourceId": item, "kind": "STORES_ON", "targetItemId": array}})
    relation = await ConfigRelation.get(source_id=item)
    outsider = room.other.hall_token  # another province's hall manager: keeps a CMDB of their own
    theirs = await create(room, outsider, org=room.other.hall)
    before = await _state(item, array)

    assert (await ok(room, READ, {"id": item}, outsider))["configItem"] is None
    assert (await ok(room, LIST, {}, outsider))["configItems"]["nodes"] == [{"id": theirs}]
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on ConfigItem { code } } }"
    represent = {"r": [{"__typename": "ConfigItem", "id": item}]}
    assert codes(await run(room, entities, represent, outsider)) == ["NOT_FOUND"]
    device = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Device { configItems { id } } } }"
    as_device = {"r": [{"__typename": "Device", "id": str(room.tenant.device.id)}]}
    assert codes(await run(room, device, as_device, outsider)) == ["NOT_FOUND"]
    for query, variables in (
        (UPDATE, {"id": item, "name": "改名"}),
        (RETIRE, {"id": item, "reason": "下线"}),
        (RELATE, {"sourceId": item, "kind": "DEPENDS_ON", "targetItemId": theirs}),
        (RELATE, {"sourceId": theirs, "kind": "DEPENDS_ON", "targetItemId": item}),  # to an item of ours
        (RELATE, {"sourceId": theirs, "kind": "RUNS_ON", "targetDeviceId": str(room.tenant.device.id)}),
        (UNRELATE, {"relationId": str(relation.id)}),
        (CREATE, item_input(room.tenant.hall)["i"]),  # in an org of ours
        (CREATE, item_input(room.other.hall, deviceId=str(room.tenant.device.id))["i"]),  # naming our device
        (UPDATE, {"id": theirs, "deviceId": str(room.tenant.device.id)}),
    ):
        assert codes(await run(room, query, {"i": variables}, outsider)) == ["NOT_FOUND"], variables
    assert await _state(item, array) == before
    assert await ConfigItem.filter(org_id=room.tenant.hall.id).count() == 2

    # In scope but only reading (a branch head): sees it, may not change it.
    read = (await ok(room, READ, {"id": item}, room.reader))["configItem"]
    assert read["id"] == item and len(read["relations"]) == 1
    assert codes(await run(room, UPDATE, {"i": {"id": item, "name": "改名"}}, room.reader)) == ["FORBIDDEN"]
    assert codes(await run(room, CREATE, item_input(room.tenant.hall), room.reader)) == ["FORBIDDEN"]
    assert await _state(item, array) == before

    # The province sees both halls' items: it may relate them; each side then shows the other only
    # to whoever sees it.
    across = {"sourceId": item, "kind": "DEPENDS_ON", "targetItemId": theirs}
    await ok(room, RELATE, {"i": across}, room.province)
    mine = (await ok(room, READ, {"id": item}))["configItem"]["relations"]
    assert {r["kind"] for r in mine} == {"STORES_ON"}  # the engineer does not see their item
    seen = (await ok(room, READ, {"id": item}, room.province))["configItem"]["relations"]
    assert {r["kind"] for r in seen} == {"STORES_ON", "DEPENDS_ON"}
    theirs_seen = (await ok(room, READ, {"id": theirs}, outsider))["configItem"]["relations"]
    assert theirs_seen == []  # our item is not theirs to see, nor that it relates to theirs


async def test_items_with_every_relation_take_the_same_statements_for_2_and_20(database: Settings) -> None:
    room = await make_room(database)
    query = """query($org: ID!, $first: Int!) { configItems(first: $first, orgId: $org) { nodes {
      code org { id } device { name } relations { kind direction item { code } device { name } }
      changes(first: 3) { nodes { seq action actorName at } } } } }"""
    counts = []
    for n in (2, 20):
        org = await _hall(room, f"机房{n}")
        ids = [
            await create(room, room.province, org=org, deviceId=str(room.tenant.device.id)) for _ in range(n)
        ]
        for source, target in zip(ids, ids[1:] + ids[:1], strict=True):
            variables = {"sourceId": source, "kind": "CONNECTS_TO", "targetItemId": target}
            await ok(room, RELATE, {"i": variables}, room.province)
        page: dict[str, Any] = {"org": str(org.id), "first": n}
        counts.append(await statements_of("devices", query, page, room.province, database))
    assert counts[0] == counts[1] <= 8, counts
    # _entities of items and of devices with their items, batched.
    items = ids[:3]  # the last room's, each related to the next
    selection = "code relations { kind item { code } } changes(first: 2) { nodes { seq } }"
    batch = await batch_statements("devices", "ConfigItem", selection, items, (1, 3), room.province, database)
    assert 1 <= batch[0] == batch[1] <= 6, batch
    await create(room, room.province, org=room.other.hall, deviceId=str(room.other.device.id))
    devices = [room.tenant.device.id, room.other.device.id]
    selection = "configItems { code relations { kind } }"
    batch = await batch_statements("devices", "Device", selection, devices, (1, 2), room.province, database)
    assert 1 <= batch[0] == batch[1] <= 5, batch


async def _hall(room: Room, name: str) -> Org:
    root = await Org.get(id=room.tenant.hall.parent_id)
    return await make_org(name, OrgKind.HALL, root, tenant_id=root.id)


async def _change_request(org: Org, requester: User) -> uuid.UUID:
    start = datetime.now(UTC) + timedelta(days=1)
    row = await ChangeRequest.create(
        org_id=org.id,
        org_path=org.path,
        kind=ChangeKind.CONFIGURATION,
        title="数据库服务器补丁升级",
        planned_start=start,
        planned_end=start + timedelta(hours=2),
        risk=ChangeRisk.MEDIUM,
        rollback_plan="回退补丁",
        requested_by=requester.id,
    )
    return row.id


async def _state(*items: str) -> list[Any]:
    rows = (
        await ConfigItem.filter(id__in=items)
        .order_by("id")
        .values_list("name", "status", "version", "config")
    )
    relations = await ConfigRelation.filter(source_id__in=items).count()
    return [rows, relations, await ConfigChange.filter(item_id__in=items).count()]
