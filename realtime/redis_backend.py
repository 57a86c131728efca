"""A broadcaster backend on ``redis.asyncio`` pub/sub.

Why not broadcaster's own Redis backend: with redis-py 8 a lone subscriber
receives nothing, and its listener dies silently when Redis restarts and never
resubscribes (broadcaster issue #144). This one polls ``get_message`` and, on any failure,
reconnects with back-off and resubscribes every channel, then puts an empty message on each so
its listener reads what it missed from the outbox (realtime/feed.py).

The reader must not end while the process lives: it once caught only connection errors, and a
resubscribe that failed while Redis was still down left a pubsub without a connection, whose
next read raised ``RuntimeError`` and ended the reader silently; events then came only through
the feeds' outbox poll until a restart. Now every failure is caught, and the outage is logged
once when it starts and once when it ends (security/outage.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from broadcaster import Event as BroadcastEvent
from broadcaster._backends.base import BroadcastBackend
from redis import asyncio as redis

from realtime.tasks import cancel
from security.outage import Outage
from security.redis_pool import channel

log = logging.getLogger(__name__)

RESUBSCRIBED = ""  # the message put on each channel after a reconnect (realtime/broker.py)
# Reconnect attempts back off up to this: a subscriber gets live events again within about this
# long after Redis returns (a failed connect to a local or nearby Redis costs next to nothing).
MAX_RETRY_SECONDS = 0.5


class RedisPubSubBackend(BroadcastBackend):
    def __init__(self, url: str) -> None:
        self._url = url
        self._conn = redis.Redis.from_url(url)
        self._prefix = channel(self._conn, "")  # this database's channels (security/redis_pool.py)
        self._pubsub = self._conn.pubsub(ignore_subscribe_messages=True)
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[BroadcastEvent] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None
        self.outage = Outage(
            "Redis pub/sub", "live events reach subscribers through the outbox poll until it is back"
        )

    async def connect(self) -> None:
        await self._conn.ping()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-pubsub-reader")

    async def disconnect(self) -> None:
        await cancel(self._reader)
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self._conn.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        if self.outage.down:
            return  # the reader subscribes every channel once Redis is back
        try:
            await self._pubsub.subscribe(self._prefix + channel)
        except Exception as exc:  # Redis went away: the reader notices and resubscribes all
            self.outage.failed(exc)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        if not self.outage.down:
            with contextlib.suppress(Exception):  # else gone with the connection anyway
                await self._pubsub.unsubscribe(self._prefix + channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self._conn.publish(self._prefix + channel, message)

    async def next_published(self) -> BroadcastEvent:
        return await self._queue.get()

    async def _read_forever(self) -> None:
        delay = 0.05
        while True:
            try:
                if self.outage.down:
                    await self._resubscribe()  # raises while Redis is still away
                    self.outage.ok()
                    delay = 0.05
                if not self._channels:
                    await asyncio.sleep(0.05)
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
                if message and message["type"] == "message":
                    await self._queue.put(
                        BroadcastEvent(
                            channel=message["channel"].decode().removeprefix(self._prefix),
                            message=message["data"].decode(),
                        )
                    )
            except Exception as exc:  # any failure but cancellation: a reader that ends ends live delivery
                if not self.outage.failed(exc):
                    log.debug("redis pub/sub still unavailable: %r", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _resubscribe(self) -> None:
        """A new pubsub subscribed to every channel; then tell each listener it may have missed
        messages. Raises (leaving the outage on) while Redis is unreachable."""
        old, self._pubsub = self._pubsub, self._conn.pubsub(ignore_subscribe_messages=True)
        with contextlib.suppress(Exception):
            await old.aclose()
        await self._conn.ping()
        # Until no channel is left: one subscribed meanwhile found the outage still on and left
        # it to us. The last check and the caller's `outage.ok()` run with no await between.
        done: set[str] = set()
        while pending := self._channels - done:
            await self._pubsub.subscribe(*(self._prefix + name for name in pending))
            for name in pending:
                await self._queue.put(BroadcastEvent(channel=name, message=RESUBSCRIBED))
            done |= pending
