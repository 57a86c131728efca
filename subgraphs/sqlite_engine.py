"""The embedded storage's Tortoise engine: SQLite whose transactions begin ``IMMEDIATE``.

Tortoise begins SQLite transactions with a plain (deferred) ``BEGIN``: the transaction reads
first and asks for the write lock at its first write. When another process wrote in between
(the test process beside a running server, a CLI command beside the server), that upgrade fails
at once with "database is locked": SQLite does not wait (``busy_timeout``) for it, since the
transaction's snapshot is already stale. ``BEGIN IMMEDIATE`` takes the write lock first, so a
transaction waits its turn instead, and every read inside it is current. One writer at a time is
what SQLite allows anyway.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
