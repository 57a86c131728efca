"""Login and sessions: login, refresh, logout, switch role, change password.

Tokens: security/tokens.py; sessions, revocation, lockout: security/sessions.py. Each function
takes the session services (``SessionServices``) and plain values and hands out ``Tokens``; the
GraphQL fields (schema/operations/mutations.py) only pass them on. ``login`` and ``refresh`` are
open to anonymous callers; the others act for the ``Principal`` of the token presented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from models.operations import LoginOutcome, User
from realtime.guard import SubscriptionGuard
from resolvers.common.changes import change
from resolvers.common.errors import CodedError, ErrorCode, bad_input, unauthenticated
from resolvers.operations import logs, onboarding
from resolvers.operations.identity import definition_of, principal_for
from resolvers.operations.user_changes import UserAction, record_change, snapshot
from security.keys import TokenKeys
from security.passwords import hash_password, needs_rehash, policy_violation, verify_password
from security.principal import Principal
from security.sessions import Rotation, SessionStore
from security.tokens import InvalidToken, TokenPair, TokenType, issue_pair, new_id, now_ms, read_claims

MAX_USERNAME = 64
MAX_PASSWORD = 256  # argon2 hashes any length; a bound keeps a huge body from costing CPU


@dataclass(frozen=True)
class SessionServices:
    """What login and sessions work with: the session store (rotation, revocation, lockout), the
    token keys, and the subscription guard, told of every revocation so open streams end."""

    store: SessionStore
    keys: TokenKeys
    guard: SubscriptionGuard


@dataclass(frozen=True)
class Tokens:
    """The tokens of one login session, with the user and the role they carry."""

    access_token: str
    refresh_token: str
    expires_at: datetime  # of the access token
    refresh_expires_at: datetime  # of the session (the refresh token)
    role: str
    user: User


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


def _disabled() -> CodedError:
    # Only after the right password, like _change_required: nothing is revealed to a guesser.
    return CodedError(ErrorCode.FORBIDDEN, "账户已停用，请联系安全管理员 (account disabled)")


def _session_over() -> CodedError:
    return unauthenticated("登录已失效，请重新登录 (session expired or revoked: log in again)")


async def login(
    services: SessionServices,
    username: str,
    password: str,
    address: str,
    new_password: str | None = None,
    user_agent: str = "",
) -> Tokens:
    """Username and password → a new session. ``address`` is the client's: failures count per
    username and address (security/sessions.py), so a guesser elsewhere does not lock the owner out.
    ``new_password`` is set on the way in (required when the password must be changed). Every
    attempt, refused or not, goes into the login log (logs.py ``record_login``)."""
    attempt = logs.LoginAttempt(username, address, user_agent)
    try:
        tokens = await _login(services, attempt, password, new_password)
    except CodedError as error:
        await logs.record_login(attempt, logs.outcome_of(error))
        raise
    await logs.record_login(attempt, LoginOutcome.SUCCESS)
    return tokens


async def _login(
    services: SessionServices, attempt: logs.LoginAttempt, password: str, new_password: str | None
) -> Tokens:
    sessions = services.store
    username, address = attempt.username.strip(), attempt.address
    if not username or len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        raise _wrong_credentials()
    # Read before the lock check so that a locked-out attempt is logged against its user (tenant).
    user = attempt.user = await User.filter(username=username).select_related("org").first()
    if locked := await sessions.locked_for(username, address):
        raise _locked(locked)
    # No user: perhaps a registration not approved (onboarding.py), whose password stands in, so
    # that one argon2 check is made whatever exists and only the right password learns about it.
    application = await onboarding.unapproved_application(username) if user is None else None
    held = user.password_hash if user else application.password_hash if application else None
    # verify_password costs the same argon2 time whether or not the user exists.
    verified = verify_password(held, password)
    if application is not None and verified:
        raise onboarding.refusal(application)
    if not verified or user is None:
        await sessions.record_failure(username, address)
        raise _wrong_credentials()
    await sessions.clear_failures(username, address)
    if user.disabled_at is not None:
        raise _disabled()
    if new_password is not None:
        await _set_password(services, user, password, new_password)
    elif user.must_change_password:
        raise _change_required()
    elif user.password_hash and needs_rehash(user.password_hash):
        async with change("operations", "User", user.id):
            user.password_hash = hash_password(password)
            await user.save(update_fields=["password_hash"])
    return await _start_session(services, user, role=None)


async def refresh(services: SessionServices, token: str) -> Tokens:
    """A refresh token (good once) → new tokens of the same session. A refresh token used twice
    (stolen or replayed) ends the whole session, the current holder's tokens included."""
    sessions = services.store
    try:
        claims = read_claims(token, services.keys, TokenType.REFRESH)
    except InvalidToken:
        raise _session_over() from None
    session_id, user_id = claims["sid"], claims["sub"]
    if await sessions.is_revoked(session_id, user_id, float(claims["iat"])):
        raise _session_over()
    new_refresh_id = new_id()
    outcome = await sessions.rotate(session_id, claims["jti"], new_refresh_id)
    if outcome is not Rotation.ROTATED:
        # REUSED: an old refresh token came back; the store has just revoked the whole session.
        await services.guard.announce_revocation(session_id=session_id)
        raise _session_over()
    user = await User.filter(id=user_id).select_related("org").first()
    role = claims.get("role")
    if user is None or role not in user.roles or user.disabled_at is not None:
        await sessions.revoke(session_id)
        await services.guard.announce_revocation(session_id=session_id)
        raise _session_over()
    # The role's definition as it is now: a role edited since the last token takes effect here.
    definition = await definition_of(role)
    principal = principal_for(user, user.org, role=role, session_id=session_id, definition=definition)
    pair = issue_pair(
        principal, services.keys, refresh_expires_at=int(claims["exp"]), refresh_id=new_refresh_id
    )
    return _tokens(pair, user, principal)


