"""通知公告 (resolvers/operations/announcements.py), in process on both storages: an administrator
publishes for an org subtree and some roles, readers see only what is addressed to them, mark it
read once (however often they ask), the managers count who of the audience read it; withdrawn
and draft announcements reach no reader; every id of another bank, branch or role is NOT_FOUND."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from models.operations import AnnouncementRead, Org, OrgKind
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute

pytestmark = pytest.mark.integration

CREATE = """mutation($i: CreateAnnouncementInput!) { createAnnouncement(input: $i) {
  id status roles org { id } publishedAt } }"""
UPDATE = "mutation($i: UpdateAnnouncementInput!) { updateAnnouncement(input: $i) { id title status roles } }"
PUBLISH = "mutation($id: ID!) { publishAnnouncement(id: $id) { id status } }"
WITHDRAW = "mutation($id: ID!) { withdrawAnnouncement(id: $id) { id status } }"
MARK = "mutation($id: ID!) { markAnnouncementRead(id: $id) { id read } }"
MINE = """query($u: Boolean! = false) { announcements(first: 50, unreadOnly: $u) { nodes { id title read } }
  announcementUnreadCount }"""
ONE = "query($id: ID!) { announcement(id: $id) { id status read } }"
COUNTS = """query($id: ID!) { announcement(id: $id) { id audienceCount readCount unreadCount
  receipts { readAt user { id } } } }"""
MANAGED = (
    "query($s: AnnouncementStatus) { managedAnnouncements(first: 50, status: $s) { nodes { id status } } }"
)


@dataclass
class Bank:
    tenant: Tenant
    hq: str  # 总行业务管理 of the bank
    head: str  # 支行行长 of the manager's branch
    head_id: uuid.UUID
    colleague: str  # a manager of another branch of the same bank
    province: str  # 省联社管理 over the bank
    other_bank_manager: str
    other_bank_hq: str
    other_bank_branch: Org


async def make_bank(settings: Any) -> Bank:
    tenant = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=0, grabbers=0, needs=0)
    hq = await make_user(tenant.bank, ("HQ_ADMIN",), "总行业务管理")
    head = await make_user(tenant.branch, ("BRANCH_HEAD",), "支行行长")
    second = await make_org("测试二支行", OrgKind.BRANCH, tenant.bank)
    colleague = await make_user(second, ("CUSTOMER_MANAGER",), "客户经理")
    root = await Org.get(id=tenant.bank.parent_id)
    province = await make_user(root, ("PROVINCE_ADMIN",), "省联社管理")
    other_hq = await make_user(other.bank, ("HQ_ADMIN",), "他行总行")
    return Bank(
        tenant,
        token_for(hq, tenant.bank, settings),
        token_for(head, tenant.branch, settings),
        head.id,
        token_for(colleague, second, settings),
        token_for(province, root, settings),
        other.manager_token,
        token_for(other_hq, other.bank, settings),
        other.branch,
    )


async def run(settings: Any, query: str, token: str, **variables: Any) -> Any:
    return await execute("operations", query, variables, token, settings=settings)


async def ok(settings: Any, query: str, token: str, **variables: Any) -> Any:
    result = await run(settings, query, token, **variables)
    assert not result.errors, result.errors
    return result.data


def announcement(org: Org, **extra: Any) -> dict[str, Any]:
    return {
        "orgId": str(org.id),
        "title": "系统维护通知",
        "body": "本周六 22:00 至 24:00 系统维护。",
        **extra,
    }


def ids(data: Any) -> list[str]:
    return [n["id"] for n in data["announcements"]["nodes"]]


async def test_publish_read_and_receipts(database: Any) -> None:
    bank = await make_bank(database)
    tenant = bank.tenant
    key = uuid.uuid4().hex
    first = await ok(
        database, CREATE, bank.hq, i=announcement(tenant.branch, publish=True, idempotencyKey=key)
    )
    again = await ok(
        database, CREATE, bank.hq, i=announcement(tenant.branch, publish=True, idempotencyKey=key)
    )
    assert again == first and first["createAnnouncement"]["status"] == "PUBLISHED"
    id = first["createAnnouncement"]["id"]
    mine = await ok(database, MINE, tenant.manager_token)
    assert ids(mine) == [id] and mine["announcementUnreadCount"] == 1
    assert mine["announcements"]["nodes"][0]["read"] is False

    # Idempotent mark-read: twice in a row and twice at once leave one receipt.
    await ok(database, MARK, tenant.manager_token, id=id)
    results = await asyncio.gather(*(run(database, MARK, tenant.manager_token, id=id) for _ in range(2)))
    assert all(not r.errors and r.data["markAnnouncementRead"]["read"] for r in results)
    assert await AnnouncementRead.filter(announcement_id=id).count() == 1
    mine = await ok(database, MINE, tenant.manager_token)
    assert mine["announcementUnreadCount"] == 0 and mine["announcements"]["nodes"][0]["read"] is True
    assert ids(await ok(database, MINE, tenant.manager_token, u=True)) == []

    # The managers count the audience: the branch's manager, its head, and nobody else.
    counts = (await ok(database, COUNTS, bank.hq, id=id))["announcement"]
    assert (counts["audienceCount"], counts["readCount"], counts["unreadCount"]) == (2, 1, 1)
    assert [r["user"]["id"] for r in counts["receipts"]] == [str(tenant.manager.id)]
    assert (await ok(database, COUNTS, bank.province, id=id))["announcement"]["readCount"] == 1
    # A reader may not see the receipts.
    refused = await run(database, COUNTS, tenant.manager_token, id=id)
    assert "FORBIDDEN" in codes(refused)


async def test_roles_branches_and_banks(database: Any) -> None:
    bank = await make_bank(database)
    tenant = bank.tenant
    heads = await ok(
        database, CREATE, bank.hq, i=announcement(tenant.bank, roles=["BRANCH_HEAD"], publish=True)
    )
    branch = await ok(database, CREATE, bank.hq, i=announcement(tenant.branch, publish=True))
    whole = await ok(database, CREATE, bank.province, i=announcement(await Org.get(id=tenant.bank.parent_id)))
    whole_id = whole["createAnnouncement"]["id"]
    await ok(database, PUBLISH, bank.province, id=whole_id)
    heads_id, branch_id = heads["createAnnouncement"]["id"], branch["createAnnouncement"]["id"]
    assert heads["createAnnouncement"]["roles"] == ["BRANCH_HEAD"]

    assert set(ids(await ok(database, MINE, tenant.manager_token))) == {branch_id, whole_id}
    assert set(ids(await ok(database, MINE, bank.head))) == {heads_id, branch_id, whole_id}
    assert set(ids(await ok(database, MINE, bank.colleague))) == {whole_id}  # another branch
    assert ids(await ok(database, MINE, bank.other_bank_manager)) == []  # another province and bank

    # Out of scope: another branch's manager, another bank's, another role — as unknown ids.
    for token, id in (
        (bank.colleague, branch_id),
        (bank.other_bank_manager, branch_id),
        (tenant.manager_token, heads_id),
        (tenant.manager_token, str(uuid.uuid4())),
    ):
        assert (await ok(database, ONE, token, id=id))["announcement"] is None
        assert codes(await run(database, MARK, token, id=id)) == ["NOT_FOUND"]
    assert await AnnouncementRead.filter(announcement_id__in=[heads_id, branch_id]).count() == 0

    # Managing: the bank's admins its own; another bank's admin, a reader: refused.
    for query in (PUBLISH, WITHDRAW):
        assert codes(await run(database, query, bank.other_bank_hq, id=branch_id)) == ["NOT_FOUND"]
    assert (await ok(database, COUNTS, bank.other_bank_hq, id=branch_id))["announcement"] is None
    assert codes(await run(database, WITHDRAW, tenant.manager_token, id=branch_id)) == ["FORBIDDEN"]
    assert codes(await run(database, WITHDRAW, bank.hq, id=whole_id)) == ["FORBIDDEN"]  # the province's
    managed = await ok(database, MANAGED, bank.hq)
    assert {n["id"] for n in managed["managedAnnouncements"]["nodes"]} == {heads_id, branch_id}
    assert codes(await run(database, MANAGED, tenant.manager_token)) == ["FORBIDDEN"]


async def test_every_input_is_checked(database: Any) -> None:
    bank = await make_bank(database)
    tenant = bank.tenant
    # An org of another bank, or none, is NOT_FOUND; a reader may not write; unknown roles, empty text.
    for org_id in (str(bank.other_bank_branch.id), str(uuid.uuid4())):
        refused = await run(database, CREATE, bank.hq, i={**announcement(tenant.branch), "orgId": org_id})
        assert codes(refused) == ["NOT_FOUND"]
    assert codes(await run(database, CREATE, tenant.manager_token, i=announcement(tenant.branch))) == [
        "FORBIDDEN"
    ]
    assert codes(await run(database, CREATE, bank.head, i=announcement(tenant.branch))) == ["FORBIDDEN"]
    for bad in ({"roles": ["NO_SUCH_ROLE"]}, {"title": " "}, {"body": ""}, {"idempotencyKey": ""}):
        assert codes(await run(database, CREATE, bank.hq, i={**announcement(tenant.branch), **bad})) == [
            "BAD_USER_INPUT"
        ]
    assert codes(await run(database, MARK, tenant.manager_token, id="not-an-id")) == ["BAD_USER_INPUT"]
    # The same key with another announcement is CONFLICT.
    key = uuid.uuid4().hex
    await ok(database, CREATE, bank.hq, i=announcement(tenant.branch, idempotencyKey=key))
    clash = await run(
        database, CREATE, bank.hq, i=announcement(tenant.branch, title="另一则", idempotencyKey=key)
    )
    assert codes(clash) == ["CONFLICT"]


async def test_draft_and_withdrawn_reach_no_reader(database: Any) -> None:
    bank = await make_bank(database)
    tenant = bank.tenant
    draft = await ok(database, CREATE, bank.hq, i=announcement(tenant.branch))
    id = draft["createAnnouncement"]["id"]
    assert draft["createAnnouncement"]["status"] == "DRAFT"
    assert ids(await ok(database, MINE, tenant.manager_token)) == []
    assert codes(await run(database, MARK, tenant.manager_token, id=id)) == ["NOT_FOUND"]
    assert codes(await run(database, WITHDRAW, bank.hq, id=id)) == ["CONFLICT"]  # not published

    edited = await ok(database, UPDATE, bank.hq, i={"id": id, **announcement(tenant.branch, title="新标题")})
    assert edited["updateAnnouncement"]["title"] == "新标题"
    await ok(database, PUBLISH, bank.hq, id=id)
    await ok(database, PUBLISH, bank.hq, id=id)  # again: nothing changes
    assert codes(await run(database, UPDATE, bank.hq, i={"id": id, **announcement(tenant.branch)})) == [
        "CONFLICT"
    ]
    await ok(database, MARK, tenant.manager_token, id=id)
    await ok(database, WITHDRAW, bank.hq, id=id)
    assert ids(await ok(database, MINE, tenant.manager_token)) == []
    assert (await ok(database, ONE, tenant.manager_token, id=id))["announcement"] is None
    assert codes(await run(database, MARK, tenant.manager_token, id=id)) == ["NOT_FOUND"]
    # Its receipts are kept for its managers.
    assert (await ok(database, COUNTS, bank.hq, id=id))["announcement"]["readCount"] == 1
    withdrawn = await ok(database, MANAGED, bank.hq, s="WITHDRAWN")
    assert [n["id"] for n in withdrawn["managedAnnouncements"]["nodes"]] == [id]
