"""日志管理 (resolvers/operations/logs.py): every login attempt and logout in the login log, the
clients' page views in the operation log (idempotent batches, bad input refused), and who may
search and export them (the security and audit admins, in their tenant; the province union's,
every tenant) — each search and export itself audited; statements constant whatever the size."""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from clients.python.dcms_client import data, error_codes, gql
from models.operations import ClientKind, LoginEvent, LoginOutcome, Org, OrgKind, PageView
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute, records_of
from testkit.sqlcount import count_statements
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

PASSWORD = "Dcms@2026test"
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }"
LOGOUT = "mutation { logout }"
EVENTS = """query($f: LoginEventFilter, $first: Int!, $after: String) {
  loginEvents(filter: $f, first: $first, after: $after) {
    nodes { username userId tenantId orgPath outcome address userAgent occurredAt }
    pageInfo { hasNextPage endCursor }
  }
}"""
VIEWS = """query($f: PageViewFilter, $first: Int!) {
  pageViews(filter: $f, first: $first) { nodes { viewId username menuCode client seconds enteredAt } }
}"""
RECORD = """mutation($v: [PageViewInput!]!) { recordPageViews(views: $v) { received stored } }"""
EXPORT_EVENTS = (
    """query($f: LoginEventFilter) { exportLoginEvents(filter: $f) { fileName contentType contentBase64 } }"""
)
EXPORT_VIEWS = """query($f: PageViewFilter) { exportPageViews(filter: $f) { fileName contentBase64 } }"""
USAGE = """query($from: DateTime!, $to: DateTime!, $c: ClientKind) {
  menuUsage(from: $from, to: $to, client: $c) { menuCode client views users seconds }
}"""


@dataclass
class World:
    settings: Settings
    tenant: Tenant
    other: Tenant
    root: Org
    tokens: dict[str, str]


@pytest.fixture(scope="module")
async def world(database: Settings) -> World:
    settings = database
    tenant = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    other = await make_tenant(settings, customers=1, grabbers=0, needs=0)
    bank, root = tenant.bank, await Org.get(id=tenant.bank.parent_id)

    async def token(org: Org, role: str) -> str:
        return token_for(await make_user(org, (role,), "日志测试"), org, settings)

    tokens = {
        "security admin": await token(bank, "SECURITY_ADMIN"),
        "audit admin": await token(bank, "AUDIT_ADMIN"),
        "province security admin": await token(root, "SECURITY_ADMIN"),
        "security admin of another bank": await token(other.bank, "SECURITY_ADMIN"),
        "platform admin": await token(bank, "PLATFORM_ADMIN"),
        "province admin": await token(root, "PROVINCE_ADMIN"),
        "head office admin": await token(bank, "HQ_ADMIN"),
        "customer manager": tenant.manager_token,
    }
    return World(settings, tenant, other, root, tokens)


