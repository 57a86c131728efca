"""机构 (the org tree) and its users. One org or user by id, and the caller itself, come through
the loaders (dataloaders.py), scoped like the list.

机构管理 (issue 19): the business admin (security/duties.py ``may_manage_orgs``) creates, edits,
moves and closes orgs within its reach (scopes.py ``admin_reach``). The tree changes one at a time
(a PostgreSQL advisory lock, ``ORG_TREE_LOCK``): a move reads the paths it rewrites, and an org
created or moved meanwhile under the subtree would otherwise keep a stale path.

- **move** (调整上级机构): the org and its whole subtree take the new parent's path as their
  prefix: one UPDATE per table holding a path copy (resolvers/common/org_paths.py), whatever the
  subtree's size; never under its own subtree, never into another tenant.
- **close** (撤销): an org with open child orgs cannot close; one with users or customers must name
  the org that takes them over (open, in the same tenant, not in the closing org's subtree). Its
  users move to it in the same transaction; its customers live in the customers subgraph, which
  takes them on when it reads the ``org.closed`` event this transaction records (ORG_CHANGES).

Both record an event on ``operations.orgs`` (``org.moved`` with ``oldPath`` / ``newPath``,
``org.closed`` with ``successorId`` / ``successorPath``) in the same transaction, for the
subgraphs that copy org paths or hold an org's customers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from models.operations import Org, OrgKind, User
from realtime.broker import ORG_CHANGES
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, forbidden, not_found
from resolvers.common.events import publish
from resolvers.common.loading import scoped
from resolvers.common.org_paths import rewrite_paths
from resolvers.common.pagination import Page, paginate
from resolvers.operations.directory import customers_at
from resolvers.operations.scopes import in_reach, org_scope
from resolvers.operations.user_changes import record_handover
from security.duties import may_manage_orgs
from security.principal import Principal

ORG_TREE_LOCK = 0x5D_C0_19_0A  # pg advisory lock key: one change of the org tree at a time
# Kinds that start a tenant of their own (a member bank, an institution, …): only an admin of no
# tenant (the province union's) creates them. The province union itself is made by the seed.
TENANT_KINDS = frozenset(
    {OrgKind.MEMBER_BANK, OrgKind.VILLAGE_BANK, OrgKind.INSTITUTION, OrgKind.REGULATOR, OrgKind.GRID_COMPANY}
)
MAX_NAME, MAX_CODE = 100, 32


async def list_orgs(
    principal: Principal,
    first: int,
    after: str | None,
    kind: OrgKind | None = None,
    parent_id: UUID | None = None,
    closed: bool | None = None,
) -> Page[Org]:
    """The orgs the caller sees (own tenant's tree, own ancestors, the public orgs), optionally of
    one kind, under one parent, closed or not, by id."""
    queryset = scoped(principal, Org, org_scope)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if parent_id is not None:
        queryset = queryset.filter(parent_id=parent_id)
    if closed is not None:
        queryset = queryset.filter(closed_at__isnull=not closed)
    return await paginate(queryset, first, after)


def require_org_admin(principal: Principal) -> None:
    if not may_manage_orgs(principal):
        raise forbidden("仅业务管理员可管理机构与团队 (only the business admin manages orgs and teams)")


async def org_to_manage(
    principal: Principal, org_id: UUID, *, lock: bool = False, open_only: bool = True
) -> Org:
    """An org the caller administers: one it does not see is NOT_FOUND, one it sees outside its
    reach FORBIDDEN, a closed one (when ``open_only``) BAD_USER_INPUT. Teams use it too."""
    require_org_admin(principal)
    queryset = scoped(principal, Org, org_scope).filter(id=org_id)
    org = await (queryset.select_for_update() if lock else queryset).first()
    if org is None:
        raise not_found("Org")
    if not in_reach(principal, org):
        raise forbidden("该机构不在您的管理范围内 (the org is outside your reach)")
    if open_only and org.closed_at is not None:
        raise bad_input("该机构已撤销 (the org is closed)")
    return org


async def _lock_tree() -> None:
    """Inside the transaction: wait for any other change of the tree (PostgreSQL; SQLite runs one
    writing transaction at a time anyway)."""
    db = Org._meta.db
    if db.capabilities.dialect == "postgres":
        await db.execute_query(f"SELECT pg_advisory_xact_lock({ORG_TREE_LOCK})")


def check_org_fields(name: str | None, code: str | None) -> None:
    if name is not None and not 1 <= len(name.strip()) <= MAX_NAME:
        raise bad_input(f"机构名称须为1–{MAX_NAME}个字符 (name: 1–{MAX_NAME} characters)")
    if code is not None and not (1 <= len(code) <= MAX_CODE and code.isascii() and code.isalnum()):
        raise bad_input(f"机构号须为1–{MAX_CODE}位字母或数字 (code: 1–{MAX_CODE} letters or digits)")


async def create_org(principal: Principal, parent_id: UUID, code: str, name: str, kind: OrgKind) -> Org:
    """新增机构 under an open parent in reach. A tenant kind (member bank, institution, …) starts a
    tenant of its own and is created by an admin of no tenant only; the others join the parent's.
    The 机构号 is the natural key: a second create with it is CONFLICT."""
    check_org_fields(name, code)
    if kind is OrgKind.PROVINCE_UNION:
        raise bad_input("省联社不能在此新增 (a province union is not created here)")
    parent = await org_to_manage(principal, parent_id)
    if kind in TENANT_KINDS and principal.tenant_id is not None:
        raise forbidden("仅省级管理员可新增法人机构 (only an admin of no tenant creates a new tenant)")
    if await Org.exists(code=code):
        raise conflict("机构号已存在 (org code taken)")
    org_id = uuid.uuid4()
    try:
        async with change("operations", "Org", org_id):
            await _lock_tree()
            parent = await org_to_manage(principal, parent_id)  # its path, now the tree is ours
            return await Org.create(
                id=org_id,
                code=code,
                name=name.strip(),
                kind=kind,
                parent_id=parent.id,
                path=f"{parent.path}/{org_id}",
                tenant_id=org_id if kind in TENANT_KINDS else parent.tenant_id,
            )
    except IntegrityError:
        raise conflict("机构号已存在 (org code taken)") from None


async def update_org(principal: Principal, org_id: UUID, name: str | None, code: str | None) -> Org:
    """修改机构信息: name and 机构号. The same values again change nothing."""
    check_org_fields(name, code)
    await org_to_manage(principal, org_id)
    try:
        async with change("operations", "Org", org_id):
            org = await org_to_manage(principal, org_id, lock=True)
            fields = {"name": name.strip() if name is not None else org.name, "code": code or org.code}
            if (org.name, org.code) != (fields["name"], fields["code"]):
                org.update_from_dict(fields)
                await org.save(update_fields=["name", "code"])
            return org
    except IntegrityError:
        raise conflict("机构号已存在 (org code taken)") from None


async def move_org(principal: Principal, org_id: UUID, parent_id: UUID) -> Org:
    """调整上级机构: ``org_id`` and its subtree under ``parent_id`` (both in reach, same tenant)."""
    await org_to_manage(principal, org_id)
    await org_to_manage(principal, parent_id)
    async with change("operations", "Org", org_id):
        await _lock_tree()
        org = await org_to_manage(principal, org_id, lock=True)
        parent = await org_to_manage(principal, parent_id)
        if org.parent_id == parent.id:
            return org  # already there: a retry
        if org.parent_id is None or org.tenant_id == org.id:
            raise bad_input("租户根机构不能调整上级 (a tenant's root org does not move)")
        if parent.path == org.path or parent.path.startswith(org.path + "/"):
            raise bad_input("不能移动到自身或下级机构之下 (an org cannot move under its own subtree)")
        if parent.tenant_id != org.tenant_id:
            raise bad_input("不能跨租户调整机构 (an org cannot move to another tenant)")
        old_path, new_path = org.path, f"{parent.path}/{org.id}"
        await Org.filter(id=org.id).update(parent_id=parent.id)
        await rewrite_paths("operations", old_path, new_path)
        org.parent_id, org.path = parent.id, new_path
        await publish(ORG_CHANGES, "org.moved", org, org.tenant_id, old_path=old_path, new_path=new_path)
    return org


async def close_org(principal: Principal, org_id: UUID, successor_id: UUID | None) -> Org:
    """撤销机构, its users and customers handed on to ``successor_id``. Closing a closed org again
    with the same successor returns it (a retry)."""
    org = await org_to_manage(principal, org_id, open_only=False)
    if org.closed_at is not None:
        if org.successor_id == successor_id:
            return org
        raise conflict("该机构已撤销 (the org is already closed)")
    successor = await org_to_manage(principal, successor_id) if successor_id is not None else None
    customers = await customers_at(org.id)  # the customers subgraph's count, read-only
    async with change("operations", "Org", org_id):
        await _lock_tree()
        org = await org_to_manage(principal, org_id, lock=True)
        if await Org.filter(parent_id=org.id, closed_at__isnull=True).exists():
            raise bad_input("该机构仍有下级机构，请先调整或撤销 (move or close its child orgs first)")
        members = [UUID(str(i)) for i in await User.filter(org_id=org.id).values_list("id", flat=True)]
        users = len(members)
        if successor is None:
            if users or customers:
                raise bad_input(
                    f"该机构有 {users} 名用户、{customers} 名客户，须指定承接机构 "
                    "(an org with users or customers needs a successor)"
                )
        else:
            successor = await org_to_manage(principal, successor.id)
            if successor.path == org.path or successor.path.startswith(org.path + "/"):
                raise bad_input("承接机构不能是该机构或其下级 (the successor is the org or below it)")
            if successor.tenant_id != org.tenant_id:
                raise bad_input("承接机构须在同一租户 (the successor must be in the same tenant)")
            await User.filter(id__in=members).update(org_id=successor.id)
            await record_handover(members, principal.user_id, str(org.id), successor)
        org.closed_at = datetime.now(UTC)
        org.successor_id = successor.id if successor is not None else None
        await org.save(update_fields=["closed_at", "successor_id"])
        await publish(
            ORG_CHANGES,
            "org.closed",
            org,
            org.tenant_id,
            path=org.path,
            successor_id=org.successor_id,
            successor_path=successor.path if successor is not None else None,
        )
    return org
