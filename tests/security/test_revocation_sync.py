"""Verify once: revocations reach every process by pub/sub (security/sessions.py), tokens are
verified once per process and still refused past exp or when forged inside a valid gateway
signature (security/tokens.py), and a mutation's nonce is claimed across replicas
(security/gateway_trust.py, schema/common/authentication.py). Against the real Redis; the stack
tests run on both storages."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis

from clients.python.dcms_client import data, error_codes
from models.operations import Org, User
from resolvers.operations.identity import principal_for
from security.gateway_trust import SIGNATURE_HEADER, SeenNonces, nonce_of
from security.keys import load_token_keys
from security.sessions import LockoutPolicy, RedisSessionStore, SessionStore, session_store
from security.tokens import issue_token, read_token
from subgraphs.app import build_app
from subgraphs.settings import Settings
from testkit.factories import make_tenant, token_keys
from tests.support import services
from tests.support.signing import body_bytes, signed_headers, signed_post
from tests.support.stack import Stack, free_port

BOUND_SECONDS = 1.0  # a revocation made in one process is refused in every other within this
ME = "query Me { me { id } }"


def _id() -> str:
    return uuid.uuid4().hex


async def _connected(url: str) -> RedisSessionStore:
    store = session_store(url, LockoutPolicy())
    assert isinstance(store, RedisSessionStore)
    await store.connect(wait=5.0)
    assert store.knows_all
    return store


@pytest.fixture
async def two() -> AsyncIterator[tuple[RedisSessionStore, RedisSessionStore]]:
    """Two processes' stores: each its own connections and listener on the same Redis."""
    url = services.require_redis()
    one, other = await _connected(url), await _connected(url)
    yield one, other
    await one.close()
    await other.close()