async def run(
    world: World, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    return await execute("operations", query, variables or {}, token, settings=world.settings)


async def read(world: World, caller: str, query: str, variables: dict[str, Any]) -> Any:
    result = await run(world, query, variables, world.tokens[caller])
    assert result.errors is None, result.errors
    return result.data


async def events_of(world: World, caller: str, user: str) -> list[dict[str, Any]]:
    data = await read(world, caller, EVENTS, {"f": {"user": user}, "first": 100})
    return data["loginEvents"]["nodes"]


def _views(n: int, prefix: str = "", **given: Any) -> list[dict[str, Any]]:
    entered = datetime.now(UTC) - timedelta(minutes=5)
    return [
        {
            "viewId": f"{prefix}{i}",
            "menuCode": given.get("menuCode", "customers.search"),
            "client": given.get("client", "APP"),
            "enteredAt": (entered + timedelta(seconds=i)).isoformat(),
            "seconds": given.get("seconds", 30),
        }
        for i in range(n)
    ]


# -- the login log ---------------------------------------------------------------------------------


async def test_every_login_attempt_and_logout_is_recorded(world: World) -> None:
    user = await make_user(world.tenant.branch, ("CUSTOMER_MANAGER",), "登录", password=PASSWORD)
    wrong = await run(world, LOGIN, {"u": f"  {user.username} ", "p": "Wrong@pass1234"})
    assert codes(wrong) == ["UNAUTHENTICATED"]
    ok = await run(world, LOGIN, {"u": user.username, "p": PASSWORD})
    assert ok.errors is None
    assert (await run(world, LOGOUT, token=ok.data["login"]["accessToken"])).errors is None

    events = await events_of(world, "security admin", user.username)
    assert [e["outcome"] for e in events] == ["LOGOUT", "SUCCESS", "WRONG_CREDENTIALS"]  # newest first
    for event in events:
        assert event["userId"] == str(user.id)
        assert event["tenantId"] == str(world.tenant.bank.id)
        assert event["orgPath"] == world.tenant.branch.path
        assert event["address"] == "unknown"  # in process there is no peer; the gateway's e2e test has one
    rows = await LoginEvent.filter(user_id=user.id).values_list("username", "address", "user_agent")
    assert PASSWORD not in repr(rows) and "Wrong@pass1234" not in repr(rows)  # never the password


async def test_lockout_and_forced_change_are_recorded(world: World) -> None:
    user = await make_user(world.tenant.branch, ("CUSTOMER_MANAGER",), "锁定", password=PASSWORD)
    seen: list[str] = []
    for _ in range(8):
        seen += codes(await run(world, LOGIN, {"u": user.username, "p": "Wrong@pass1234"}))
        if seen[-1] == "ACCOUNT_LOCKED":
            break
    assert seen[-1] == "ACCOUNT_LOCKED"
    changer = await make_user(world.tenant.branch, ("CUSTOMER_MANAGER",), "改密", password=PASSWORD)
    changer.must_change_password = True
    await changer.save(update_fields=["must_change_password"])
    assert codes(await run(world, LOGIN, {"u": changer.username, "p": PASSWORD})) == [
        "PASSWORD_CHANGE_REQUIRED"
    ]

    locked = await events_of(world, "audit admin", user.username)
    assert locked[0]["outcome"] == "LOCKED_OUT"
    assert {e["outcome"] for e in locked[1:]} == {"WRONG_CREDENTIALS"}
    assert [e["outcome"] for e in await events_of(world, "audit admin", changer.username)] == [
        "PASSWORD_CHANGE_REQUIRED"
    ]


async def test_a_failed_login_of_an_unknown_user_is_seen_only_by_an_every_tenant_reader(world: World) -> None:
    nobody = f"nobody{uuid.uuid4().hex[:12]}"
    assert codes(await run(world, LOGIN, {"u": nobody + "x" * 100, "p": "whatever"})) == ["UNAUTHENTICATED"]
    assert codes(await run(world, LOGIN, {"u": nobody, "p": "whatever"})) == ["UNAUTHENTICATED"]
    seen = await events_of(world, "province security admin", nobody)
    assert [(e["outcome"], e["userId"], e["tenantId"]) for e in seen] == [("WRONG_CREDENTIALS", None, None)]
    too_long = await LoginEvent.filter(username__startswith=nobody + "x").values_list("username", flat=True)
    assert [len(name) for name in too_long] == [64]  # as typed, cut
    for caller in ("security admin", "audit admin", "security admin of another bank"):
        assert await events_of(world, caller, nobody) == []


async def test_the_reader_sees_only_their_tenant(world: World) -> None:
    mine = await make_user(world.tenant.branch, ("CUSTOMER_MANAGER",), password=PASSWORD)
    theirs = await make_user(world.other.branch, ("CUSTOMER_MANAGER",), password=PASSWORD)
    for user in (mine, theirs):
        assert (await run(world, LOGIN, {"u": user.username, "p": PASSWORD})).errors is None
    assert len(await events_of(world, "security admin", mine.username)) == 1
    assert await events_of(world, "security admin", theirs.username) == []
    assert await events_of(world, "security admin of another bank", mine.username) == []
    assert len(await events_of(world, "security admin of another bank", theirs.username)) == 1
    assert len(await events_of(world, "province security admin", theirs.username)) == 1


NOT_READERS = ("platform admin", "province admin", "head office admin", "customer manager")


@pytest.mark.parametrize("caller", NOT_READERS)
@pytest.mark.parametrize(
    "query", [EVENTS, VIEWS, EXPORT_EVENTS, EXPORT_VIEWS], ids=["search", "views", "export", "export views"]
)
async def test_others_cannot_read_or_export_and_the_refusal_is_audited(
    world: World, caller: str, query: str
) -> None:
    request_id = uuid.uuid4().hex
    variables = {"first": 10} if "first" in query else {}
    result = await execute(
        "operations", query, variables, world.tokens[caller], settings=world.settings, request_id=request_id
    )
    assert codes(result) == ["FORBIDDEN"] and result.data is None
    records = await records_of("operations", request_id)
    assert [(r.action, r.result) for r in records] == [
        ("logs.export" if "export" in query else "logs.search", "FORBIDDEN")
    ]


async def test_searches_and_exports_are_audited(world: World) -> None:
    for query, action, target in (
        (EVENTS, "logs.search", "LoginEvent"),
        (VIEWS, "logs.search", "PageView"),
        (EXPORT_EVENTS, "logs.export", "LoginEvent"),
        (EXPORT_VIEWS, "logs.export", "PageView"),
    ):
        request_id = uuid.uuid4().hex
        variables = {"f": {"user": "someone"}, **({"first": 5} if "first" in query else {})}
        token = world.tokens["audit admin"]
        result = await execute(
            "operations", query, variables, token, settings=world.settings, request_id=request_id
        )
        assert result.errors is None, result.errors
        records = await records_of("operations", request_id)
        assert [(r.action, r.target_type, r.result) for r in records] == [(action, target, "ok")]
        assert records[0].detail["filter"] == {"user": "someone"}


async def test_export_is_an_xlsx_of_what_the_search_finds(world: World) -> None:
    user = await make_user(world.tenant.branch, ("CUSTOMER_MANAGER",), password=PASSWORD)
    await run(world, LOGIN, {"u": user.username, "p": "Wrong@pass1234"})
    await run(world, LOGIN, {"u": user.username, "p": PASSWORD})
    data = await read(world, "security admin", EXPORT_EVENTS, {"f": {"user": user.username}})
    exported = data["exportLoginEvents"]
    assert exported["fileName"].startswith("登录日志-") and exported["fileName"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(base64.b64decode(exported["contentBase64"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("时间", "用户名", "用户ID", "租户", "机构路径", "结果")
    assert [(row[1], row[5]) for row in rows[1:]] == [
        (user.username, "登录成功"),
        (user.username, "用户名或密码错误"),
    ]
    other = await read(world, "security admin of another bank", EXPORT_EVENTS, {"f": {"user": user.username}})
    sheet = load_workbook(io.BytesIO(base64.b64decode(other["exportLoginEvents"]["contentBase64"]))).active
    assert sheet.max_row == 1  # the header only: not their tenant


# -- the operation log -----------------------------------------------------------------------------


async def test_page_view_batches_are_idempotent(world: World) -> None:
    _user, token = await _staff(world)
    batch = _views(5, prefix=uuid.uuid4().hex[:8])
    first = await run(world, RECORD, {"v": batch}, token)
    assert first.errors is None and first.data["recordPageViews"] == {"received": 5, "stored": 5}
    again = await run(world, RECORD, {"v": batch}, token)
    assert again.data["recordPageViews"] == {"received": 5, "stored": 0}
    overlapping = batch[3:] + _views(2, prefix=uuid.uuid4().hex[:8])
    assert (await run(world, RECORD, {"v": overlapping}, token)).data["recordPageViews"] == {
        "received": 4,
        "stored": 2,
    }
    assert await PageView.filter(user_id=_user.id).count() == 7


async def _staff(world: World) -> tuple[Any, str]:
    user = await make_user(world.tenant.branch, ("CUSTOMER_MANAGER",), "操作")
    return user, token_for(user, world.tenant.branch, world.settings)


@pytest.mark.parametrize(
    "views",
    [
        _views(101),
        _views(1, menuCode="客户 搜索"),
        _views(1, menuCode="1abc"),
        _views(1, seconds=-1),
        _views(1, seconds=86_401),
        [],
        [{**_views(1)[0], "enteredAt": (datetime.now(UTC) + timedelta(days=1)).isoformat()}],
        [{**_views(1)[0], "viewId": ""}],
        _views(1) + _views(1),  # the same viewId twice in one batch
    ],
    ids=["101 views", "space", "digit first", "negative", "over a day", "empty", "future", "no id", "twice"],
)
async def test_bad_page_views_are_refused(world: World, views: list[dict[str, Any]]) -> None:
    user, token = await _staff(world)
    result = await run(world, RECORD, {"v": views}, token)
    assert codes(result) == ["BAD_USER_INPUT"]
    assert await PageView.filter(user_id=user.id).count() == 0


async def test_page_views_are_scoped_and_counted_per_menu(world: World) -> None:
    user, token = await _staff(world)
    menu = f"m{uuid.uuid4().hex[:10]}"
    await run(world, RECORD, {"v": _views(3, "a", menuCode=menu, seconds=10)}, token)
    await run(world, RECORD, {"v": _views(1, "b", menuCode=menu, client="PC", seconds=5)}, token)
    _, colleague = await _staff(world)
    await run(world, RECORD, {"v": _views(2, "c", menuCode=menu, seconds=20)}, colleague)

    seen = await read(world, "audit admin", VIEWS, {"f": {"user": user.username}, "first": 10})
    assert sorted(v["viewId"] for v in seen["pageViews"]["nodes"]) == ["a0", "a1", "a2", "b0"]
    elsewhere = await read(
        world, "security admin of another bank", VIEWS, {"f": {"menuCode": menu}, "first": 10}
    )
    assert elsewhere["pageViews"]["nodes"] == []

    period = {
        "from": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "to": datetime.now(UTC).isoformat(),
    }
    usage = [
        u for u in (await read(world, "platform admin", USAGE, period))["menuUsage"] if u["menuCode"] == menu
    ]
    assert usage == [
        {"menuCode": menu, "client": "APP", "views": 5, "users": 2, "seconds": 70},
        {"menuCode": menu, "client": "PC", "views": 1, "users": 1, "seconds": 5},
    ]
    apps = (await read(world, "province admin", USAGE, {**period, "c": "PC"}))["menuUsage"]
    assert [u["views"] for u in apps if u["menuCode"] == menu] == [1]
    others = (await read(world, "security admin of another bank", USAGE, period))["menuUsage"]
    assert [u for u in others if u["menuCode"] == menu] == []
    assert codes(await run(world, USAGE, period, world.tokens["customer manager"])) == ["FORBIDDEN"]
    backwards = {"from": period["to"], "to": period["from"]}
    assert codes(await run(world, USAGE, backwards, world.tokens["platform admin"])) == ["BAD_USER_INPUT"]


# -- statements constant at N and 10·N ------------------------------------------------------------------


async def _tenant_with(world: World, n: int) -> tuple[str, str]:
    """A bank of its own with ``n`` login events and ``n`` page views, and its security admin's token."""
    root = await make_org("日志计数省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("日志计数农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    admin = await make_user(bank, ("SECURITY_ADMIN",))
    staff = await make_user(bank, ("CUSTOMER_MANAGER",))
    now = datetime.now(UTC)
    await LoginEvent.bulk_create(
        [
            LoginEvent(
                username=staff.username,
                user_id=staff.id,
                tenant_id=bank.id,
                org_path=bank.path,
                outcome=LoginOutcome.SUCCESS,
                address="10.0.0.1",
            )
            for _ in range(n)
        ]
    )
    await PageView.bulk_create(
        [
            PageView(
                view_id=str(i),
                user_id=staff.id,
                username=staff.username,
                tenant_id=bank.id,
                org_path=bank.path,
                menu_code="wb.home",
                client=ClientKind.APP,
                entered_at=now - timedelta(minutes=i),
                seconds=i,
            )
            for i in range(n)
        ]
    )
    return token_for(admin, bank, world.settings), staff.username


async def _statements(world: World, token: str, query: str, variables: dict[str, Any]) -> int:
    with count_statements() as counter:
        result = await run(world, query, variables, token)
    assert result.errors is None, result.errors
    return counter.count


@pytest.mark.parametrize(
    "query,variables",
    [(EVENTS, {"first": 100}), (VIEWS, {"first": 100}), (EXPORT_EVENTS, {}), (EXPORT_VIEWS, {})],
    ids=["loginEvents", "pageViews", "exportLoginEvents", "exportPageViews"],
)
async def test_statements_are_constant(world: World, query: str, variables: dict[str, Any]) -> None:
    counts = []
    for n in (8, 80):
        token, _ = await _tenant_with(world, n)
        counts.append(await _statements(world, token, query, variables))
    assert counts[0] == counts[1], counts


async def test_recording_a_batch_takes_the_same_statements_for_10_and_100_views(world: World) -> None:
    counts = []
    for n in (10, 100):
        _, token = await _staff(world)
        with count_statements() as counter:
            result = await run(world, RECORD, {"v": _views(n)}, token)
        assert result.errors is None
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# -- through the gateway -----------------------------------------------------------------------------------


@pytest.mark.e2e
async def test_a_failed_then_good_login_through_the_gateway_shows_to_the_security_admin(stack: Stack) -> None:
    root = await make_org("日志网关省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("日志网关农商银行", OrgKind.MEMBER_BANK, root, own_tenant=True)
    user = await make_user(bank, ("CUSTOMER_MANAGER",), "网关登录", password=PASSWORD)
    admin = await make_user(bank, ("SECURITY_ADMIN",), "安全管理员")
    failed = await gql(stack.gateway_url, LOGIN, {"u": user.username, "p": "Wrong@pass1234"})
    assert error_codes(failed) == ["UNAUTHENTICATED"]
    assert data(await gql(stack.gateway_url, LOGIN, {"u": user.username, "p": PASSWORD}))["login"][
        "accessToken"
    ]

    token = token_for(admin, bank, stack.settings)
    found = data(
        await gql(stack.gateway_url, EVENTS, {"f": {"user": user.username}, "first": 10}, token=token)
    )
    events = found["loginEvents"]["nodes"]
    assert [e["outcome"] for e in events] == ["SUCCESS", "WRONG_CREDENTIALS"]
    assert {e["address"] for e in events} == {"127.0.0.1"}  # as the gateway reported it
    assert all(e["userAgent"].startswith("python-httpx") for e in events)  # passed on by the gateway
    manager = token_for(user, bank, stack.settings)
    body = {"query": EVENTS, "variables": {"first": 10}}
    async with httpx.AsyncClient(timeout=30) as client:
        refused = await client.post(
            stack.gateway_url, json=body, headers={"authorization": f"Bearer {manager}"}
        )
    assert error_codes(refused.json()) == ["UNAUTHORIZED_FIELD_OR_TYPE"]  # the gateway's @requiresScopes
