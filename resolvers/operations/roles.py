"""角色管理 and 菜单及功能管理: the built-in roles' definitions as data, edited by the platform admin.

A definition is a role's name, data scope (数据权限), functions (功能权限) and menus (菜单); a role
without a ``RoleDefinition`` row has the code's defaults (security/functions.py, security/roles.py).
Tokens carry the active role's definition as it was when they were issued (identity.py): the
gateway's ``@requiresScopes`` and the subgraphs (``require_function``, ``role_scope``) read it there.

An edit takes effect without a restart: once committed, the session store refuses every access
token of that role issued before it (security/sessions.py ``revoke_role_before``, every process
through Redis pub/sub) with UNAUTHENTICATED, reason ROLE_CHANGED; the client refreshes, and the
refreshed token carries the new definition. Open subscriptions of the role end the same way
(realtime/guard.py ``announce_role_change``).

Who: the platform admin of no tenant (the province union's) edits (ROLE_MANAGE): the definitions
are the whole platform's; it and the security and audit admins read (ROLE_READ).
三员分立 (security/duties.py ``check_role_definition``): the reserved functions stay with their
role, no role carries a conflicting pair. And no edit leaves nobody enabled to manage users, orgs
or roles (CONFLICT, LAST_ADMIN), serialised with users.py's admin changes on one advisory lock.

Custom roles are out of scope: the roles are the built-in set whose behaviour code knows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from models.operations import RoleDefinition, User
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, forbidden
from resolvers.common.functions import require_function
from resolvers.operations.auth import SessionServices
from resolvers.operations.identity import RoleView, definition_of, ordered_functions, ordered_menus, role_view
from resolvers.operations.logs import menu_usage
from resolvers.operations.users import LAST_ADMIN_LOCK
from security.duties import DutyConflict, check_role_definition, may_edit_roles
from security.functions import (
    KEPT,
    MENU_BY_CODE,
    Client,
    Function,
    Menu,
    functions_of,
    has_function,
    visible_menus,
)
from security.principal import Principal
from security.roles import Role, Scope
from security.tokens import now_ms

MAX_NAME = 64
USAGE_DAYS = 30  # the menu catalogue's usage counts: the last 30 days


@dataclass(frozen=True)
class MenuItem:
    """A catalogue menu with its usage (菜单使用频率) in the caller's log scope."""

    menu: Menu
    views: int = 0
    users: int = 0


def _role(code: str) -> Role:
    try:
        return Role(code)
    except ValueError:
        raise bad_input(f"未知角色 (unknown role {code[:40]})") from None


async def _all_definitions() -> dict[Role, RoleView]:
    rows = {row.role: row for row in await RoleDefinition.all()}
    return {role: role_view(role, rows.get(role.value)) for role in Role}


def _require_reader(principal: Principal) -> None:
    if not (has_function(principal, Function.ROLE_READ) or has_function(principal, Function.ROLE_MANAGE)):
        raise forbidden("无权查看角色 (platform, security and audit admins only)")


async def list_roles(principal: Principal) -> list[RoleView]:
    """角色管理: every built-in role's definition, in the Role enum's order; one statement."""
    _require_reader(principal)
    return list((await _all_definitions()).values())


async def update_role(
    principal: Principal,
    services: SessionServices,
    code: str,
    *,
    name: str | None = None,
    data_scope: str | None = None,
    functions: list[str] | None = None,
    menus: list[str] | None = None,
    expected_version: int | None = None,
) -> RoleView:
    """修改角色: its name, data scope, functions and menus (None: unchanged). ``expected_version``:
    CONFLICT (STALE_VERSION) unless the definition is still that version (two admins at once). An
    edit that changes nothing writes nothing; either way the role's tokens issued before now are
    refused afterwards, so a repeat after a lost answer still takes effect everywhere."""
    if not may_edit_roles(principal):
        raise forbidden("仅省联社平台管理员可修改角色 (only the platform's own platform admin edits roles)")
    role = _role(code)
    new_name = name.strip() if name is not None else None
    if new_name is not None and not 0 < len(new_name) <= MAX_NAME:
        raise bad_input(f"角色名称须为 1–{MAX_NAME} 个字符 (name: 1 to {MAX_NAME} characters)")
    if data_scope is not None and data_scope not in Scope.__members__:
        raise bad_input(f"未知数据权限 (unknown data scope {data_scope[:20]})")
    unknown = [f for f in functions or () if f not in Function.__members__]
    unknown += [m for m in menus or () if m not in MENU_BY_CODE]
    if unknown:
        raise bad_input(
            f"未知功能或菜单 (unknown functions or menus: {', '.join(x[:40] for x in unknown[:5])})"
        )
    async with change("operations", "RoleDefinition", role.value) as audited:
        await _serialise()
        definitions = await _all_definitions()
        before = definitions[role]
        if expected_version is not None and expected_version != before.version:
            raise conflict("角色已被他人修改，请刷新后重试 (the role was changed meanwhile)", "STALE_VERSION")
        after = RoleView(
            code=role,
            name=new_name if new_name is not None else before.name,
            data_scope=Scope(data_scope) if data_scope is not None else before.data_scope,
            functions=ordered_functions(functions) if functions is not None else before.functions,
            menus=ordered_menus(menus) if menus is not None else before.menus,
            version=before.version + 1,
            updated_by=principal.user_id,
        )
        changed = _snapshot(after) != _snapshot(before)
        if changed:
            try:
                check_role_definition(role, after.functions, after.data_scope)
            except DutyConflict as error:
                raise forbidden(f"三员分立：不允许此操作 ({error})") from None
            await _keep_function_holders({**definitions, role: after}, before, after)
            await _save(after)
            audited.detail = {"before": _snapshot(before), "after": _snapshot(after)}
    if not changed:
        after = before
    # After the commit: a token issued from now on reads the new definition; every earlier one of
    # the role is refused, in every process (Redis pub/sub), and its open subscriptions end.
    at = now_ms()
    await services.store.revoke_role_before(role.value, at)
    await services.guard.announce_role_change(role.value, at)
    return await definition_of(role.value) or after


