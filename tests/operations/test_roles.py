"""角色管理, 菜单及功能管理 (resolvers/operations/roles.py, security/functions.py): the built-in roles'
definitions as data, edited by the platform admin and taking effect without a restart. In process,
on both storages (the session store is Redis in the real run); through the real gateway:
tests/e2e/test_roles_gateway.py.

Each test puts the roles it edits back (``restore``): the database is the run's."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from models.operations import Org, OrgKind, RoleDefinition
from security.functions import DEFAULT_FUNCTIONS, DEFAULT_MENUS
from security.roles import ROLE_SCOPE, Role
from subgraphs.settings import Settings
from testkit.factories import make_customer, make_org, make_tenant, make_user, token_for
from testkit.inprocess import codes, execute
from testkit.sqlcount import counted

pytestmark = pytest.mark.integration

PASSWORD = "Role-Test-Password-2026!"
ROLES = "{ roles { code name dataScope functions menus version updatedBy } }"
UPDATE = """mutation($i: UpdateRoleInput!) {
  updateRole(input: $i) { code dataScope functions menus version updatedBy updatedAt }
}"""
LOGIN = (
    "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }"
)
REFRESH = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }"
GRAB = "mutation($id: ID!) { grabNeed(id: $id) { id status } }"
MY_MENUS = "query($c: ClientKind) { myMenus(client: $c) { code label client function } }"
CATALOGUE = "{ menuCatalogue { menu { code client function } views users } functionCatalogue { code label } }"


async def _run(
    settings: Settings, query: str, variables: dict[str, Any] | None, token: str, app: str = "operations"
):
    result = await execute(app, query, variables or {}, token, settings=settings)
    for error in result.errors or []:  # every refusal is a coded one
        if (error.extensions or {}).get("code") in (None, "INTERNAL_SERVER_ERROR"):
            raise AssertionError(f"{error} {error.original_error!r}")
    return result


async def _login(settings: Settings, username: str) -> dict[str, str]:
    result = await _run(settings, LOGIN, {"u": username, "p": PASSWORD}, "")
    assert not result.errors, result.errors
    return result.data["login"]


async def _version(settings: Settings, platform: dict[str, Any], code: str) -> int:
    listed = (await _run(settings, ROLES, None, platform["admin"])).data["roles"]
    return int(next(r["version"] for r in listed if r["code"] == code))


def _defaults(role: Role) -> dict[str, Any]:
    return {
        "code": role.value,
        "dataScope": ROLE_SCOPE[role].value,
        "functions": sorted(DEFAULT_FUNCTIONS[role]),
        "menus": list(DEFAULT_MENUS[role]),
    }


@pytest.fixture
async def platform(database: Settings) -> AsyncIterator[dict[str, Any]]:
    """A platform admin (and security and audit admins) of a fresh province; afterwards the roles the
    test edited are put back to their defaults through updateRole (so their edited tokens are stale)."""
    root = await make_org("角色测试省联社", OrgKind.PROVINCE_UNION)
    admin = await make_user(root, ("PLATFORM_ADMIN",), "平台管理员")
    people: dict[str, Any] = {
        "root": root,
        "admin": token_for(admin, root, database),
        "security": token_for(await make_user(root, ("SECURITY_ADMIN",), "安全管理员"), root, database),
        "auditor": token_for(await make_user(root, ("AUDIT_ADMIN",), "审计管理员"), root, database),
    }
    yield people
    for row in await RoleDefinition.all():
        role = Role(row.role)
        await _run(database, UPDATE, {"i": _defaults(role)}, people["admin"])


async def test_roles_show_the_defaults_to_admins_and_nobody_else(
    database: Settings, platform: dict[str, Any]
) -> None:
    listed = (await _run(database, ROLES, None, platform["auditor"])).data["roles"]
    assert [r["code"] for r in listed] == [r.value for r in Role]
    grabber = next(r for r in listed if r["code"] == "FI_ACCOUNT_MANAGER")
    assert grabber["name"] == "金融机构客户经理" and grabber["dataScope"] == "INSTITUTION"
    assert "ORDER_GRAB" in grabber["functions"] and "grab.pool" in grabber["menus"]
    assert not (await _run(database, ROLES, None, platform["security"])).errors
    tenant = await make_tenant(database, customers=0, grabbers=1, needs=0)
    assert codes(await _run(database, ROLES, None, tenant.manager_token)) == ["FORBIDDEN"]
    catalogue = await _run(database, CATALOGUE, None, tenant.manager_token)
    assert codes(catalogue) == ["FORBIDDEN"]  # the menu catalogue with its usage: admins only


async def test_roles_read_in_a_constant_number_of_statements(
    database: Settings, platform: dict[str, Any]
) -> None:
    """One statement for every role, however many rows are edited."""
    none_edited, _ = await counted("operations", ROLES, {}, platform["admin"], database)
    await _run(database, UPDATE, {"i": {"code": "HQ_REVIEWER", "name": "总行审核员"}}, platform["admin"])
    await _run(
        database, UPDATE, {"i": {"code": "OPERATOR", "menus": ["regulator.orders"]}}, platform["admin"]
    )
    two_edited, _ = await counted("operations", ROLES, {}, platform["admin"], database)
    assert none_edited == two_edited == 1


async def test_removing_order_grab_refuses_the_next_grab_and_putting_it_back_allows_it(
    database: Settings, platform: dict[str, Any]
) -> None:
    """Without a restart: the grabber's token from before the edit is stale (UNAUTHENTICATED,
    ROLE_CHANGED); its refreshed token carries the role's functions without ORDER_GRAB (FORBIDDEN in
    the finance subgraph, and at the gateway: the e2e test); put back, the grab works again."""
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=1)
    institution_org = await Org.get(id=tenant.institution.org_id)
    grabber = await make_user(
        institution_org, ("FI_ACCOUNT_MANAGER",), "客户经理", PASSWORD, institution_id=tenant.institution.id
    )
    before = await _login(database, grabber.username)
    menus = (await _run(database, MY_MENUS, {"c": "APP"}, before["accessToken"])).data["myMenus"]
    assert [m["code"] for m in menus] == ["grab.pool", "grab.orders"]

    without = sorted(DEFAULT_FUNCTIONS[Role.FI_ACCOUNT_MANAGER] - {"ORDER_GRAB"})
    version = await _version(database, platform, "FI_ACCOUNT_MANAGER")
    edit = {"i": {"code": "FI_ACCOUNT_MANAGER", "functions": without, "expectedVersion": version}}
    edited = (await _run(database, UPDATE, edit, platform["admin"])).data["updateRole"]
    assert edited["functions"] == without and edited["version"] == version + 1 and edited["updatedAt"]

    stale = await _run(database, GRAB, {"id": str(tenant.needs[0].id)}, before["accessToken"], "finance")
    assert codes(stale) == ["UNAUTHENTICATED"] and stale.errors[0].extensions["reason"] == "ROLE_CHANGED"
    refreshed = (await _run(database, REFRESH, {"t": before["refreshToken"]}, "")).data["refreshToken"]
    refused = await _run(database, GRAB, {"id": str(tenant.needs[0].id)}, refreshed["accessToken"], "finance")
    assert codes(refused) == ["FORBIDDEN"]
    menus = (await _run(database, MY_MENUS, {"c": "APP"}, refreshed["accessToken"])).data["myMenus"]
    assert [m["code"] for m in menus] == ["grab.orders"]  # the pool needs ORDER_GRAB

    back = {
        "i": {"code": "FI_ACCOUNT_MANAGER", "functions": sorted(DEFAULT_FUNCTIONS[Role.FI_ACCOUNT_MANAGER])}
    }
    assert (await _run(database, UPDATE, back, platform["admin"])).data["updateRole"][
        "version"
    ] == version + 2
    again = (await _run(database, REFRESH, {"t": refreshed["refreshToken"]}, "")).data["refreshToken"]
    grabbed = await _run(database, GRAB, {"id": str(tenant.needs[0].id)}, again["accessToken"], "finance")
    assert not grabbed.errors, grabbed.errors
    assert grabbed.data["grabNeed"]["status"] == "GRABBED"


async def test_a_data_scope_edit_changes_what_a_list_shows(
    database: Settings, platform: dict[str, Any]
) -> None:
    """数据权限: the branch head sees the branch's customers (辖内); edited to OWN, only those it
    manages itself (none), from its next token on."""
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    head = await make_user(tenant.branch, ("BRANCH_HEAD",), "支行行长", PASSWORD)
    for i in range(2):
        await make_customer(tenant.branch, tenant.manager, f"辖内客户{i}")
    query = "{ customers(first: 50) { nodes { id } } }"
    tokens = await _login(database, head.username)
    seen = (await _run(database, query, None, tokens["accessToken"], "customers")).data["customers"]["nodes"]
    assert len(seen) == 2
    await _run(database, UPDATE, {"i": {"code": "BRANCH_HEAD", "dataScope": "OWN"}}, platform["admin"])
    refreshed = (await _run(database, REFRESH, {"t": tokens["refreshToken"]}, "")).data["refreshToken"]
    seen = (await _run(database, query, None, refreshed["accessToken"], "customers")).data["customers"][
        "nodes"
    ]
    assert seen == []


async def test_no_edit_may_leave_nobody_to_manage_users_orgs_or_roles(
    database: Settings, platform: dict[str, Any]
) -> None:
    """LAST_ADMIN: role and user management belong to one role each (三员分立), so removing them
    leaves nobody; org management removed from both business admin roles neither."""
    functions = sorted(DEFAULT_FUNCTIONS[Role.PLATFORM_ADMIN] - {"ROLE_MANAGE"})
    result = await _run(
        database, UPDATE, {"i": {"code": "PLATFORM_ADMIN", "functions": functions}}, platform["admin"]
    )
    assert codes(result) == ["CONFLICT"] and result.errors[0].extensions["reason"] == "LAST_ADMIN"
    functions = sorted(DEFAULT_FUNCTIONS[Role.SECURITY_ADMIN] - {"USER_MANAGE"})
    result = await _run(
        database, UPDATE, {"i": {"code": "SECURITY_ADMIN", "functions": functions}}, platform["admin"]
    )
    assert codes(result) == ["CONFLICT"] and result.errors[0].extensions["reason"] == "LAST_ADMIN"
    # One business admin role may give up org management while the other keeps it.
    functions = sorted(DEFAULT_FUNCTIONS[Role.HQ_ADMIN] - {"ORG_MANAGE"})
    result = await _run(
        database, UPDATE, {"i": {"code": "HQ_ADMIN", "functions": functions}}, platform["admin"]
    )
    assert not result.errors


async def test_separation_of_duties_and_who_edits(database: Settings, platform: dict[str, Any]) -> None:
    """三员分立: the audit trail, user and role management stay with their roles; only the platform
    admin edits; bad codes are BAD_USER_INPUT."""
    with_audit = sorted(DEFAULT_FUNCTIONS[Role.PLATFORM_ADMIN] | {"AUDIT_READ"})
    result = await _run(
        database, UPDATE, {"i": {"code": "PLATFORM_ADMIN", "functions": with_audit}}, platform["admin"]
    )
    assert codes(result) == ["FORBIDDEN"]
    result = await _run(
        database, UPDATE, {"i": {"code": "HQ_ADMIN", "functions": ["ROLE_MANAGE"]}}, platform["admin"]
    )
    assert codes(result) == ["FORBIDDEN"]
    bank = await make_org("角色测试农商银行", OrgKind.MEMBER_BANK, platform["root"], own_tenant=True)
    platform["bank admin"] = token_for(await make_user(bank, ("PLATFORM_ADMIN",)), bank, database)
    for who in (
        "security",
        "auditor",
        "bank admin",
    ):  # a bank's platform admin: the definitions are the platform's
        result = await _run(database, UPDATE, {"i": {"code": "HQ_ADMIN", "name": "x"}}, platform[who])
        assert codes(result) == ["FORBIDDEN"]
    # Every tenant only for the roles a bank's security admin may not grant (CROSS_TENANT_ROLES).
    result = await _run(database, UPDATE, {"i": {"code": "HQ_ADMIN", "dataScope": "ALL"}}, platform["admin"])
    assert codes(result) == ["FORBIDDEN"]
    for bad in (
        {"code": "NOBODY"},
        {"code": "HQ_ADMIN", "functions": ["FLY"]},
        {"code": "HQ_ADMIN", "menus": ["x"]},
    ):
        assert codes(await _run(database, UPDATE, {"i": bad}, platform["admin"])) == ["BAD_USER_INPUT"]
    assert not await RoleDefinition.filter(role="SECURITY_ADMIN").exists()  # refused: nothing written


async def test_two_edits_at_once_of_one_version_make_one_change(
    database: Settings, platform: dict[str, Any]
) -> None:
    version = await _version(database, platform, "OPERATOR")
    names = [f"运营{uuid.uuid4().hex[:6]}" for _ in range(4)]
    results = await asyncio.gather(
        *(
            _run(
                database,
                UPDATE,
                {"i": {"code": "OPERATOR", "name": name, "expectedVersion": version}},
                platform["admin"],
            )
            for name in names
        )
    )
    outcomes = sorted("OK" if not r.errors else codes(r)[0] for r in results)
    assert outcomes == ["CONFLICT", "CONFLICT", "CONFLICT", "OK"]
    row = await RoleDefinition.get(role="OPERATOR")
    assert row.version == version + 1 and row.name in names
