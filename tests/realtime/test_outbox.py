"""The transactional outbox and the feeds behind every stream: events leave only after their
change commits, numbered per channel; subscribers get each once, in order, with gaps filled from
the outbox, a replay from a cursor, and a cut-off instead of unbounded memory when too slow."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.operations import Alert, AlertLevel
from realtime.broker import Broker
from realtime.events import Event
from realtime.feed import Feeds, SlowConsumer, UnknownCursor
from realtime.outbox import OutboxRelay, event_of
from resolvers.common.events import publish
from testkit.factories import make_tenant

pytestmark = pytest.mark.integration


def _outbox() -> Any:
    return Tortoise.apps["operations"]["OutboxEvent"]


def _channel() -> str:
    """A channel of this test alone (operations' outbox), so other tests' events do not mix in."""
    return f"operations.test_{uuid.uuid4().hex[:12]}"


async def _record(tenant: Any, channel: str, title: str) -> Event:
    async with in_transaction("operations"):
        alert = await Alert.create(
            org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title=title
        )
        return await publish(channel, "alert.raised", alert)


async def _flush(relay: OutboxRelay) -> None:
    while await relay.flush(_outbox()):
        pass


async def _take(events: AsyncIterator[Event], count: int, within: float = 10.0) -> list[Event]:
    async def take() -> list[Event]:
        return [await anext(events) for _ in range(count)]

    return await asyncio.wait_for(take(), within)


@pytest.fixture
async def broker(database) -> AsyncIterator[Broker]:
    broker = Broker(database.redis_url)
    await broker.connect()
    yield broker
    await broker.disconnect()


@pytest.fixture
async def feeds(broker: Broker) -> AsyncIterator[Feeds]:
    feeds = Feeds(broker, queue_size=5, sync_seconds=0.5)
    yield feeds
    await feeds.stop()


async def test_a_rolled_back_change_publishes_nothing(database) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    recorded: list[Event] = []
    with pytest.raises(RuntimeError):
        async with in_transaction("operations"):
            alert = await Alert.create(
                org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title="回滚"
            )
            recorded.append(await publish(_channel(), "alert.raised", alert))
            raise RuntimeError("the mutation failed after recording its event")
    assert await _outbox().filter(id=recorded[0].id).count() == 0


async def test_an_event_is_recorded_only_by_the_subgraph_whose_transaction_it_shares(database) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    alert = await Alert.create(
        org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title="错库"
    )
    with pytest.raises(ValueError, match="cannot publish"):
        await publish("customers.reminders", "x", alert)


async def test_the_relay_numbers_each_channel_in_commit_order_and_marks_rows_published(
    database, broker: Broker
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    first, second = _channel(), _channel()
    recorded = [await _record(tenant, channel, f"事件{i}") for i in range(3) for channel in (first, second)]
    # Two relays at once (as two replicas would run): each row gets one number, no number twice.
    await asyncio.gather(_flush(OutboxRelay(broker)), _flush(OutboxRelay(broker)))
    rows = await _outbox().filter(id__in=[e.id for e in recorded]).order_by("id")
    for channel in (first, second):
        mine = [row for row in rows if row.channel == channel]
        assert [row.seq for row in mine] == [1, 2, 3]  # numbered in the order they were recorded
    assert all(row.published_at is not None for row in rows)


async def test_a_subscriber_gets_each_event_once_in_order_and_gaps_are_filled_from_the_outbox(
    database, broker: Broker, feeds: Feeds
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    channel = _channel()
    await _record(tenant, channel, "开始")
    await _flush(OutboxRelay(broker))
    events = feeds.subscribe(channel)
    waiting = asyncio.ensure_future(_take(events, 3))
    await asyncio.sleep(0.1)
    recorded = [await _record(tenant, channel, f"事件{i}") for i in range(3)]
    relay = OutboxRelay(Broker())  # numbers the rows, publishes where no one listens: all "lost"
    await relay.number(_outbox())
    rows = await _outbox().filter(id__in=[e.id for e in recorded]).order_by("seq")
    await broker.publish(channel, event_of(rows[2]))  # only the last reaches the broker...
    await broker.publish(channel, event_of(rows[2]))  # ...twice
    got = await waiting  # the first two come from the outbox, before the third
    assert [e.id for e in got] == [e.id for e in recorded]
    await broker.publish(channel, event_of(rows[0]))  # a late repeat
    with pytest.raises(TimeoutError):
        await _take(events, 1, within=1.0)


async def test_events_published_while_no_one_listened_arrive_by_the_periodic_sync(
    database, broker: Broker, feeds: Feeds
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    channel = _channel()
    events = feeds.subscribe(channel)
    waiting = asyncio.ensure_future(_take(events, 1))
    await asyncio.sleep(0.1)
    recorded = await _record(tenant, channel, "无人收听")
    await OutboxRelay(Broker()).number(_outbox())  # numbered, never reaches this broker
    assert [e.id for e in await waiting] == [recorded.id]


async def test_a_cursor_replays_what_came_after_it_then_goes_live_without_gap_or_repeat(
    database, broker: Broker, feeds: Feeds
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    channel = _channel()
    relay = OutboxRelay(broker)
    before = [await _record(tenant, channel, f"历史{i}") for i in range(4)]
    await _flush(relay)
    events = feeds.subscribe(channel, after=before[0].id)
    replayed = await _take(events, 3)
    live = [await _record(tenant, channel, f"实时{i}") for i in range(2)]
    await _flush(relay)
    got = replayed + await _take(events, 2)
    assert [e.id for e in got] == [e.id for e in before[1:] + live]
    assert [e.seq for e in got] == [2, 3, 4, 5, 6]


async def test_an_unknown_cursor_is_refused(database, feeds: Feeds) -> None:
    with pytest.raises(UnknownCursor):
        await anext(feeds.subscribe(_channel(), after="0" * 32))


async def test_a_subscriber_that_falls_behind_is_cut_off_and_others_are_not(
    database, broker: Broker, feeds: Feeds
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    channel = _channel()
    slow, fast = feeds.subscribe(channel), feeds.subscribe(channel)
    fast_got = asyncio.ensure_future(_take(fast, 8))
    slow_first = asyncio.ensure_future(anext(slow))  # joins, then reads nothing more
    await asyncio.sleep(0.1)
    relay = OutboxRelay(broker)
    for i in range(8):  # the feeds' queues hold 5; the fast one reads as they come
        await _record(tenant, channel, f"积压{i}")
        await _flush(relay)
        await asyncio.sleep(0.05)
    assert len(await fast_got) == 8
    await slow_first
    with pytest.raises(SlowConsumer):
        for _ in range(8):
            await anext(slow)
