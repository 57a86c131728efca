"""Login, tokens, sessions and lockout (issue 3, item 1; the token side of item 6).

The session store runs on real Redis and on the in-process fallback with the same tests;
login, refresh, logout, switchRole and changePassword go through the real gateway, which
also refuses forged tokens and enforces ``@authenticated`` itself."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql, subscribe_ws
from models.operations import Org, OrgKind, User
from security.identity import principal_for
from security.keys import KeyConfigError, TokenKeys, load_token_keys
from security.passwords import POLICY_MESSAGE, hash_password, policy_violation, verify_password
from security.sessions import LockoutPolicy, Rotation, SessionStore, session_store
from security.tokens import TokenType, issue_token, read_token
from subgraphs.settings import Settings
from testkit.factories import make_org, make_user, offline_settings, token_keys
from tests.support import services
from tests.support.signing import signed_post
from tests.support.stack import LOCKOUT_SECONDS, Stack, subprocess_env

PASSWORD = "Dcms@2026test"

LOGIN = """mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) { accessToken refreshToken expiresAt refreshExpiresAt role user { username roles } }
}"""
REFRESH = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken role } }"
ME = "{ me { username } }"


# -- passwords and the policy -----------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Dcms@2026demo", True),
        ("abcdefghij1!", True),  # lower, digit, symbol
        ("ABCDEFGHIJ1a", True),  # upper, digit, lower
        ("短密码Aa1!", False),  # 7 characters
        ("abcdefghijk1", False),  # two classes
        ("abcdefghijklmnop", False),  # one class
        ("Aa1!Aa1!A", False),  # 9 characters
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    assert (policy_violation(password) is None) is ok
    if not ok:
        assert policy_violation(password) == POLICY_MESSAGE
        assert "至少10位" in POLICY_MESSAGE and "at least 10 characters" in POLICY_MESSAGE


@pytest.mark.unit
def test_argon2id_hashes_verify() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)  # no password set: never matches
    assert not verify_password("not-a-hash", PASSWORD)


# -- keys ------------------------------------------------------------------------------------------------


def _key_settings(tmp_path: Path, dev: bool) -> Settings:
    return offline_settings(tmp_path, dev)


@pytest.mark.unit
def test_keys_are_generated_in_dev_mode_only(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="DCMS_TOKEN_PUBLIC_KEY_FILE"):
        load_token_keys(_key_settings(tmp_path, dev=False))
    dev = _key_settings(tmp_path, dev=True)
    keys = load_token_keys(dev)
    assert dev.token_private_key_path.stat().st_mode & 0o077 == 0  # private key readable by owner only
    again = load_token_keys(dev)  # the second start reads the same pair
    assert again.public_keys == keys.public_keys and again.signing_key_id == keys.signing_key_id
    # Outside dev mode the same files load; a verifier needs only the public one.
    dev.token_private_key_path.rename(tmp_path / "elsewhere.pem")
    verifier = load_token_keys(_key_settings(tmp_path, dev=False), signing=False)
    assert verifier.private_key is None and verifier.public_keys == keys.public_keys
    with pytest.raises(KeyConfigError, match="signing key not found"):
        load_token_keys(_key_settings(tmp_path, dev=False))


@pytest.mark.unit
def test_key_rotation_accepts_old_and_new_keys(tmp_path: Path) -> None:
    """The public key file carries the new and the old key while old tokens run out."""
    old, new = TokenKeys.generate(), TokenKeys.generate()
    principal = principal_for(_user(), _org())
    old_token = issue_token(principal, old)
    public = tmp_path / "token-es256.pub.pem"
    public.write_bytes(_pem(new) + _pem(old))
    private = tmp_path / "token-es256.pem"
    private.write_bytes(_private_pem(new))
    settings = replace(
        _key_settings(tmp_path, dev=False), token_private_key_file=private, token_public_key_file=public
    )
    both = load_token_keys(settings)
    assert read_token(old_token, both).user_id == principal.user_id
    assert read_token(issue_token(principal, both), both).user_id == principal.user_id
    public.write_bytes(_pem(old))  # the signing key's public half is missing: refuse to start
    with pytest.raises(KeyConfigError, match="does not match"):
        load_token_keys(settings)


# -- the session store, on Redis and in process -----------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[SessionStore]:
    url = services.require_redis() if request.param == "redis" else None
    policy = LockoutPolicy(
        max_failures=5, window_seconds=0.6, lock_seconds=0.6, first_lock_seconds=0.1, account_max_failures=12
    )
    sessions = session_store(url, policy)
    yield sessions
    await sessions.close()


def _id() -> str:
    return uuid.uuid4().hex


@pytest.mark.integration
async def test_refresh_rotation_and_reuse(store: SessionStore) -> None:
    session, first, second, third = _id(), _id(), _id(), _id()
    await store.start(session, first, time.time() + 60)
    assert 50 < (await store.session_end(session) or 0) - time.time() <= 60
    assert await store.rotate(session, first, second) is Rotation.ROTATED
    assert await store.rotate(session, second, third) is Rotation.ROTATED
    assert not await store.is_revoked(session)
    # The first refresh token comes back: the whole family dies, the current token included.
    assert await store.rotate(session, first, _id()) is Rotation.REUSED
    assert await store.is_revoked(session)
    assert await store.rotate(session, third, _id()) is Rotation.UNKNOWN
    assert await store.session_end(session) is None
    assert await store.rotate(_id(), _id(), _id()) is Rotation.UNKNOWN  # never started


@pytest.mark.integration
async def test_revocation_by_session_and_by_password_change(store: SessionStore) -> None:
    session, other, user = _id(), _id(), _id()
    await store.start(session, _id(), time.time() + 60)
    await store.start(other, _id(), time.time() + 60)
    await store.revoke(session)
    assert await store.is_revoked(session) and not await store.is_revoked(other)
    now = time.time()
    await store.revoke_user_before(user, now)
    assert await store.is_revoked(other, user, now - 0.001)  # issued before the change
    assert not await store.is_revoked(other, user, now + 0.001)
    assert not await store.is_revoked(other, _id(), now - 1)  # another user


@pytest.mark.integration
async def test_lockout_after_five_failures_and_unlock(store: SessionStore) -> None:
    username, other, here = f"u{_id()}", f"u{_id()}", "10.0.0.1"
    for _ in range(4):
        assert not await store.record_failure(username, here)
    await store.record_failure(other, here)
    assert not await store.locked_for(username, here)
    assert await store.record_failure(username, here) == pytest.approx(0.1)  # the fifth locks
    assert 0 < await store.locked_for(username, here) <= 0.1
    assert not await store.locked_for(other, here)
    await _until_unlocked(store, username, here)
    # Failures spread wider than the window never lock; a success clears the count.
    for _ in range(4):
        await store.record_failure(other, here)
    await asyncio.sleep(0.7)
    assert not await store.record_failure(other, here)
    for _ in range(3):
        await store.record_failure(other, here)
    await store.clear_failures(other, here)
    assert not await store.record_failure(other, here)
    assert not await store.locked_for(other, here)


@pytest.mark.integration
async def test_lockout_is_per_address_with_back_off(store: SessionStore) -> None:
    """A guesser's address is locked for longer and longer; the owner's address is not locked."""
    username, guesser, owner = f"u{_id()}", "10.0.0.66", "10.0.0.7"
    locks = [await store.record_failure(username, guesser) for _ in range(5)]
    assert locks == [0, 0, 0, 0, pytest.approx(0.1)]
    assert await store.locked_for(username, guesser) and not await store.locked_for(username, owner)
    for expected in (0.2, 0.4, 0.6, 0.6):  # doubling, up to the lock time
        await _until_unlocked(store, username, guesser)
        assert await store.record_failure(username, guesser) == pytest.approx(expected)
        assert not await store.locked_for(username, owner)
    await _until_unlocked(store, username, guesser)
    await store.clear_failures(username, guesser)  # a success there: the next failure starts over
    assert not await store.record_failure(username, guesser)


@pytest.mark.integration
async def test_many_addresses_together_lock_the_username_everywhere(store: SessionStore) -> None:
    """The per-username ceiling (12 here, 50 by default) stops a guess spread over many addresses,
    for the lock time, at every address; a success at one address does not lift it."""
    username = f"u{_id()}"
    locks = [await store.record_failure(username, f"10.1.0.{n}") for n in range(12)]
    assert locks == [0] * 11 + [pytest.approx(0.6)]
    assert await store.locked_for(username, "10.9.9.9") == pytest.approx(0.6, abs=0.1)
    await store.clear_failures(username, "10.1.0.1")
    assert await store.locked_for(username, "10.1.0.1")
    await _until_unlocked(store, username, "10.9.9.9")


async def _until_unlocked(store: SessionStore, username: str, address: str) -> None:
    deadline = time.monotonic() + 5
    while await store.locked_for(username, address):
        assert time.monotonic() < deadline, "the lock never ended"
        await asyncio.sleep(0.02)


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
    org = await Org.get(id=user.org_id)  # type: ignore[attr-defined]
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
        # Straight to the subgraph (signed, no gateway): the subgraph verifies the token itself.
        assert error_codes(await _post_signed(stack, "operations", ME, token)) == ["UNAUTHENTICATED"]
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


@pytest.mark.integration
async def test_dev_token_command_is_refused_outside_dev_mode(database: Settings) -> None:
    env = {**subprocess_env(database), "DCMS_DEV": "0"}
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "subgraphs.cli", "token", "--username", "manager", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await cli.communicate()
    assert cli.returncode != 0 and not out and b"dev mode only" in err


# -- helpers ------------------------------------------------------------------------------------------------


def _org() -> Org:
    return Org(id=uuid.uuid4(), code="X", name="x", kind=OrgKind.BRANCH, path="/x", tenant_id=None)


def _user() -> User:
    return User(id=uuid.uuid4(), username="u", display_name="u", roles=["CUSTOMER_MANAGER"], grid_ids=[])


def _pem(keys: TokenKeys) -> bytes:
    from cryptography.hazmat.primitives import serialization

    public = next(iter(keys.public_keys.values()))
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_pem(keys: TokenKeys) -> bytes:
    from cryptography.hazmat.primitives import serialization

    assert keys.private_key is not None
    return keys.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