async def _within(bound: float, check: Callable[[], bool]) -> float:
    """Seconds until ``check()`` holds; fails past ``bound``."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < bound, f"not within {bound} s"
        await asyncio.sleep(0.002)
    return time.monotonic() - start


# -- revocations reach the other process --------------------------------------------------------


@pytest.mark.integration
async def test_a_revocation_reaches_the_other_process_within_the_bound(
    two: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, other = two
    session, user, now = _id(), _id(), time.time()
    assert not other.revoked(session) and not other.revoked(_id(), user, now - 1)
    await one.revoke(session)
    assert one.revoked(session)  # at once where it was made
    took = await _within(BOUND_SECONDS, lambda: other.revoked(session))
    await one.revoke_user_before(user, now)
    await _within(BOUND_SECONDS, lambda: other.revoked(_id(), user, now - 0.001))
    assert not other.revoked(_id(), user, now + 0.001)  # issued after the password change
    role = f"ROLE_{_id()}"  # 角色管理: an edited role's access tokens issued before the edit
    await one.revoke_role_before(role, now)
    await _within(BOUND_SECONDS, lambda: other.revoked(_id(), _id(), now - 0.001, role))
    assert not other.revoked(_id(), _id(), now + 0.001, role) and not other.revoked(_id(), _id(), now - 1)
    # Reuse of a rotated refresh token revokes the session (Lua script): announced the same way.
    reused, first = _id(), _id()
    await one.start(reused, first, time.time() + 60)
    await one.rotate(reused, first, _id())
    await one.rotate(reused, first, _id())  # the old one again
    await _within(BOUND_SECONDS, lambda: other.revoked(reused))
    print(f"\nrevocation seen by the other process after {took * 1000:.1f} ms")


@pytest.mark.integration
async def test_a_process_that_starts_later_loads_what_was_revoked_before(
    two: tuple[RedisSessionStore, RedisSessionStore],
) -> None:
    one, _ = two
    session, user, now = _id(), _id(), time.time()
    await one.revoke(session)
    await one.revoke_user_before(user, now)
    role = f"ROLE_{_id()}"
    await one.revoke_role_before(role, now)
    late = await _connected(services.require_redis())
    try:
        assert late.revoked(session) and late.revoked(_id(), user, now - 0.001)
        assert late.revoked(_id(), _id(), now - 0.001, role) and not late.revoked(
            _id(), _id(), now + 0.001, role
        )
    finally:
        await late.close()


@pytest.mark.integration
async def test_on_reconnect_the_set_is_reloaded() -> None:
    """A revocation whose notice this process missed (written while its subscription was down) is
    loaded when redis-py reconnects and resubscribes."""
    url, name = services.require_redis(), f"dcms-test-{_id()}"
    store = await _connected(f"{url}?client_name={name}")
    admin = redis.Redis.from_url(url, decode_responses=True)
    try:
        session, user, now = _id(), _id(), time.time()
        # Written as `revoke` writes them, but no notice published: as if sent while disconnected.
        await admin.set(f"dcms:auth:revoked:{session}", "1", ex=60)
        await admin.set(f"dcms:auth:not-before:{user}", str(now), ex=60)
        await asyncio.sleep(0.2)
        assert not store.revoked(session)
        clients = await admin.client_list(_type="pubsub")
        ids = [c["id"] for c in clients if c.get("name") == name]
        assert len(ids) == 1, clients
        await admin.client_kill_filter(_id=ids[0])  # only our listener's connection
        await _within(3.0, lambda: store.revoked(session))
        assert store.revoked(_id(), user, now - 0.001)
    finally:
        await admin.aclose()
        await store.close()


async def test_before_its_first_load_a_store_says_it_does_not_know_all() -> None:
    """Redis unreachable at start: ``knows_all`` stays False, so Context asks ``is_revoked``
    (which answers from what this process knows while Redis is away)."""
    store = session_store(f"redis://127.0.0.1:{free_port()}/0", LockoutPolicy())
    try:
        await store.connect(wait=0.2)
        assert not store.knows_all
        assert not await store.is_revoked(_id())
    finally:
        await store.close()
    memory: SessionStore = session_store(None)
    assert memory.knows_all


# -- through a subgraph: the other process refuses the next request -----------------------------


async def _fresh_token(stack: Stack, ttl_seconds: int = 900) -> tuple[str, User]:
    tenant = await make_tenant(stack.settings, customers=0, grabbers=0, needs=0)
    user = tenant.manager
    org = await Org.get(id=user.org_id)
    principal = principal_for(user, org, session_id=_id())
    return issue_token(principal, token_keys(stack.settings), ttl_seconds=ttl_seconds), user


async def _me(stack: Stack, token: str) -> dict[str, object]:
    response = await signed_post(
        stack.settings.hmac_secret, stack.subgraph("operations"), {"query": ME}, token
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


@pytest.mark.e2e
async def test_a_session_revoked_elsewhere_is_refused_by_the_subgraph_within_the_bound(stack: Stack) -> None:
    """Real storage: revoked by this test process's store, refused by the stack's process.
    Embedded: one process holds every subgraph, so the revocation is made there (logout)."""
    token, user = await _fresh_token(stack)
    assert data(await _me(stack, token))["me"]["id"] == str(user.id)
    session = read_token(token, token_keys(stack.settings)).session_id
    if stack.settings.redis_url:
        store = session_store(stack.settings.redis_url, LockoutPolicy())
        try:
            await store.revoke(session)
        finally:
            await store.close()
    else:
        body = {"query": "mutation { logout }"}
        response = await signed_post(stack.settings.hmac_secret, stack.subgraph("operations"), body, token)
        assert data(response.json())["logout"] is True
    start = time.monotonic()
    while error_codes(result := await _me(stack, token)) != ["UNAUTHENTICATED"]:
        assert time.monotonic() - start < BOUND_SECONDS, result
    print(f"\nrefused by the subgraph after {(time.monotonic() - start) * 1000:.0f} ms")


@pytest.mark.e2e
async def test_an_expired_token_inside_a_valid_signature_is_refused(stack: Stack) -> None:
    """Verified (and remembered) while valid; refused once its exp passes, signature or not."""
    token, user = await _fresh_token(stack, ttl_seconds=2)
    assert data(await _me(stack, token))["me"]["id"] == str(user.id)
    expires_at = read_token(token, token_keys(stack.settings)).expires_at
    await asyncio.sleep(max(0.0, expires_at - time.time()) + 0.05)
    assert error_codes(await _me(stack, token)) == ["UNAUTHENTICATED"]
    # One that was never valid here either (expired before it was first seen).
    past = issue_token(
        principal_for(user, await Org.get(id=user.org_id)), token_keys(stack.settings), ttl_seconds=-5
    )
    assert error_codes(await _me(stack, past)) == ["UNAUTHENTICATED"]


@pytest.mark.e2e
async def test_a_forged_token_inside_a_valid_signature_is_refused(stack: Stack, tmp_path: Path) -> None:
    """The gateway signature vouches for where a request came from, not for the token: a token
    signed by another key (or claims altered after signing) is refused by the subgraph too."""
    token, user = await _fresh_token(stack)
    org = await Org.get(id=user.org_id)
    other_keys = load_token_keys(replace(stack.settings, keys_dir=tmp_path, dev_mode=True))
    forged = issue_token(principal_for(user, org), other_keys)
    header, _, signature = token.split(".")
    altered_claims = forged.split(".")[1]
    for bad in (forged, f"{header}.{altered_claims}.{signature}"):
        assert error_codes(await _me(stack, bad)) == ["UNAUTHENTICATED"]
    assert data(await _me(stack, token))["me"]["id"] == str(user.id)


# -- the nonce of a mutation is claimed across replicas -------------------------------------------


@pytest.mark.integration
async def test_a_mutation_replayed_at_another_replica_is_refused_a_query_is_not(database: Settings) -> None:
    """This app is one replica; ``elsewhere`` (the same Redis) is another that used the nonce."""
    url = services.require_redis()
    settings = replace(database, redis_url=url, dev_mode=False, hmac_secret="h" * 40)
    app = build_app(settings, ("operations",))
    elsewhere = SeenNonces(ttl=66, redis_url=url)
    mutation, query = (
        body_bytes({"query": "mutation { logout }"}),
        body_bytes({"query": "{ _service { sdl } }"}),
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:

            async def send(body: bytes, headers: dict[str, str]) -> dict[str, object]:
                response = await client.post("/operations/graphql", content=body, headers=headers)
                result: dict[str, object] = response.json()
                return result

            fresh = signed_headers(settings.hmac_secret, mutation)
            assert error_codes(await send(mutation, fresh)) == ["UNAUTHENTICATED"]  # ran: anonymous
            assert not await elsewhere.first_use_everywhere(nonce_of(fresh[SIGNATURE_HEADER]))  # claimed
            used = signed_headers(settings.hmac_secret, mutation)
            assert await elsewhere.first_use_everywhere(nonce_of(used[SIGNATURE_HEADER]))
            refused = await send(mutation, used)
            assert error_codes(refused) == ["FORBIDDEN"] and "replay" in str(refused["errors"])
            # A query is checked in this process only (docs/security.md says why).
            read = signed_headers(settings.hmac_secret, query)
            assert await elsewhere.first_use_everywhere(nonce_of(read[SIGNATURE_HEADER]))
            assert "@key" in str(data(await send(query, read)))
            again = await send(query, read)  # the same replica: refused
            assert error_codes(again) == ["FORBIDDEN"] and "replay" in str(again["errors"])
    finally:
        await elsewhere.close()
        # No lifespan ran (the test process holds the ORM): close what the app opened.
        await app.state.sessions.close()
        await app.state.trust.close()
        await app.state.rate_limit[0].close()
