"""Storage (subgraphs/database.py): one PostgreSQL schema, or one SQLite file, per subgraph."""

from __future__ import annotations

import asyncpg
import pytest

from subgraphs.settings import SUBGRAPHS

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
