"""Each channel's events, in order, without gaps or repeats, to this process's subscribers.

One ``Feed`` per channel per process holds one broker subscription and the number (``seq``) of
the last event it delivered. An event whose number is not the next one is handled from the
outbox (models/outbox.py), the source of truth: a repeat is dropped, a gap is filled by reading
the missing events first. The feed also reads the outbox after (re)subscribing and every
``sync_seconds``, so events published while this process was not listening (Redis down, the
subscription not yet confirmed) arrive too, at most that late.

Subscribers get bounded queues: one that falls ``queue_size`` events behind is cut off with
``SlowConsumer`` instead of growing memory, and resumes with its cursor. A subscriber that
brings a cursor (the id of the last event it saw) first gets the events after it from the
outbox, then the live ones, with nothing missed or repeated in between.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable

from models.outbox import OutboxEventBase
from observability.metrics import (
    EVENTS_DELIVERED,
    EVENTS_DROPPED,
    EVENTS_REPLAYED,
    FEED_GAP_EVENTS,
    FEED_GAPS,
)
from realtime.broker import Broker
from realtime.events import Event
from realtime.outbox import BATCH, event_of, outbox_of
from realtime.tasks import cancel
from security.outage import unavailable

log = logging.getLogger(__name__)

Fail = Callable[[Exception], None]  # ends a subscription with this error
OnJoin = Callable[[Fail], None]  # given a joining subscription's Fail (see realtime/guard.py)


class SlowConsumer(Exception):
    """The subscriber fell too far behind and was cut off; it may resume with its cursor."""


class UnknownCursor(Exception):
    """The cursor names no event of this channel still kept (older than the retention window)."""


class _Subscriber:
    """A bounded mailbox. ``fail`` ends it from outside (realtime/guard.py), even while it waits."""

    def __init__(self, size: int) -> None:
        self._events: deque[Event] = deque()
        self._size = size
        self._error: Exception | None = None
        self._wakeup = asyncio.Event()

    def put(self, event: Event) -> bool:
        if len(self._events) >= self._size:
            self.fail(SlowConsumer())
            return False
        self._events.append(event)
        self._wakeup.set()
        return True

    def fail(self, error: Exception) -> None:  # a Fail
        self._error = self._error or error
        self._wakeup.set()

    async def get(self) -> Event:
        while True:
            if self._error is not None:
                raise self._error
            if self._events:
                return self._events.popleft()
            self._wakeup.clear()
            await self._wakeup.wait()


class Feed:
    def __init__(self, channel: str, broker: Broker, queue_size: int, sync_seconds: float) -> None:
        self.channel = channel
        self.head = 0  # number of the last event delivered
        self._broker = broker
        self._queue_size = queue_size
        self._sync_seconds = sync_seconds
        self._subscribers: set[_Subscriber] = set()
        self._lock = asyncio.Lock()  # one delivery path at a time: broker messages, syncs, joins
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def outbox(self) -> type[OutboxEventBase]:
        return outbox_of(self.channel)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name=f"feed {self.channel}"),
            asyncio.create_task(self._sync_periodically(), name=f"feed sync {self.channel}"),
        ]
        await self._ready.wait()

    async def stop(self) -> None:
        await cancel(*self._tasks)

    async def subscribe(
        self, after: str | None = None, on_join: OnJoin | None = None
    ) -> AsyncIterator[Event]:
        """Events after ``after`` (an event id) or from now; ``on_join`` gets the function that
        ends this subscription with an error."""
        subscriber = _Subscriber(self._queue_size)
        if on_join is not None:
            on_join(subscriber.fail)
        async with self._lock:  # nothing is delivered between reading the head and joining
            self._subscribers.add(subscriber)
            joined_at = self.head
        try:
            if after is not None:
                async for event in self._replay(after, joined_at):
                    yield event
            while True:
                yield await subscriber.get()
        finally:
            self._subscribers.discard(subscriber)

    async def _replay(self, after: str, until: int) -> AsyncIterator[Event]:
        cursor = await self.outbox.filter(id=after, channel=self.channel, seq__not_isnull=True).first()
        if cursor is None:
            raise UnknownCursor(after)
        replayed = EVENTS_REPLAYED.labels(self.channel)
        async for event in self._numbered_after(cursor.seq, until):
            replayed.inc()
            yield event

    async def _numbered_after(self, seq: int, until: int | None = None) -> AsyncIterator[Event]:
        """The channel's events numbered after ``seq`` (up to ``until``) from the outbox, in order,
        BATCH rows per query."""
        while until is None or seq < until:
            query = self.outbox.filter(channel=self.channel, seq__gt=seq)
            if until is not None:
                query = query.filter(seq__lte=until)
            rows = await query.order_by("seq").limit(BATCH)
            for row in rows:
                yield event_of(row)
            if len(rows) < BATCH:
                return
            seq = rows[-1].seq

    async def _listen(self) -> None:
        while True:
            try:
                async for event in self._broker.subscribe(self.channel):
                    async with self._lock:
                        await self._take(event)
            except Exception as error:  # the broker or the database is down: listen again, then catch up
                if unavailable(error) is None:  # an outage is logged once (security/outage.py)
                    log.exception("feed %s: listening again in 1 s", self.channel)
                await asyncio.sleep(1.0)

    async def _take(self, event: Event | None) -> None:
        if event is None:  # (re)subscribed: what went out meanwhile is in the outbox
            await self._catch_up()
            self._ready.set()
        elif event.seq is not None and event.seq > self.head:
            if event.seq > self.head + 1:
                FEED_GAPS.labels(self.channel).inc()
                await self._catch_up(until=event.seq - 1, via="gap")
            self._deliver(event)
        else:  # a repeat
            EVENTS_DROPPED.labels(self.channel, "repeat").inc()

    async def _sync_periodically(self) -> None:
        await self._ready.wait()
        while True:
            await asyncio.sleep(self._sync_seconds)
            if self._subscribers:
                try:
                    async with self._lock:
                        await self._catch_up()
                except Exception as error:  # the database is down: the next round tries again
                    if unavailable(error) is None:
                        log.exception("feed %s: sync failed", self.channel)

    async def _catch_up(self, until: int | None = None, via: str = "sync") -> None:
        """Deliver what the outbox holds after the head (up to ``until``). The first time, only
        learn the head: a new feed's subscribers start from now (or replay from a cursor)."""
        if not self._ready.is_set():
            numbered = self.outbox.filter(channel=self.channel, seq__not_isnull=True)
            last = await numbered.order_by("-seq").first()
            self.head = last.seq if last else 0
            return
        async for event in self._numbered_after(self.head, until):
            FEED_GAP_EVENTS.labels(self.channel, via).inc()
            self._deliver(event)

    def _deliver(self, event: Event) -> None:
        self.head = event.seq or self.head
        delivered = 0
        for subscriber in list(self._subscribers):
            if subscriber.put(event):
                delivered += 1
            else:
                self._subscribers.discard(subscriber)
                EVENTS_DROPPED.labels(self.channel, "slow_consumer").inc()
        if delivered:
            EVENTS_DELIVERED.labels(self.channel).inc(delivered)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)


