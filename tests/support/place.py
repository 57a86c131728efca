"""An empty place to run the CLI in production mode: a database of its own (PostgreSQL in the
real pass, SQLite files in the embedded one) and an environment naming it, with no secrets.
The `place` fixture (tests/conftest.py) makes one per test."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Place:
    """An empty database (PostgreSQL in the real pass, SQLite files in the embedded one) and
    an environment for the CLI that names it, in production mode, with no secrets."""

    var_dir: Path
    keys_dir: Path
    database_url: str | None
    redis_url: str | None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DCMS_") and k not in _STORAGE}
        env["DCMS_DB_POOL_MAX"] = os.environ.get("DCMS_DB_POOL_MAX", "4")  # tests/support/stack.py
        env |= {"DCMS_DEV": "0", "DCMS_VAR_DIR": str(self.var_dir), "DCMS_KEYS_DIR": str(self.keys_dir)}
        env |= {k: v for k, v in (("DATABASE_URL", self.database_url), ("REDIS_URL", self.redis_url)) if v}
        return env | extra

    def dcms(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "subgraphs.cli", *args]
        return subprocess.run(command, env=self.env(**extra), capture_output=True, text=True, timeout=120)

    def tables(self) -> set[str]:
        """The tables of the operations subgraph (none before a migration)."""
        if self.database_url is None:
            path = self.var_dir / "operations.sqlite3"
            if not path.exists():
                return set()
            with sqlite3.connect(path) as conn:
                return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return set(asyncio.run(_fetch(self.database_url, _PG_TABLES)))

    def users(self) -> int:
        if self.database_url is None:
            with sqlite3.connect(self.var_dir / "operations.sqlite3") as conn:
                return int(conn.execute("SELECT count(*) FROM app_user").fetchone()[0])
        return int(asyncio.run(_fetch(self.database_url, 'SELECT count(*) FROM "operations".app_user'))[0])

    def must_change(self) -> set[bool]:
        sql = "SELECT DISTINCT must_change_password FROM app_user"
        if self.database_url is None:
            with sqlite3.connect(self.var_dir / "operations.sqlite3") as conn:
                return {bool(row[0]) for row in conn.execute(sql)}
        return {
            bool(v)
            for v in asyncio.run(_fetch(self.database_url, sql.replace("app_user", '"operations".app_user')))
        }


_STORAGE = ("DATABASE_URL", "REDIS_URL")
_PG_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'operations'"


async def _fetch(url: str, sql: str) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [row[0] for row in await conn.fetch(sql)]
    finally:
        await conn.close()
