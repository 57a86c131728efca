"""The principal a user record stands for: what login, refresh, switchRole and
``dcms token`` put into a token. Read from the database at each of those moments, so a
changed role or grant takes effect at the next refresh (within 15 minutes). With it the active
role's definition (角色管理, roles.py): its functions and data scope as they are now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from models.operations import Org, RoleDefinition, User
from security.functions import DEFAULT_FUNCTIONS, DEFAULT_MENUS, MENU_BY_CODE, Function
from security.principal import Principal
from security.roles import ROLE_LABELS, ROLE_SCOPE, Role, Scope


@dataclass(frozen=True)
class RoleView:
    """A role's definition now: its row, else the defaults (version 0, never edited)."""

    code: Role
    name: str
    data_scope: Scope
    functions: tuple[Function, ...]  # catalogue order
    menus: tuple[str, ...]  # menu codes, catalogue order
    version: int = 0
    updated_by: UUID | None = None
    updated_at: datetime | None = None


def ordered_functions(functions: Iterable[str]) -> tuple[Function, ...]:
    chosen = set(functions)
    return tuple(f for f in Function if f in chosen)


def ordered_menus(menus: Iterable[str]) -> tuple[str, ...]:
    chosen = set(menus)
    return tuple(code for code in MENU_BY_CODE if code in chosen)


def default_view(role: Role) -> RoleView:
    return RoleView(
        code=role,
        name=ROLE_LABELS[role],
        data_scope=ROLE_SCOPE[role],
        functions=ordered_functions(DEFAULT_FUNCTIONS[role]),
        menus=DEFAULT_MENUS[role],
    )


def role_view(role: Role, row: RoleDefinition | None) -> RoleView:
    if row is None:
        return default_view(role)
    return RoleView(
        code=role,
        name=row.name,
        data_scope=Scope(row.data_scope),
        functions=ordered_functions(f for f in row.functions if f in Function.__members__),
        menus=ordered_menus(row.menus),
        version=row.version,
        updated_by=row.updated_by_id,
        updated_at=row.updated_at,
    )


async def definition_of(role: str) -> RoleView | None:
    """The active role's definition a token carries (one statement); None for an unknown role."""
    if role not in Role.__members__:
        return None
    return role_view(Role(role), await RoleDefinition.get_or_none(role=role))


def principal_for(
    user: User, org: Org, role: str | None = None, session_id: str = "", definition: RoleView | None = None
) -> Principal:
    """``role`` is the active one (default: the user's first); the caller checks it is held.
    ``definition``: the active role's (``definition_of``); without it the code defaults apply."""
    roles = tuple(user.roles)
    return Principal(
        user_id=user.id,
        username=user.username,
        roles=roles,
        role=role or (roles[0] if roles else ""),
        org_id=org.id,
        org_path=org.path,
        tenant_id=user.tenant_id,
        institution_id=user.institution_id,
        grid_ids=tuple(UUID(str(g)) for g in user.grid_ids or ()),
        permissions=frozenset(user.permissions or ()),
        session_id=session_id,
        functions=frozenset(definition.functions) if definition is not None else None,
        data_scope=definition.data_scope.value if definition is not None else None,
    )
