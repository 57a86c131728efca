"""用户管理 (platform administration of users) and 用户变更历史 (their change history).

Only the security admin (安全管理员) manages users, within its reach, and never its own account
(security/duties.py ``check_user_change``; scopes.py ``admin_reach``). Each mutation is one
transaction that writes the user, its ``UserChange`` row (who, when, what: the changed fields before
and after, never a password or its hash) and the audit record. Disabling, resetting a password
and changing roles end the user's sessions and open subscriptions at once: the session store
refuses every token issued before (security/sessions.py ``revoke_user_before``) and the
subscription guard is told (realtime/guard.py ``announce_revocation``), as a password change does.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models.operations import Org, User
from resolvers.common.changes import change
from resolvers.common.errors import CodedError, bad_input, conflict, forbidden, not_found
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.operations.scopes import in_reach, user_scope
from resolvers.operations.user_changes import UserAction, record_change, snapshot
from security.duties import ORG_ADMINS, USER_ADMINS, DutyConflict, check_user_change, may_manage_users
from security.passwords import hash_password, policy_violation
from security.principal import Principal
from security.roles import Role
from security.tokens import now_ms

if TYPE_CHECKING:  # (auth.py imports onboarding.py, which imports this module)
    from resolvers.operations.auth import SessionServices

USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,64}")  # 登录名: what login accepts, without spaces
MAX_DISPLAY_NAME = 64
# 三员分立's admins a tenant (or the province, tenant None) is never left without: with no enabled
# holder nobody there could manage its users, or its orgs, again.
KEPT_ADMINS: tuple[tuple[str, frozenset[Role]], ...] = (
    ("安全管理员", USER_ADMINS),
    ("业务管理员", ORG_ADMINS),
)
LAST_ADMIN_LOCK = 0x5D_C0_19_0B  # pg advisory lock key: one change that could remove a last admin at a time


@dataclass(frozen=True)
class IssuedPassword:
    """A user with a temporary password, shown this once (createUser, resetUserPassword)."""

    user: User
    temporary_password: str


def temporary_password() -> str:
    """16 random characters of all four classes: passes the password policy; must be changed at
    the next login (``must_change_password``)."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "@#%+=!?")
    chars = [secrets.choice(c) for c in classes] + [secrets.choice("".join(classes)) for _ in range(12)]
    secrets.SystemRandom().shuffle(chars)
    password = "".join(chars)
    assert policy_violation(password) is None
    return password


def _duty(error: DutyConflict) -> CodedError:
    return forbidden(f"三员分立：不允许此操作 ({error})")


def _require_admin(principal: Principal) -> None:
    if not may_manage_users(principal):
        raise forbidden("仅安全管理员可管理用户 (only the security admin manages users)")


async def _org_in_reach(principal: Principal, org_id: UUID) -> Org:
    """The org a user is put in: open, and in the admin's reach (else NOT_FOUND, as if absent)."""
    org = await Org.get_or_none(id=org_id)
    if org is None or not in_reach(principal, org):
        raise not_found("Org")
    if org.closed_at is not None:
        raise bad_input("该机构已撤销 (the org is closed)")
    return org


async def _user_in_reach(principal: Principal, user_id: UUID, lock: bool = False) -> tuple[User, Org]:
    """The user an admin acts on, in its reach (else NOT_FOUND), with its org; ``lock``: inside a
    transaction, the row locked against a concurrent change."""
    _require_admin(principal)
    queryset = scoped(principal, User, user_scope).filter(id=user_id)
    user = await (queryset.select_for_update() if lock else queryset).first()
    if user is None or user.id == principal.user_id:
        if user is not None:
            raise forbidden("不能管理自己的账户 (no one administers their own account)")
        raise not_found("User")
    return user, await Org.get(id=user.org_id)


