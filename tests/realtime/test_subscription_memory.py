"""One subscription open for weeks keeps constant memory.

graphql-core 3.3 executes each subscription event with a shallow copy of the subscription's
executor, so every event's sub-field cache entry lands in one dict shared for the subscription's
life (about 1.8 KiB per event, kept until it closes). subgraphs/execution.py gives each event
its own cache; this soak test delivers 20,000 events through the real operations schema, feed
and broker, and asserts the memory held between event 5,000 and event 20,000 stays flat.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from models.operations import Alert, AlertLevel
from realtime.broker import ALERTS, Broker
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.events import snapshot
from subgraphs import operations
from subgraphs.settings import Settings
from testkit.factories import make_tenant
from testkit.inprocess import context_for, sessions

pytestmark = pytest.mark.integration

EVENTS = 20_000
WARM = 5_000  # measured from here: caches, the feed and the broker are warm by then
BATCH = 100  # published at once, then read: well under the subscriber queue (1000)
FLAT = 1024 * 1024  # bytes that may come and go between WARM and EVENTS (the leak held ~27 MiB)

QUERY = "subscription { alerts { eventId occurredAt alert { id title level status source } } }"


async def _held() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def test_one_subscription_keeps_constant_memory_over_20000_events(database: Settings) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    alert = await Alert.create(
        org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title="浸泡测试 (soak)"
    )
    payload: dict[str, Any] = snapshot(alert)
    # In memory, and a channel whose outbox numbers we hand out here: the events reach the
    # schema through the same feed and broker code as in production, without 20,000 rows.
    realtime = Realtime(Broker(), sessions(database), feed_sync_seconds=3600)
    await realtime.broker.connect()
    stream: AsyncGenerator[Any, None] | None = None
    try:
        context = context_for("operations", tenant.hall_token, database, realtime)
        stream = await operations.spec.schema.subscribe(QUERY, context_value=context)
        assert not isinstance(stream, Exception) and hasattr(stream, "__anext__"), stream
        # Subscribes: the feed learns its head.
        first: asyncio.Future[Any] | None = asyncio.ensure_future(anext(stream))
        feed = await realtime.feeds._feed(ALERTS)
        seq = feed.head
        received = 0
        held_at_warm = 0
        while received < EVENTS:
            for _ in range(BATCH):
                seq += 1
                event = Event(
                    type="alert.raised", payload=payload, scope={"org_path": alert.org_path}, seq=seq
                )
                await realtime.broker.publish(ALERTS, event)
            for _ in range(BATCH):
                result = await asyncio.wait_for(first if first is not None else anext(stream), 10)
                first = None
                assert not result.errors, result.errors
                assert result.data["alerts"]["alert"]["title"] == "浸泡测试 (soak)"
                received += 1
            if received == WARM:
                tracemalloc.start()
                held_at_warm = await _held()
        grown = await _held() - held_at_warm
        tracemalloc.stop()
        per_event = grown / (EVENTS - WARM)
        assert grown < FLAT, f"{grown / 2**20:.1f} MiB held by one subscription ({per_event:.0f} B per event)"
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        if stream is not None:
            await stream.aclose()
        await realtime.feeds.stop()
        await realtime.broker.disconnect()
