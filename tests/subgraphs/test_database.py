"""Storage (subgraphs/database.py): one PostgreSQL schema, or one SQLite file, per subgraph."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from tortoise.exceptions import TransactionManagementError

from subgraphs.settings import SUBGRAPHS
from subgraphs.sqlite_engine import ImmediateSqliteClient

pytestmark = pytest.mark.integration


async def test_each_subgraph_has_its_own_storage(database) -> None:
    """PostgreSQL: one schema per subgraph. Embedded: one SQLite file per subgraph."""
    if not database.database_url:
        files = sorted(p.name for p in database.var_dir.glob("*.sqlite3"))
        assert files == sorted(f"{n}.sqlite3" for n in SUBGRAPHS)
        return
    conn = await asyncpg.connect(database.database_url)
    try:
        rows = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1::text[])",
            list(SUBGRAPHS),
        )
    finally:
        await conn.close()
    tables = {(r["table_schema"], r["table_name"]) for r in rows}
    for expected in [
        ("operations", "org"),
        ("customers", "customer"),
        ("marketing", "opportunity"),
        ("finance", "financing_need"),
        ("devices", "device"),
    ]:
        assert expected in tables
    assert ("customers", "org") not in tables  # no subgraph sees another's tables


async def test_a_sqlite_transaction_that_fails_to_begin_lets_go_of_the_connection(tmp_path: Path) -> None:
    """The embedded engine: a BEGIN IMMEDIATE refused ("database is locked", here another
    connection holding the write lock past busy_timeout) must not keep the connection's lock, or
    every later transaction of the subgraph waits for ever."""
    path = tmp_path / "locked.sqlite3"
    client = ImmediateSqliteClient(str(path), connection_name="locked", busy_timeout=100)
    await client.create_connection(with_db=True)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer
        with pytest.raises(TransactionManagementError):
            async with client._in_transaction():
                pass
        other.execute("COMMIT")

        async def write() -> None:
            async with client._in_transaction() as conn:
                await conn.execute_script("CREATE TABLE t (x INTEGER)")

        await asyncio.wait_for(write(), 5)
    finally:
        other.close()
        await client.close()


@pytest.mark.unit
def test_sslmode_in_the_database_url_reaches_asyncpg(tmp_path: Path) -> None:
    """``?sslmode=require`` (docs/security.md "TLS"): the pool connects with TLS; no query, no TLS option."""
    from subgraphs.database import connection_config
    from subgraphs.settings import Settings

    def credentials(url: str) -> dict[str, object]:
        settings = Settings(url, None, tmp_path, "127.0.0.1", 4001, 4000)
        config = connection_config(settings, "customers")
        assert isinstance(config, dict)
        return dict(config["credentials"])

    tls = credentials("postgres://dcms:pw@db.internal:5432/dcms?sslmode=verify-full")
    assert tls["ssl"] == "verify-full" and tls["database"] == "dcms" and tls["password"] == "pw"
    assert "ssl" not in credentials("postgres://dcms@db.internal/dcms")
