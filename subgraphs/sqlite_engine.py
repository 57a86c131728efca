"""The embedded storage's Tortoise engine: SQLite whose transactions begin ``IMMEDIATE``.

Tortoise begins SQLite transactions with a plain (deferred) ``BEGIN``: the transaction reads
first and asks for the write lock at its first write. When another process wrote in between
(the test process beside a running server, a CLI command beside the server), that upgrade fails
at once with "database is locked": SQLite does not wait (``busy_timeout``) for it, since the
transaction's snapshot is already stale. ``BEGIN IMMEDIATE`` takes the write lock first, so a
transaction waits its turn instead, and every read inside it is current. One writer at a time is
what SQLite allows anyway.

A transaction that fails to begin lets go of the connection. Tortoise's context takes the
connection's lock, then begins; a ``BEGIN IMMEDIATE`` that failed ("database is locked" after
``busy_timeout``) or a task cancelled while it waited (a client that left) kept the lock for ever,
and every later transaction of that subgraph — each mutation's audit record — waited on it until
its client gave up (the embedded fuzz run: mutations unanswered for 30 s, one after another).
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ReleasingTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:  # cancelled too: the lock is not this task's to keep
            self._trxlock.release()
            raise
        return self.connection


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return ReleasingTransactionContext(ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
