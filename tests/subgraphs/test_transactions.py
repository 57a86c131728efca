"""A transaction cancelled while it begins gives its connection back to the pool
(subgraphs/database.py ``_enter_releasing``): a client that leaves cancels its operation
(subgraphs/admission.py), and Tortoise's own ``__aenter__`` kept the connection for good when the
cancellation landed in ``BEGIN``, until the pool was empty and every request waited."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.transactions import in_transaction

from subgraphs.settings import Settings


async def test_a_transaction_cancelled_in_begin_gives_its_connection_back(
    database: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    if not database.database_url:
        pytest.skip("the connection pool is PostgreSQL's (asyncpg); SQLite has one connection")
    client = Tortoise.get_connection("operations")
    await client.execute_query("SELECT 1")  # the pool is made on first use
    pool = client._pool
    size = pool.get_max_size()
    begun = asyncio.Event()
    begin = TransactionWrapper.begin

    async def slow_begin(self: TransactionWrapper) -> Any:
        await begin(self)
        begun.set()
        await asyncio.sleep(30)  # cancelled here: BEGIN sent, the context not entered yet

    monkeypatch.setattr(TransactionWrapper, "begin", slow_begin)

    async def transaction() -> None:
        async with in_transaction("operations"):
            raise AssertionError("never entered")

    for _ in range(size):  # one leak each would empty the pool
        begun.clear()
        task = asyncio.create_task(transaction())
        await asyncio.wait_for(begun.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    monkeypatch.undo()

    # Every connection of the pool can be taken again, and none is left inside a transaction.
    held = await asyncio.wait_for(asyncio.gather(*(pool.acquire() for _ in range(size))), 5)
    try:
        assert [c.is_in_transaction() for c in held] == [False] * size
    finally:
        await asyncio.gather(*(pool.release(c) for c in held))
    # Rolled back before the release: asyncpg had nothing to reset ("… with an active transaction").
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