async def _keep_an_admin(user: User, roles_after: list[str], enabled_after: bool) -> None:
    """Inside the change's transaction: CONFLICT (``LAST_ADMIN``) when ``user`` is its tenant's last
    enabled security admin, or business admin, and would stop being one (its roles changed, or it is
    disabled). Such changes queue on one advisory lock (PostgreSQL; SQLite writes one transaction at
    a time), so two at once cannot each leave the other as the last and end with none. One
    statement per kind of admin lost, a row at most."""
    if user.disabled_at is not None:
        return
    losing = [
        (title, kind)
        for title, kind in KEPT_ADMINS
        if kind & set(user.roles) and not (enabled_after and kind & set(roles_after))
    ]
    db = User._meta.db
    postgres = db.capabilities.dialect == "postgres"
    if losing and postgres:
        await db.execute_query(f"SELECT pg_advisory_xact_lock({LAST_ADMIN_LOCK})")
    for title, kind in losing:
        roles = [role.value for role in sorted(kind)]
        if postgres:
            sql = (
                "SELECT 1 FROM app_user WHERE disabled_at IS NULL AND id <> $1"
                " AND roles::jsonb ?| $2::text[] AND tenant_id IS NOT DISTINCT FROM $3 LIMIT 1"
            )
            values: list[Any] = [user.id, roles, user.tenant_id]
        else:
            sql = (
                "SELECT 1 FROM app_user WHERE disabled_at IS NULL AND id <> ?"
                f" AND EXISTS (SELECT 1 FROM json_each(roles) WHERE value IN ({', '.join('?' * len(roles))}))"
                " AND tenant_id IS ? LIMIT 1"
            )
            values = [str(user.id), *roles, None if user.tenant_id is None else str(user.tenant_id)]
        _, rows = await db.execute_query(sql, values)
        if not rows:
            raise conflict(f"不能移除最后一位{title} (the last enabled {title} must stay)", "LAST_ADMIN")


def _check_fields(username: str | None, display_name: str | None) -> None:
    if username is not None and not USERNAME.fullmatch(username):
        raise bad_input("用户名须为3–64位字母、数字或 _ . @ - (username: 3–64 of letters, digits, _ . @ -)")
    if display_name is not None and not 1 <= len(display_name.strip()) <= MAX_DISPLAY_NAME:
        raise bad_input(f"姓名须为1–{MAX_DISPLAY_NAME}个字符 (display name: 1–{MAX_DISPLAY_NAME} characters)")


async def create_user(
    principal: Principal,
    username: str,
    display_name: str,
    org_id: UUID,
    roles: list[str],
    permissions: list[str] | None = None,
) -> IssuedPassword:
    """新增用户 with a temporary password (returned once; changed at the first login). The username
    is the natural key: a second create with it, even at the same moment, is CONFLICT."""
    _require_admin(principal)
    username = username.strip()
    _check_fields(username, display_name)
    org = await _org_in_reach(principal, org_id)
    try:
        check_user_change(principal, UUID(int=0), (), roles, (), permissions or ())
    except DutyConflict as error:
        raise _duty(error) from None
    if not roles:
        raise bad_input("至少需要一个角色 (a user needs at least one role)")
    if await User.exists(username=username):
        raise conflict("用户名已存在 (username taken)")
    password = temporary_password()
    password_hash = hash_password(password)  # argon2: before the transaction, not inside it
    try:
        async with change("operations", "User") as audited:
            user = await User.create(
                username=username,
                display_name=display_name.strip(),
                org=org,
                roles=list(dict.fromkeys(roles)),
                permissions=list(dict.fromkeys(permissions or ())),
                tenant_id=org.tenant_id,
                password_hash=password_hash,
                password_changed_at=datetime.now(UTC),
                must_change_password=True,
            )
            audited.id = user.id
            await record_change(user, org.path, principal.user_id, UserAction.CREATED, {}, snapshot(user))
    except IntegrityError:  # the same username committed by a request racing this one
        raise conflict("用户名已存在 (username taken)") from None
    return IssuedPassword(user, password)


async def update_user(
    principal: Principal,
    services: SessionServices,
    user_id: UUID,
    display_name: str | None = None,
    org_id: UUID | None = None,
    roles: list[str] | None = None,
    permissions: list[str] | None = None,
) -> User:
    """修改用户: display name, org, roles (several; the user switches between them) and extra
    grants. Unchanged values change nothing and record nothing. A change of org, roles or grants
    ends the user's sessions (their tokens carry them): they log in again with the new ones."""
    _check_fields(None, display_name)
    if roles is not None and not roles:
        raise bad_input("至少需要一个角色 (a user needs at least one role)")
    await _user_in_reach(principal, user_id)
    org = await _org_in_reach(principal, org_id) if org_id is not None else None
    revoked_before = now_ms()
    async with change("operations", "User", user_id):
        user, current_org = await _user_in_reach(principal, user_id, lock=True)
        before = snapshot(user)
        try:
            check_user_change(
                principal,
                user.id,
                user.roles,
                user.roles if roles is None else roles,
                user.permissions or (),
                (user.permissions or ()) if permissions is None else permissions,
            )
        except DutyConflict as error:
            raise _duty(error) from None
        if roles is not None:
            await _keep_an_admin(user, roles, enabled_after=True)
        if display_name is not None:
            user.display_name = display_name.strip()
        if org is not None:
            user.org_id, user.tenant_id = org.id, org.tenant_id
        if roles is not None:
            user.roles = list(dict.fromkeys(roles))
        if permissions is not None:
            user.permissions = list(dict.fromkeys(permissions))
        after = snapshot(user)
        if after == before:
            return user
        await user.save(update_fields=["display_name", "org_id", "tenant_id", "roles", "permissions"])
        path = org.path if org is not None else current_org.path
        await record_change(user, path, principal.user_id, UserAction.UPDATED, before, after)
        ends_sessions = any(before[k] != after[k] for k in ("orgId", "roles", "permissions"))
    if ends_sessions:
        await _end_sessions(services, user, revoked_before)
    return user