def _snapshot(view: RoleView) -> dict[str, Any]:
    """What the audit record shows before and after (the edited fields)."""
    fields = asdict(view)
    return {
        "name": fields["name"],
        "dataScope": str(view.data_scope),
        "functions": [str(f) for f in view.functions],
        "menus": list(view.menus),
    }


async def _serialise() -> None:
    """One role edit, or user change that could remove a last admin (users.py), at a time
    (PostgreSQL; SQLite writes one transaction at a time)."""
    db = RoleDefinition._meta.db
    if db.capabilities.dialect == "postgres":
        await db.execute_query(f"SELECT pg_advisory_xact_lock({LAST_ADMIN_LOCK})")


async def _keep_function_holders(
    definitions: dict[Role, RoleView], before: RoleView, after: RoleView
) -> None:
    """CONFLICT (LAST_ADMIN) when a kept function (user, org, role management) the role loses would
    be left with no enabled user of any tenant holding a role that carries it. One statement per
    kept function lost."""
    for function in KEPT:
        if function not in before.functions or function in after.functions:
            continue
        holders = sorted(r.value for r, view in definitions.items() if function in view.functions)
        if not holders or not await _enabled_user_with_any(holders):
            raise conflict(
                f"不能移除最后一个可{_LABEL[function]}的角色 (nobody enabled could {function} any more)",
                "LAST_ADMIN",
            )


_LABEL = {Function.USER_MANAGE: "管理用户", Function.ORG_MANAGE: "管理机构", Function.ROLE_MANAGE: "管理角色"}


async def _enabled_user_with_any(roles: list[str]) -> bool:
    db = User._meta.db
    if db.capabilities.dialect == "postgres":
        sql = "SELECT 1 FROM app_user WHERE disabled_at IS NULL AND roles::jsonb ?| $1::text[] LIMIT 1"
        values: list[Any] = [roles]
    else:
        marks = ", ".join("?" * len(roles))
        sql = (
            "SELECT 1 FROM app_user WHERE disabled_at IS NULL"
            f" AND EXISTS (SELECT 1 FROM json_each(roles) WHERE value IN ({marks})) LIMIT 1"
        )
        values = list(roles)
    _, rows = await db.execute_query(sql, values)
    return bool(rows)


async def _save(view: RoleView) -> None:
    values: dict[str, Any] = {
        "name": view.name,
        "data_scope": view.data_scope.value,
        "functions": [f.value for f in view.functions],
        "menus": list(view.menus),
        "version": view.version,
        "updated_by_id": view.updated_by,
    }
    updated = await RoleDefinition.filter(role=view.code.value, version=view.version - 1).update(
        **values, updated_at=datetime.now(UTC)
    )
    if updated:
        return
    try:
        await RoleDefinition.create(role=view.code.value, **values)
    except IntegrityError:
        raise conflict(
            "角色已被他人修改，请刷新后重试 (the role was changed meanwhile)", "STALE_VERSION"
        ) from None


async def my_menus(principal: Principal, client: Client | None = None) -> list[Menu]:
    """The menu items the caller's active role sees now (its current menus, those needing a function
    only while the caller's token carries it); one statement."""
    view = await definition_of(principal.active_role)
    if view is None:
        return []
    return visible_menus(view.menus, functions_of(principal), client)


async def menu_catalogue(principal: Principal, client: Client | None = None) -> list[MenuItem]:
    """菜单管理, 功能管理, 菜单使用频率: every menu of the catalogue with its usage in the last
    ``USAGE_DAYS`` days in the caller's log scope (resolvers/operations/logs.py ``menu_usage``, one
    statement)."""
    require_function(principal, Function.MENU_USAGE_READ, "无权查看菜单 (admins only)")
    to = datetime.now(UTC)
    usage = await menu_usage(principal, to - timedelta(days=USAGE_DAYS), to)
    counts = {(row.menu_code, row.client.value): row for row in usage}
    items = []
    for menu in MENU_BY_CODE.values():
        if client is not None and menu.client != client:
            continue
        row = counts.get((menu.code, menu.client))
        items.append(MenuItem(menu, row.views if row else 0, row.users if row else 0))
    return items
