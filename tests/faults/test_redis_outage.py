"""The Redis pub/sub backend recovers from an outage of any length.

Its reader once died silently when Redis was away for more than about 0.1 s (a resubscribe that
failed while Redis was down left a pubsub without a connection; the next read raised an error it
did not catch): events then came only through the feeds' outbox poll, 5 s late, until a restart.

Here a Redis server of our own is killed for 2 s, 30 s and 120 s and restarted on the same port.
Each time, pub/sub must be back within a second of Redis returning, and an event published
then must arrive within a second: live, since the feeds' outbox poll is set to 60 s. The log gets
one line when the outage starts and one when it ends. The 2 s and 30 s outages go through the
outbox relay and the feeds on real PostgreSQL; the 120 s one through the broker alone.

Run in the PostgreSQL + Redis pass only (``-m faults``; the embedded pass deselects them).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.operations import Alert, AlertLevel
from realtime.broker import Broker
from realtime.events import Event
from realtime.feed import Feeds
from realtime.outbox import OutboxRelay
from resolvers.common.events import publish
from testkit.factories import Tenant, make_tenant
from tests.support import services
from tests.support.faults import FaultStack

pytestmark = pytest.mark.faults

LIVE = 1.0  # seconds: pub/sub back after Redis returns, and an event delivered after publishing
NO_POLL = 60.0  # the feeds' outbox poll: far longer than LIVE, so it cannot be what delivers


class OwnRedis(FaultStack):
    """Only the Redis server of the fault tests' stack (tests/support/faults.py), on a spare port."""

    def __init__(self, var_dir: Path) -> None:
        super().__init__(var_dir, database_url="")

    @property
    def url(self) -> str:
        return self.env["REDIS_URL"]

    def outage(self) -> None:
        self.kill(self.redis)
        assert not services.reachable(self.url)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start_redis()
    yield server
    server.stop()


@pytest.fixture
def outage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger="dcms.outage"):
        yield caplog


def _lines(caplog: pytest.LogCaptureFixture, words: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "dcms.outage" and r.getMessage().startswith("Redis pub/sub") and words in r.getMessage()
    ]