class Feeds:
    """This process's feeds, one per channel, started on first use."""

    def __init__(self, broker: Broker, queue_size: int = 1000, sync_seconds: float = 5.0) -> None:
        self._broker = broker
        self._queue_size = queue_size
        self._sync_seconds = sync_seconds
        self._feeds: dict[str, Feed] = {}
        self._starting: dict[str, asyncio.Task[None]] = {}

    async def subscribe(
        self,
        channel: str,
        after: str | None = None,
        on_join: OnJoin | None = None,
    ) -> AsyncIterator[Event]:
        feed = await self._feed(channel)
        async for event in feed.subscribe(after, on_join):
            yield event

    async def _feed(self, channel: str) -> Feed:
        feed = self._feeds.get(channel)
        if feed is None:
            feed = self._feeds[channel] = Feed(channel, self._broker, self._queue_size, self._sync_seconds)
            self._starting[channel] = asyncio.create_task(feed.start())
        await asyncio.shield(self._starting[channel])  # one subscriber giving up does not stop it
        return feed

    def subscriber_counts(self) -> dict[str, int]:
        """Subscribers per channel now (subgraphs/metrics.py reads it when scraped)."""
        return {channel: feed.subscriber_count for channel, feed in list(self._feeds.items())}

    async def stop(self) -> None:
        for feed in self._feeds.values():
            await feed.stop()
        self._feeds.clear()
        self._starting.clear()
