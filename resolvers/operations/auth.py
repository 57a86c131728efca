"""Login and sessions: login, refreshToken, logout, switchRole, changePassword.

``login`` and ``refreshToken`` are open to anonymous callers (schema/common/authentication.py);
the others carry ``@authenticated`` so the gateway refuses them before a subgraph is asked.
Tokens: security/tokens.py; sessions, revocation, lockout: security/sessions.py.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from tortoise.transactions import in_transaction

from models.operations import User as UserModel
from resolvers.common.errors import CodedError, ErrorCode, bad_input, unauthenticated
from schema.common.rate_limiting import client_ip
from schema.operations.auth import AuthPayload
from security.identity import principal_for
from security.passwords import hash_password, needs_rehash, policy_violation, verify_password
from security.principal import Principal
from security.sessions import Rotation, SessionStore
from security.tokens import InvalidToken, TokenPair, TokenType, issue_pair, new_id, now_ms, read_claims

MAX_USERNAME = 64
MAX_PASSWORD = 256  # argon2 hashes any length; a bound keeps a huge body from costing CPU


def _wrong_credentials() -> CodedError:
    # The same for an unknown user and a wrong password: no user enumeration.
    return unauthenticated("用户名或密码错误 (wrong username or password)")


def _locked(seconds: float) -> CodedError:
    # Said before the password is checked, so it tells nothing about the password.
    error = CodedError(
        ErrorCode.ACCOUNT_LOCKED,
        "登录失败次数过多，账户已临时锁定，请稍后再试 (too many failed logins: account locked for a while)",
    )
    error.extensions = {**(error.extensions or {}), "retryAfter": math.ceil(seconds)}
    return error


def _change_required() -> CodedError:
    # Only after the right password: the caller already knows it, nothing is revealed.
    return CodedError(
        ErrorCode.PASSWORD_CHANGE_REQUIRED,
        "首次登录须修改密码：请携带 newPassword 重新登录 "
        "(this password must be changed: log in again with newPassword)",
    )


def _session_over() -> CodedError:
    return unauthenticated("登录已失效，请重新登录 (session expired or revoked: log in again)")


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="登录: username and password → access and refresh tokens")
    async def login(
        self,
        info: strawberry.Info,
        username: str,
        password: str,
        new_password: Annotated[
            str | None,
            strawberry.argument(
                description="a new password to set while logging in; required when login answers "
                "PASSWORD_CHANGE_REQUIRED (demo users outside dev mode)"
            ),
        ] = None,
    ) -> AuthPayload:
        sessions: SessionStore = info.context.sessions
        username = username.strip()
        if not username or len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
            raise _wrong_credentials()
        # Failures count per username and client address (security/sessions.py): a guesser
        # elsewhere does not lock the owner out.
        address = client_ip(info.context.request)
        if locked := await sessions.locked_for(username, address):
            raise _locked(locked)
        user = await UserModel.filter(username=username).select_related("org").first()
        # verify_password costs the same argon2 time whether or not the user exists.
        if not verify_password(user.password_hash if user else None, password) or user is None:
            await sessions.record_failure(username, address)
            raise _wrong_credentials()
        await sessions.clear_failures(username, address)
        if new_password is not None:
            await _set_password(info, user, password, new_password)
        elif user.must_change_password:
            raise _change_required()
        elif user.password_hash and needs_rehash(user.password_hash):
            async with in_transaction("operations"):
                user.password_hash = hash_password(password)
                await user.save(update_fields=["password_hash"])
        return await _start_session(info, user, role=None)

    @strawberry.mutation(description="换取新令牌: a refresh token (good once) → new tokens, same session")
    async def refresh_token(self, info: strawberry.Info, token: str) -> AuthPayload:
        sessions: SessionStore = info.context.sessions
        try:
            claims = read_claims(token, info.context.token_keys, TokenType.REFRESH)
        except InvalidToken:
            raise _session_over() from None
        session_id, user_id = claims["sid"], claims["sub"]
        if await sessions.is_revoked(session_id, user_id, float(claims["iat"])):
            raise _session_over()
        new_refresh_id = new_id()
        outcome = await sessions.rotate(session_id, claims["jti"], new_refresh_id)
        if outcome is not Rotation.ROTATED:
            # REUSED: an old refresh token came back (stolen or replayed); the store has just
            # revoked the whole session, the current holder's tokens included.
            await info.context.realtime.guard.announce_revocation(session_id=session_id)
            raise _session_over()
        user = await UserModel.filter(id=user_id).select_related("org").first()
        role = claims.get("role")
        if user is None or role not in user.roles:
            await sessions.revoke(session_id)
            await info.context.realtime.guard.announce_revocation(session_id=session_id)
            raise _session_over()
        principal = principal_for(user, user.org, role=role, session_id=session_id)
        keys = info.context.token_keys
        pair = issue_pair(principal, keys, refresh_expires_at=int(claims["exp"]), refresh_id=new_refresh_id)
        return _payload(pair, user, principal)

    @strawberry.federation.mutation(
        description="退出登录: revokes this session's access and refresh tokens", authenticated=True
    )
    async def logout(self, info: strawberry.Info) -> bool:
        principal = info.context.require_principal()
        await info.context.sessions.revoke(principal.session_id)
        await info.context.realtime.guard.announce_revocation(session_id=principal.session_id)
        return True

    @strawberry.federation.mutation(
        description="切换角色: new tokens acting in another role the user holds; the old ones are revoked",
        authenticated=True,
    )
    async def switch_role(self, info: strawberry.Info, role: str) -> AuthPayload:
        principal = info.context.require_principal()
        user = await UserModel.filter(id=principal.user_id).select_related("org").first()
        if user is None:
            raise _session_over()
        if role not in user.roles:
            raise CodedError(ErrorCode.FORBIDDEN, f"您没有角色 {role} (you do not hold role {role})")
        sessions: SessionStore = info.context.sessions
        session_end = await sessions.session_end(principal.session_id)
        if session_end is None:
            raise _session_over()
        payload = await _start_session(info, user, role=role, session_end=int(session_end))
        await sessions.revoke(principal.session_id)
        await info.context.realtime.guard.announce_revocation(session_id=principal.session_id)
        return payload

    @strawberry.federation.mutation(
        description="修改密码: needs the current password; every earlier token of the user is revoked",
        authenticated=True,
    )
    async def change_password(
        self, info: strawberry.Info, old_password: str, new_password: str
    ) -> AuthPayload:
        principal = info.context.require_principal()
        sessions: SessionStore = info.context.sessions
        address = client_ip(info.context.request)
        if locked := await sessions.locked_for(principal.username, address):
            raise _locked(locked)
        user = await UserModel.filter(id=principal.user_id).select_related("org").first()
        if user is None:
            raise _session_over()
        if len(old_password) > MAX_PASSWORD or not verify_password(user.password_hash, old_password):
            await sessions.record_failure(principal.username, address)  # guessing here counts too
            raise bad_input("原密码不正确 (the current password is wrong)")
        await sessions.clear_failures(principal.username, address)
        await _set_password(info, user, old_password, new_password)
        return await _start_session(info, user, role=principal.active_role)


async def _set_password(info: strawberry.Info, user: UserModel, old_password: str, new_password: str) -> None:
    """A new password (the old one already verified): policy-checked, stored, the must-change mark
    cleared, and every earlier token of the user revoked."""
    if len(new_password) > MAX_PASSWORD:
        raise bad_input("密码过长 (password too long)")
    if message := policy_violation(new_password):
        raise bad_input(message)
    if new_password == old_password:
        raise bad_input("新密码不能与原密码相同 (the new password must differ from the current one)")
    # Tokens issued from now on pass (iat has milliseconds), every earlier one not. Revoked before
    # the new password is stored: with the session store gone this fails first and changes nothing,
    # rather than leaving a changed password with the old tokens still good.
    revoked_before = now_ms()
    await info.context.sessions.revoke_user_before(str(user.id), revoked_before)
    async with in_transaction("operations"):
        user.password_hash = hash_password(new_password)
        user.password_changed_at = datetime.now(UTC)
        user.must_change_password = False
        await user.save(update_fields=["password_hash", "password_changed_at", "must_change_password"])
    await info.context.realtime.guard.announce_revocation(user_id=str(user.id), before=revoked_before)


async def _start_session(
    info: strawberry.Info, user: UserModel, role: str | None, session_end: int | None = None
) -> AuthPayload:
    principal = principal_for(user, user.org, role=role, session_id=new_id())
    pair = issue_pair(principal, info.context.token_keys, refresh_expires_at=session_end)
    await info.context.sessions.start(pair.session_id, pair.refresh_token_id, pair.refresh_expires_at)
    return _payload(pair, user, principal)


def _payload(pair: TokenPair, user: UserModel, principal: Principal) -> AuthPayload:
    return AuthPayload(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_at=datetime.fromtimestamp(pair.access_expires_at, UTC),
        refresh_expires_at=datetime.fromtimestamp(pair.refresh_expires_at, UTC),
        role=principal.active_role,
        user=user,  # type: ignore[arg-type]  # the model; schema.operations.types.User resolves from it
    )
