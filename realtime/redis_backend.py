"""A broadcaster backend on ``redis.asyncio`` pub/sub.

Why not broadcaster's own Redis backend: with redis-py 8 a lone subscriber
receives nothing, and its listener dies silently when Redis restarts and never
resubscribes (broadcaster issue #144). This one polls ``get_message`` and, on a
lost connection, reconnects with back-off and resubscribes every channel, then puts an
empty message on each so its listener reads what it missed from the outbox (realtime/feed.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from broadcaster import Event as BroadcastEvent
from broadcaster._backends.base import BroadcastBackend
from redis import asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

RESUBSCRIBED = ""  # the message put on each channel after a reconnect (realtime/broker.py)


class RedisPubSubBackend(BroadcastBackend):
    def __init__(self, url: str) -> None:
        self._url = url
        self._conn = redis.Redis.from_url(url)
        self._pubsub = self._conn.pubsub(ignore_subscribe_messages=True)
        self._channels: set[str] = set()
        self._queue: asyncio.Queue[BroadcastEvent] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self._conn.ping()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-pubsub-reader")

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._pubsub.aclose()
        await self._conn.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        await self._pubsub.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        await self._pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self._conn.publish(channel, message)

    async def next_published(self) -> BroadcastEvent:
        return await self._queue.get()

    async def _read_forever(self) -> None:
        delay = 0.1
        while True:
            try:
                if not self._channels:
                    await asyncio.sleep(0.05)
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
                delay = 0.1
                if message and message["type"] == "message":
                    await self._queue.put(
                        BroadcastEvent(channel=message["channel"].decode(), message=message["data"].decode())
                    )
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.warning("redis pub/sub lost (%s), reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                await self._resubscribe()

    async def _resubscribe(self) -> None:
        try:
            await self._pubsub.aclose()
            self._pubsub = self._conn.pubsub(ignore_subscribe_messages=True)
            if self._channels:
                await self._pubsub.subscribe(*self._channels)
            for channel in self._channels:  # tell each listener it may have missed messages
                await self._queue.put(BroadcastEvent(channel=channel, message=RESUBSCRIBED))
        except (RedisConnectionError, RedisTimeoutError, OSError):
            pass  # still down, the reader loop retries
