"""Integration with the real services: Redis fan-out between replicas, one PostgreSQL
schema per subgraph, and the checked-in supergraph."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from realtime.broker import Broker
from realtime.events import Event
from subgraphs.sdl import stale_files
from subgraphs.settings import SUBGRAPHS
from tests.support import services

pytestmark = pytest.mark.integration


async def test_redis_fans_out_between_two_replicas() -> None:
    url = services.require_redis()
    publisher, subscriber = Broker(url), Broker(url)
    await publisher.connect()
    await subscriber.connect()
    try:
        got: asyncio.Queue[Event] = asyncio.Queue()

        async def listen() -> None:
            async for event in subscriber.subscribe("test.fanout"):
                if event is not None:  # None: "(re)subscribed"
                    await got.put(event)

        task = asyncio.create_task(listen())
        sent = Event(type="alert.raised", payload={"title": "机房温度过高"})
        # The subscription is live once Redis confirms it: publish until it arrives.
        for _ in range(20):
            await publisher.publish("test.fanout", sent)
            try:
                received = await asyncio.wait_for(got.get(), 0.25)
                break
            except TimeoutError:
                continue
        else:
            pytest.fail("no event crossed Redis")
        assert received == sent
        task.cancel()
    finally:
        await publisher.disconnect()
        await subscriber.disconnect()


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


def test_checked_in_supergraph_is_fresh() -> None:
    services.require_node()
    assert stale_files() == [], "run `dcms schema export` and commit schema/sdl"