async def _until(condition: Any, within: float, what: str) -> float:
    """Wait for ``condition()`` to hold; returns how long it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > within:
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def _outage(redis_server: OwnRedis, caplog: pytest.LogCaptureFixture, seconds: float) -> None:
    """Kill Redis for ``seconds``, restart it, and see pub/sub recover within LIVE, logging the
    outage once and the recovery once."""
    started, recovered = len(_lines(caplog, "unavailable")), len(_lines(caplog, "recovered"))
    redis_server.outage()
    await _until(lambda: len(_lines(caplog, "unavailable")) > started, 5, "outage logged")
    await asyncio.sleep(seconds)  # the outage itself
    redis_server.start_redis()  # returns once Redis answers
    took = await _until(lambda: len(_lines(caplog, "recovered")) > recovered, LIVE, "pub/sub back")
    assert len(_lines(caplog, "unavailable")) == started + 1, _lines(caplog, "unavailable")
    assert len(_lines(caplog, "recovered")) == recovered + 1
    assert seconds - 0.5 <= _lasted(caplog) < seconds + took + 5  # the outage's duration


def _lasted(caplog: pytest.LogCaptureFixture) -> float:
    """The duration the last recovery line gives."""
    return float(_lines(caplog, "recovered")[-1].split("after ")[1].split(" s")[0])


async def _closed(*closing: Any) -> None:
    """Close, but not for ever: a reader stuck on a dead connection must fail the test, not hang it."""
    for step in closing:
        try:
            await asyncio.wait_for(step, 10)
        except TimeoutError:
            logging.getLogger(__name__).error("closing took over 10 s: %s", step)


def _outbox() -> Any:
    return Tortoise.apps["operations"]["OutboxEvent"]


async def _raise(tenant: Tenant, channel: str, title: str) -> None:
    async with in_transaction("operations"):
        alert = await Alert.create(
            org=tenant.hall, org_path=tenant.hall.path, level=AlertLevel.INFO, title=title
        )
        await publish(channel, "alert.raised", alert)


async def _next_title(events: AsyncIterator[Event], within: float) -> str:
    event = await asyncio.wait_for(anext(events), within)
    return str(event.payload["title"])


async def test_feeds_get_live_events_again_after_2_s_and_30_s_redis_outages(
    database: Any, redis_server: OwnRedis, outage_log: pytest.LogCaptureFixture
) -> None:
    tenant = await make_tenant(database, customers=0, grabbers=0, needs=0)
    broker = Broker(redis_server.url)
    await broker.connect()
    relay = OutboxRelay(broker)  # flushed by hand below: no poll to deliver for the feed
    feeds = Feeds(broker, queue_size=100, sync_seconds=NO_POLL)
    channel, joined_late = (f"operations.test_{uuid.uuid4().hex[:12]}" for _ in range(2))
    try:
        events = feeds.subscribe(channel)
        first = asyncio.ensure_future(anext(events))
        await feeds._feed(channel)  # subscribed
        await _raise(tenant, channel, "before")
        await relay.flush(_outbox())
        assert (await asyncio.wait_for(first, LIVE)).payload["title"] == "before"

        await _outage(redis_server, outage_log, 2)
        await _raise(tenant, channel, "after 2 s")
        await relay.flush(_outbox())
        assert await _next_title(events, LIVE) == "after 2 s"

        redis_server.outage()
        killed_at = time.monotonic()
        await _until(lambda: len(_lines(outage_log, "unavailable")) == 2, 5, "second outage logged")
        # An event committed while Redis is away: its publish fails, the outbox keeps it.
        await _raise(tenant, channel, "during")
        with pytest.raises(Exception):  # noqa: B017 (whatever redis-py raises)
            await relay.flush(_outbox())
        # A subscriber joining while Redis is away gets live events once it is back.
        late = feeds.subscribe(joined_late)
        late_first = asyncio.ensure_future(anext(late))
        await asyncio.wait_for(feeds._feed(joined_late), 5)
        await asyncio.sleep(killed_at + 30 - time.monotonic())  # the rest of the outage
        recovered = len(_lines(outage_log, "recovered"))
        redis_server.start_redis()
        await _until(lambda: len(_lines(outage_log, "recovered")) > recovered, LIVE, "pub/sub back")
        # The event of the outage comes from the outbox on resubscribing (not the 60 s poll).
        assert await _next_title(events, LIVE) == "during"
        await relay.flush(_outbox())  # publishes "during" again: the feed drops the repeat
        await _raise(tenant, channel, "after 30 s")
        await _raise(tenant, joined_late, "late joiner")
        await relay.flush(_outbox())
        assert await _next_title(events, LIVE) == "after 30 s"
        assert (await asyncio.wait_for(late_first, LIVE)).payload["title"] == "late joiner"
        assert len(_lines(outage_log, "unavailable")) == 2 and len(_lines(outage_log, "recovered")) == 2
        assert 29.5 <= _lasted(outage_log) < 35
    finally:
        await _closed(feeds.stop(), broker.disconnect())


async def test_the_broker_gets_live_events_again_after_a_120_s_redis_outage(
    redis_server: OwnRedis, outage_log: pytest.LogCaptureFixture
) -> None:
    broker = Broker(redis_server.url)
    await broker.connect()
    events = cast(AsyncGenerator[Event | None, None], broker.subscribe("test.outage"))
    try:
        assert await asyncio.wait_for(anext(events), LIVE) is None  # subscribed
        await broker.publish("test.outage", Event(type="before", payload={}))
        before = await asyncio.wait_for(anext(events), LIVE)
        assert before is not None and before.type == "before"

        await _outage(redis_server, outage_log, 120)
        # Resubscribed: the broker says so (a feed then reads the outbox), then goes on live.
        assert await asyncio.wait_for(anext(events), LIVE) is None
        await broker.publish("test.outage", Event(type="after", payload={}))
        after = await asyncio.wait_for(anext(events), LIVE)
        assert after is not None and after.type == "after"
    finally:
        await _closed(events.aclose(), broker.disconnect())
