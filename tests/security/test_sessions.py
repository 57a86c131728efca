"""The session store (security/sessions.py), on Redis and in process with the same tests: refresh
rotation and reuse, revocation, and the login lockout."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from security.sessions import LockoutPolicy, Rotation, SessionStore, session_store
from tests.support import services


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
    # 角色管理: an edit of a role refuses the access tokens acting in it issued before the edit.
    role = f"ROLE_{_id()}"
    await store.revoke_role_before(role, now)
    assert await store.is_revoked(_id(), _id(), now - 0.001, role)
    assert store.revoked(_id(), _id(), now - 0.001, role) or not store.knows_all
    assert not await store.is_revoked(_id(), _id(), now + 0.001, role)  # issued after the edit
    assert not await store.is_revoked(_id(), _id(), now - 0.001, "ANOTHER_ROLE")
    assert not await store.is_revoked(_id(), _id(), now - 0.001)  # a refresh asks without its role


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


@pytest.mark.integration
async def test_an_administrators_unlock_clears_every_address_and_the_ceiling(store: SessionStore) -> None:
    """解锁 (``clear_failures(username, None)``): the per-address locks and the per-username ceiling
    go, for this username only; a username with glob characters unlocks only itself."""
    username, neighbour = f"u[{_id()}]*", f"u{_id()}"
    for n in range(12):
        await store.record_failure(username, f"10.2.0.{n % 3}")
    await store.record_failure(neighbour, "10.2.0.0")
    assert await store.locked_for(username, "10.9.9.9") > 0  # the ceiling: locked everywhere
    await store.clear_failures(username, None)
    assert [await store.locked_for(username, f"10.2.0.{n}") for n in range(3)] == [0, 0, 0]
    assert await store.locked_for(username, "10.9.9.9") == 0
    assert await store.record_failure(username, "10.2.0.0") == 0  # the counts went too
    for _ in range(4):
        await store.record_failure(neighbour, "10.2.0.0")
    assert await store.locked_for(neighbour, "10.2.0.0") > 0  # another user's count was kept