async def set_disabled(
    principal: Principal, services: SessionServices, user_id: UUID, disabled: bool
) -> User:
    """停用 / 启用. Disabling ends every session of the user and its open subscriptions at once;
    a disabled user cannot log in or refresh. Repeating either is harmless: the user as it is."""
    target, _ = await _user_in_reach(principal, user_id)
    revoked_before = now_ms()
    if disabled:
        await _keep_an_admin(target, target.roles, enabled_after=False)  # checked again below, locked
        # Revoked first: with the session store away this fails and nothing changes, rather than
        # leaving a disabled user whose tokens still work (auth.py _set_password does the same).
        await services.store.revoke_user_before(str(user_id), revoked_before)
    async with change("operations", "User", user_id):
        user, org = await _user_in_reach(principal, user_id, lock=True)
        if (user.disabled_at is not None) is disabled:
            return user
        if disabled:
            await _keep_an_admin(user, user.roles, enabled_after=False)
        before = snapshot(user)
        user.disabled_at = datetime.now(UTC) if disabled else None
        await user.save(update_fields=["disabled_at"])
        action = UserAction.DISABLED if disabled else UserAction.ENABLED
        await record_change(user, org.path, principal.user_id, action, before, snapshot(user))
    if disabled:
        await services.guard.announce_revocation(user_id=str(user.id), before=revoked_before)
    return user


async def unlock_user(principal: Principal, services: SessionServices, user_id: UUID) -> User:
    """解锁: clears the login lockout of the user's name from every address (security/sessions.py
    ``clear_failures``), and records that it was done."""
    user, _ = await _user_in_reach(principal, user_id)
    await services.store.clear_failures(user.username, None)
    async with change("operations", "User", user_id):
        user, org = await _user_in_reach(principal, user_id, lock=True)
        state = snapshot(user)
        await record_change(user, org.path, principal.user_id, UserAction.UNLOCKED, state, state)
    return user


async def reset_password(principal: Principal, services: SessionServices, user_id: UUID) -> IssuedPassword:
    """重置密码: a generated temporary password, returned once; the user must change it at the next
    login (login answers PASSWORD_CHANGE_REQUIRED until it comes with newPassword), and every
    earlier token of the user is refused."""
    await _user_in_reach(principal, user_id)
    password = temporary_password()
    password_hash = hash_password(password)
    revoked_before = now_ms()
    await services.store.revoke_user_before(str(user_id), revoked_before)
    async with change("operations", "User", user_id):
        user, org = await _user_in_reach(principal, user_id, lock=True)
        before = snapshot(user)
        user.password_hash = password_hash
        user.password_changed_at = datetime.now(UTC)
        user.must_change_password = True
        await user.save(update_fields=["password_hash", "password_changed_at", "must_change_password"])
        await record_change(
            user, org.path, principal.user_id, UserAction.PASSWORD_RESET, before, snapshot(user)
        )
    await services.guard.announce_revocation(user_id=str(user.id), before=revoked_before)
    return IssuedPassword(user, password)


async def _end_sessions(services: SessionServices, user: User, before: float) -> None:
    await services.store.revoke_user_before(str(user.id), before)
    await services.guard.announce_revocation(user_id=str(user.id), before=before)


async def list_users(
    principal: Principal,
    first: int,
    after: str | None,
    org_id: UUID | None = None,
    disabled: bool | None = None,
    search: str | None = None,
) -> Page[User]:
    """用户查询: the users the caller sees (the security and audit admins: those in their reach), by
    id; optionally of one org, disabled or not, whose username or name contains ``search``."""
    queryset = scoped(principal, User, user_scope)
    if org_id is not None:
        queryset = queryset.filter(org_id=org_id)
    if disabled is not None:
        queryset = queryset.filter(disabled_at__isnull=not disabled)
    if search:
        if len(search) > 64:
            raise bad_input("search: at most 64 characters")
        queryset = queryset.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    return await paginate(queryset, first, after)