async def logout(services: SessionServices, principal: Principal, address: str, user_agent: str = "") -> None:
    """Revokes the caller's session: its access and refresh tokens; recorded in the login log."""
    await services.store.revoke(principal.session_id)
    await services.guard.announce_revocation(session_id=principal.session_id)
    await logs.record_logout(principal, address, user_agent)


async def switch_role(services: SessionServices, principal: Principal, role: str) -> Tokens:
    """New tokens acting in another role the user holds, within the same session end; the old
    session is revoked."""
    user = await User.filter(id=principal.user_id).select_related("org").first()
    if user is None or user.disabled_at is not None:
        raise _session_over()
    if role not in user.roles:
        raise CodedError(ErrorCode.FORBIDDEN, f"您没有角色 {role} (you do not hold role {role})")
    session_end = await services.store.session_end(principal.session_id)
    if session_end is None:
        raise _session_over()
    tokens = await _start_session(services, user, role=role, session_end=int(session_end))
    await services.store.revoke(principal.session_id)
    await services.guard.announce_revocation(session_id=principal.session_id)
    return tokens


async def change_password(
    services: SessionServices, principal: Principal, address: str, old_password: str, new_password: str
) -> Tokens:
    """Needs the current password (a wrong one counts towards the lockout as a failed login does);
    every earlier token of the user is revoked; the caller gets a new session in the same role."""
    sessions = services.store
    if locked := await sessions.locked_for(principal.username, address):
        raise _locked(locked)
    user = await User.filter(id=principal.user_id).select_related("org").first()
    if user is None:
        raise _session_over()
    if len(old_password) > MAX_PASSWORD or not verify_password(user.password_hash, old_password):
        await sessions.record_failure(principal.username, address)  # guessing here counts too
        raise bad_input("原密码不正确 (the current password is wrong)")
    await sessions.clear_failures(principal.username, address)
    await _set_password(services, user, old_password, new_password)
    return await _start_session(services, user, role=principal.active_role)


async def _set_password(services: SessionServices, user: User, old_password: str, new_password: str) -> None:
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
    await services.store.revoke_user_before(str(user.id), revoked_before)
    async with change("operations", "User", user.id):
        before = snapshot(user)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = datetime.now(UTC)
        user.must_change_password = False
        await user.save(update_fields=["password_hash", "password_changed_at", "must_change_password"])
        action = UserAction.PASSWORD_CHANGED
        await record_change(user, user.org.path, user.id, action, before, snapshot(user))
    await services.guard.announce_revocation(user_id=str(user.id), before=revoked_before)


async def _start_session(
    services: SessionServices, user: User, role: str | None, session_end: int | None = None
) -> Tokens:
    active = role or (user.roles[0] if user.roles else "")
    definition = await definition_of(active)
    principal = principal_for(user, user.org, role=active, session_id=new_id(), definition=definition)
    pair = issue_pair(principal, services.keys, refresh_expires_at=session_end)
    await services.store.start(pair.session_id, pair.refresh_token_id, pair.refresh_expires_at)
    return _tokens(pair, user, principal)


def _tokens(pair: TokenPair, user: User, principal: Principal) -> Tokens:
    return Tokens(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_at=datetime.fromtimestamp(pair.access_expires_at, UTC),
        refresh_expires_at=datetime.fromtimestamp(pair.refresh_expires_at, UTC),
        role=principal.active_role,
        user=user,
    )
