"""Tortoise configuration: one app and one connection per subgraph.

Each subgraph owns its tables. With SQLite each gets its own file; with
PostgreSQL each gets its own schema (``search_path``) in one database, so no
query can join across subgraphs.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.client import TransactionContextPooled
from tortoise.connection import get_connections

from subgraphs.settings import SUBGRAPHS, Settings


def connection_config(settings: Settings, name: str) -> dict[str, Any] | str:
    if not settings.database_url:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        return {
            "engine": "subgraphs.sqlite_engine",  # transactions take the write lock first
            "credentials": {
                "file_path": str(settings.var_dir / f"{name}.sqlite3"),
                # Wait up to 5 s for another process's write (a CLI command beside a running
                # server) instead of failing at once with "database is locked".
                "busy_timeout": 5000,
            },
        }
    url = urlparse(settings.database_url)
    if url.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must be postgres://…, got {url.scheme}://")
    return {
        "engine": "tortoise.backends.asyncpg",
        "credentials": {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
            "database": url.path.lstrip("/") or "postgres",
            "schema": name,
            "minsize": 1,
            "maxsize": settings.db_pool_max,
            "reset": keep_session,
            # ?sslmode=require (verify-ca, verify-full …): TLS to PostgreSQL, asyncpg's modes
            **({"ssl": sslmode} if (sslmode := parse_qs(url.query).get("sslmode", [""])[-1]) else {}),
        },
    }


async def keep_session(connection: asyncpg.Connection) -> None:
    """What a pool connection does on release instead of asyncpg's default reset, a round trip
    (``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) after every statement
    outside a transaction: 11 % of a trivial request's CPU. Nothing here leaves session state to
    reset: advisory locks are transaction-scoped (``pg_*_xact_lock``), no cursor outlives its
    statement, nothing LISTENs, nothing SETs beyond the connection's own ``search_path``. An open
    transaction is still rolled back (asyncpg does that before calling this)."""


def tortoise_config(settings: Settings, names: tuple[str, ...] = SUBGRAPHS) -> dict[str, Any]:
    return {
        "connections": {name: connection_config(settings, name) for name in names},
        "apps": {
            name: {
                "models": [f"models.{name}"],
                "default_connection": name,
                "migrations": f"models.{name}.migrations",
            }
            for name in names
        },
        "use_tz": True,
        # Stored in UTC: SQLite compares datetimes as text, so every value must share one offset.
        "timezone": "UTC",
    }


async def create_schemas(settings: Settings, names: tuple[str, ...] = SUBGRAPHS) -> None:
    """PostgreSQL only: make sure each subgraph's schema exists before migrating."""
    if not settings.database_url:
        return
    import asyncpg

    conn = await asyncpg.connect(settings.database_url)
    try:
        for name in names:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    finally:
        await conn.close()


async def open_database(settings: Settings, names: tuple[str, ...] = SUBGRAPHS) -> None:
    await Tortoise.init(config=tortoise_config(settings, names))


async def close_database() -> None:
    await Tortoise.close_connections()


async def _enter_releasing(self: TransactionContextPooled) -> Any:
    """``TransactionContextPooled.__aenter__`` (tortoise-orm 1.1), but a failure or a cancellation
    after the connection is taken (in ``BEGIN``) gives the connection back. Tortoise's own leaves it
    checked out for good, in its transaction: ``__aexit__`` never runs when ``__aenter__`` raises.
    A client that leaves cancels its operation (subgraphs/admission.py), and every few such
    cancellations that landed in ``BEGIN`` took one connection of the pool and the transaction's
    advisory locks with them, until every request of the process waited (the browser test's page
    views, sent as each page closed, did it). tests/subgraphs/test_transactions.py."""
    await self.ensure_connection()
    pool = self.client._parent._pool
    self.client._connection = await pool.acquire()
    self.token = get_connections().set(self.connection_name, self.client)
    try:
        await self.client.begin()
    except BaseException:
        get_connections().reset(self.token)
        # Shielded: the one cancellation has been delivered, and the rollback and release must finish.
        with contextlib.suppress(
            Exception
        ):  # BEGIN not sent, or the connection still busy: the pool resets it
            await asyncio.shield(self.client.rollback())
        await asyncio.shield(pool.release(self.client._connection))
        raise
    return self.client


TransactionContextPooled.__aenter__ = _enter_releasing  # type: ignore[method-assign]
