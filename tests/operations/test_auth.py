"""Login, refresh, logout, switchRole and changePassword (resolvers/operations/auth.py) through
the real gateway, with the lockout as a client sees it; the gateway also refuses forged tokens
and enforces ``@authenticated`` itself (issue 3, item 1; the token side of item 6). The session
store itself: tests/security/test_sessions.py; passwords and keys: tests/security/."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.operations import Org, OrgKind, User
from resolvers.operations.identity import principal_for
from security.keys import load_token_keys
from security.passwords import POLICY_MESSAGE
from security.tokens import TokenType, issue_token, read_token
from testkit.factories import make_org, make_user, token_keys
from tests.support.signing import signed_post
from tests.support.stack import LOCKOUT_SECONDS, Stack

PASSWORD = "Dcms@2026test"

LOGIN = """mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) { accessToken refreshToken expiresAt refreshExpiresAt role user { username roles } }
}"""
REFRESH = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken role } }"
ME = "{ me { username } }"


def _id() -> str:
    return uuid.uuid4().hex


# -- through the gateway ------------------------------------------------------------------------------------


async def _login_user(roles: tuple[str, ...] = ("CUSTOMER_MANAGER",)) -> User:
    root = await make_org("认证测试省联社", OrgKind.PROVINCE_UNION)
    bank = await make_org("认证测试农商银行", OrgKind.MEMBER_BANK, root, tenant_id=root.id)
    return await make_user(bank, roles, "登录用户", password=PASSWORD)


async def _post(url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, json={"query": query, "variables": variables or {}}, headers=headers)


async def _post_signed(
    stack: Stack,
    subgraph: str,
    query: str,
    token: str | None = None,
    variables: dict[str, Any] | None = None,
    client_ip: str | None = None,
) -> dict[str, Any]:
    """Straight to a subgraph, signed as the gateway signs (the stack runs in production mode),
    with the client address the gateway would report."""
    body = {"query": query, "variables": variables or {}}
    url = stack.subgraph(subgraph)
    return (await signed_post(stack.settings.hmac_secret, url, body, token, client_ip=client_ip)).json()


async def _login(stack: Stack, username: str, password: str = PASSWORD) -> dict[str, Any]:
    return await gql(stack.gateway_url, LOGIN, {"u": username, "p": password})


async def _me(stack: Stack, token: str) -> dict[str, Any]:
    return await gql(stack.gateway_url, ME, token=token)


@pytest.mark.e2e
async def test_login_success_and_failures_look_alike(stack: Stack) -> None:
    user = await _login_user()
    tokens = data(await _login(stack, user.username))["login"]
    assert tokens["role"] == "CUSTOMER_MANAGER" and tokens["user"]["username"] == user.username
    assert data(await _me(stack, tokens["accessToken"]))["me"]["username"] == user.username
    claims = read_token(tokens["accessToken"], token_keys(stack.settings))
    assert claims.session_id and claims.role == "CUSTOMER_MANAGER"

    wrong_password = await _login(stack, user.username, PASSWORD + "x")
    unknown_user = await _login(stack, f"nobody{_id()}", PASSWORD)
    assert error_codes(wrong_password) == error_codes(unknown_user) == ["UNAUTHENTICATED"]
    assert wrong_password["errors"][0]["message"] == unknown_user["errors"][0]["message"]
    assert "用户名或密码错误" in wrong_password["errors"][0]["message"]


@pytest.mark.e2e
async def test_lockout_through_the_gateway(stack: Stack) -> None:
    user = await _login_user()
    # At once: five sequential argon2 checks on a loaded 2-core box can outlast the 3 s window.
    failures = await asyncio.gather(*(_login(stack, user.username, "Wrong@pass123") for _ in range(5)))
    assert all(error_codes(f) == ["UNAUTHENTICATED"] for f in failures)
    # At once again: the first lock lasts 1 s. The right password too, yet locked.
    locked, wrong, short = await asyncio.gather(
        _login(stack, user.username),
        _login(stack, user.username, "Wrong@pass123"),
        _login(stack, user.username, "x"),
    )
    assert error_codes(locked) == error_codes(wrong) == error_codes(short) == ["ACCOUNT_LOCKED"]
    assert locked["errors"][0]["message"] == short["errors"][0]["message"]
    assert locked["errors"][0]["extensions"]["retryAfter"] == 1
    # An unknown username locks the same way: the lock does not tell which accounts exist.
    ghost = f"ghost{_id()}"
    await asyncio.gather(*(_login(stack, ghost, "Wrong@pass123") for _ in range(5)))
    assert error_codes(await _login(stack, ghost)) == ["ACCOUNT_LOCKED"]
    assert data(await _until_not_locked(lambda: _login(stack, user.username)))["login"]["accessToken"]


@pytest.mark.e2e
async def test_a_guesser_elsewhere_does_not_lock_the_owner_out(stack: Stack) -> None:
    """Straight to the operations subgraph, signed as the gateway signs, each request naming its
    client address as the gateway does (through the gateway every test request is 127.0.0.1)."""
    user = await _login_user()
    guesser, owner = "203.0.113.66", "198.51.100.7"

    async def login_from(address: str, password: str) -> dict[str, Any]:
        variables = {"u": user.username, "p": password}
        return await _post_signed(stack, "operations", LOGIN, variables=variables, client_ip=address)

    first = await asyncio.gather(*(login_from(guesser, "Wrong@pass123") for _ in range(5)))
    assert all(error_codes(f) == ["UNAUTHENTICATED"] for f in first)
    rest = await asyncio.gather(*(login_from(guesser, "Wrong@pass123") for _ in range(5)))
    assert all(error_codes(f) == ["ACCOUNT_LOCKED"] for f in rest)  # ten tries, the last five refused
    assert data(await login_from(owner, PASSWORD))["login"]["accessToken"]  # the owner is not locked out
    # The guesser's address: each failure after a lock locks it for longer (1 s, 2 s, then the
    # test stack's 3 s lock time), even with the right password.
    waits = [rest[0]["errors"][0]["extensions"]["retryAfter"]]
    for _ in range(2):
        assert error_codes(await _until_not_locked(lambda: login_from(guesser, "Wrong@pass123"))) == [
            "UNAUTHENTICATED"
        ]
        locked = await login_from(guesser, PASSWORD)
        assert error_codes(locked) == ["ACCOUNT_LOCKED"]
        waits.append(locked["errors"][0]["extensions"]["retryAfter"])
        assert data(await login_from(owner, PASSWORD))["login"]["accessToken"]
    assert waits == sorted(waits) and waits[0] == 1 and waits[-1] > waits[0], waits
    assert waits[-1] <= LOCKOUT_SECONDS
    # Once the lock ends, the right password gets in and clears that address's count.
    assert data(await _until_not_locked(lambda: login_from(guesser, PASSWORD)))["login"]["accessToken"]
    assert error_codes(await login_from(guesser, "Wrong@pass123")) == ["UNAUTHENTICATED"]  # counts from 0


async def _until_not_locked(attempt: Any) -> dict[str, Any]:
    """The answer of the first attempt that is not refused as locked (a lock ends on its own)."""
    deadline = time.monotonic() + 10
    while error_codes(answer := await attempt()) == ["ACCOUNT_LOCKED"]:
        assert time.monotonic() < deadline, "the lock never ended"
        # Half the time the lock says is left: few attempts, so the anonymous rate limit of the
        # test stack (30 per 5 s per address) is never what answers.
        await asyncio.sleep(min(answer["errors"][0]["extensions"]["retryAfter"], 3) / 2)
    return answer


@pytest.mark.e2e
async def test_refresh_rotates_and_reuse_revokes_the_session(stack: Stack) -> None:
    user = await _login_user()
    first = data(await _login(stack, user.username))["login"]
    second = data(await gql(stack.gateway_url, REFRESH, {"t": first["refreshToken"]}))["refreshToken"]
    assert second["refreshToken"] != first["refreshToken"]
    assert data(await _me(stack, second["accessToken"]))["me"]["username"] == user.username
    keys = token_keys(stack.settings)
    assert (
        read_token(second["accessToken"], keys).session_id
        == read_token(first["accessToken"], keys).session_id
    )
    # An access token is no refresh token.
    assert error_codes(await gql(stack.gateway_url, REFRESH, {"t": second["accessToken"]})) == [
        "UNAUTHENTICATED"
    ]

    reused = await gql(stack.gateway_url, REFRESH, {"t": first["refreshToken"]})
    assert error_codes(reused) == ["UNAUTHENTICATED"]
    # The whole family is revoked: the current refresh token and the access tokens too.
    assert error_codes(await gql(stack.gateway_url, REFRESH, {"t": second["refreshToken"]})) == [
        "UNAUTHENTICATED"
    ]
    assert error_codes(await _me(stack, second["accessToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(await _me(stack, first["accessToken"])) == ["UNAUTHENTICATED"]


@pytest.mark.e2e
async def test_logout_revokes_access_and_refresh_tokens(stack: Stack) -> None:
    user = await _login_user()
    tokens = data(await _login(stack, user.username))["login"]
    other = data(await _login(stack, user.username))["login"]  # a second session (another device)
    assert data(await gql(stack.gateway_url, "mutation { logout }", token=tokens["accessToken"])) == {
        "logout": True
    }
    assert error_codes(await _me(stack, tokens["accessToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(stack.gateway_url, REFRESH, {"t": tokens["refreshToken"]})) == [
        "UNAUTHENTICATED"
    ]
    assert data(await _me(stack, other["accessToken"]))["me"]["username"] == user.username
    # A subscription with the revoked token is refused too (WebSocket, token in connectionParams).
    events = subscribe_ws(
        stack.gateway_ws, "subscription { reminders { reminder { title } } }", None, tokens["accessToken"]
    )
    first = await asyncio.wait_for(anext(events), 10)
    assert "UNAUTHENTICATED" in str(first["errors"])
    await events.aclose()


@pytest.mark.e2e
async def test_switch_role(stack: Stack) -> None:
    user = await _login_user(("CUSTOMER_MANAGER", "BRANCH_HEAD"))
    tokens = data(await _login(stack, user.username))["login"]
    assert tokens["role"] == "CUSTOMER_MANAGER" and tokens["user"]["roles"] == [
        "CUSTOMER_MANAGER",
        "BRANCH_HEAD",
    ]
    switch = "mutation($r: String!) { switchRole(role: $r) { accessToken refreshToken role } }"
    switched = data(await gql(stack.gateway_url, switch, {"r": "BRANCH_HEAD"}, tokens["accessToken"]))[
        "switchRole"
    ]
    assert switched["role"] == "BRANCH_HEAD"
    assert read_token(switched["accessToken"], token_keys(stack.settings)).active_role == "BRANCH_HEAD"
    assert data(await _me(stack, switched["accessToken"]))["me"]["username"] == user.username
    # The tokens of the old role are revoked; the new refresh token works and keeps the role.
    assert error_codes(await _me(stack, tokens["accessToken"])) == ["UNAUTHENTICATED"]
    refreshed = data(await gql(stack.gateway_url, REFRESH, {"t": switched["refreshToken"]}))["refreshToken"]
    assert refreshed["role"] == "BRANCH_HEAD"
    refused = await gql(stack.gateway_url, switch, {"r": "PROVINCE_ADMIN"}, refreshed["accessToken"])
    assert error_codes(refused) == ["FORBIDDEN"]


@pytest.mark.e2e
async def test_change_password(stack: Stack) -> None:
    user = await _login_user()
    tokens = data(await _login(stack, user.username))["login"]
    change = "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) { accessToken } }"
    weak = await gql(stack.gateway_url, change, {"o": PASSWORD, "n": "short1"}, tokens["accessToken"])
    assert error_codes(weak) == ["BAD_USER_INPUT"] and weak["errors"][0]["message"] == POLICY_MESSAGE
    wrong = await gql(
        stack.gateway_url, change, {"o": "Wrong@pass123", "n": "New@pass2026"}, tokens["accessToken"]
    )
    assert error_codes(wrong) == ["BAD_USER_INPUT"]
    changed = data(
        await gql(stack.gateway_url, change, {"o": PASSWORD, "n": "New@pass2026"}, tokens["accessToken"])
    )
    assert data(await _me(stack, changed["changePassword"]["accessToken"]))["me"]["username"] == user.username
    assert error_codes(await _me(stack, tokens["accessToken"])) == ["UNAUTHENTICATED"]  # every older token
    assert error_codes(await _login(stack, user.username)) == ["UNAUTHENTICATED"]
    assert data(await _login(stack, user.username, "New@pass2026"))["login"]["accessToken"]
    stored = await User.get(id=user.id)
    assert stored.password_hash and stored.password_hash.startswith("$argon2id$")


@pytest.mark.e2e
async def test_gateway_refuses_forged_expired_and_misused_tokens(stack: Stack, tmp_path: Path) -> None:
    user = await _login_user()
    org = await Org.get(id=user.org_id)
    principal = principal_for(user, org)
    forged = issue_token(
        principal, load_token_keys(replace(stack.settings, keys_dir=tmp_path, dev_mode=True))
    )
    expired = issue_token(principal, token_keys(stack.settings), ttl_seconds=-5)
    refresh = issue_token(principal, token_keys(stack.settings), typ=TokenType.REFRESH)
    for token in (forged, expired):
        response = await _post(stack.gateway_url, ME, token=token)
        assert response.status_code == 401, response.text  # refused at the gateway
        assert "data" not in response.json() or response.json()["data"] is None
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]  # a client refreshes on it
        # Straight to the subgraph (signed, no gateway): the subgraph verifies the token itself.
        assert error_codes(await _post_signed(stack, "operations", ME, token)) == ["UNAUTHENTICATED"]
    # A token that is no JWT at all: refused as unauthenticated too, not as bad input.
    malformed = await _post(stack.gateway_url, ME, token="not.a.jwt")
    assert malformed.status_code == 400 and error_codes(malformed.json()) == ["UNAUTHENTICATED"]
    # A refresh token passes the signature check but is no access token, at either layer.
    assert error_codes(await _me(stack, refresh)) == ["UNAUTHENTICATED"]
    logout = await _post(stack.gateway_url, "mutation { logout }", token=refresh)
    assert error_codes(logout.json()) == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    # A forged token over WebSocket does not get a subscription either.
    events = subscribe_ws(stack.gateway_ws, "subscription { reminders { reminder { title } } }", None, forged)
    try:
        first = await asyncio.wait_for(anext(events), 10)
    except (AssertionError, ConnectionError, OSError) as refused:  # at connection_init
        outcome = f"refused: {refused}"
    else:  # or at subscribe
        outcome = f"errors: {first['errors']}" if first.get("errors") else f"DATA: {first}"
    finally:
        await events.aclose()
    assert not outcome.startswith("DATA"), outcome


@pytest.mark.e2e
async def test_gateway_enforces_authenticated_directive(stack: Stack) -> None:
    """`logout` carries @authenticated: anonymous, the gateway refuses it (generic auth's code)
    before any subgraph is asked; sent straight to the subgraph unsigned, the gateway-trust check
    refuses it; signed as the gateway would, the subgraph's own gate refuses it."""
    query = "mutation { logout }"
    through_gateway = (await _post(stack.gateway_url, query)).json()
    assert error_codes(through_gateway) == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    direct = (await _post(stack.subgraph("operations"), query)).json()
    assert error_codes(direct) == ["FORBIDDEN"]
    assert error_codes(await _post_signed(stack, "operations", query)) == ["UNAUTHENTICATED"]
    # login stays open to anonymous callers at both layers.
    assert error_codes(await _login(stack, f"nobody{_id()}")) == ["UNAUTHENTICATED"]
