"""角色管理 and 菜单及功能管理 types: a role's definition, the function and menu catalogues. Each
reads the value resolvers/operations/roles.py hands out."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.operations.identity import RoleView
from resolvers.operations.roles import MenuItem
from schema.operations.enums import ClientKind, Scope
from security.functions import FUNCTION_LABELS, Function, Menu


def _functions(parent: strawberry.Parent[RoleView]) -> list[str]:
    return [str(f) for f in parent.functions]


def _code(parent: strawberry.Parent[RoleView]) -> str:
    return str(parent.code)


def _updated_by(parent: strawberry.Parent[RoleView]) -> strawberry.ID | None:
    return strawberry.ID(str(parent.updated_by)) if parent.updated_by else None


@strawberry.type(name="Role", description="角色: a built-in role's definition (functions, data scope, menus)")
class RoleDefinition:
    code: str = strawberry.field(resolver=_code, description="the role (users' roles, switchRole)")
    name: str = strawberry.field(description="角色名称")
    data_scope: Scope = strawberry.field(description="数据权限")
    functions: list[str] = strawberry.field(resolver=_functions, description="功能权限: function codes")
    menus: list[str] = strawberry.field(description="菜单: menu codes")
    version: int = strawberry.field(
        description="edits so far (0: the built-in default); updateRole expectedVersion"
    )
    updated_by: strawberry.ID | None = strawberry.field(
        resolver=_updated_by, description="user id of the last editor"
    )
    updated_at: datetime | None


def _label(parent: strawberry.Parent[Function]) -> str:
    return FUNCTION_LABELS[parent]


def _function_code(parent: strawberry.Parent[Function]) -> str:
    return str(parent)


@strawberry.type(name="RoleFunction", description="功能: a function permission a role may carry")
class RoleFunction:
    code: str = strawberry.field(resolver=_function_code)
    label: str = strawberry.field(resolver=_label)


def _client(parent: strawberry.Parent[Menu]) -> ClientKind:
    return ClientKind(parent.client)


def _menu_function(parent: strawberry.Parent[Menu]) -> str | None:
    return str(parent.function) if parent.function else None


@strawberry.type(name="Menu", description="菜单: a menu item of the PC or APP client")
class MenuType:
    code: str = strawberry.field(description="the menu code page views report (menuUsage)")
    label: str
    client: ClientKind = strawberry.field(resolver=_client)
    function: str | None = strawberry.field(
        resolver=_menu_function, description="shown only with this function"
    )


def _menu(parent: strawberry.Parent[MenuItem]) -> MenuType:
    return parent.menu  # type: ignore[return-value]


@strawberry.type(
    name="MenuCatalogueItem", description="菜单及功能管理: a menu with its usage in the last 30 days"
)
class MenuCatalogueItem:
    menu: MenuType = strawberry.field(resolver=_menu)
    views: int = strawberry.field(description="visits in your log scope")
    users: int = strawberry.field(description="distinct users")
