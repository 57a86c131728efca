"""The live-stream parts one process shares, started and stopped together."""

from __future__ import annotations

from datetime import timedelta

from models.outbox import OutboxEventBase
from realtime.broker import Broker
from realtime.feed import Feeds
from realtime.guard import SubscriptionGuard
from realtime.outbox import OutboxRelay
from security.sessions import SessionStore


class Realtime:
    def __init__(
        self,
        broker: Broker,
        sessions: SessionStore,
        *,
        replay_hours: float = 24.0,
        subscriber_queue: int = 1000,
        feed_sync_seconds: float = 5.0,
        max_subscriptions_per_user: int = 20,
    ) -> None:
        self.broker = broker
        self.relay = OutboxRelay(broker, retention=timedelta(hours=replay_hours))  # outbox → broker
        self.feeds = Feeds(broker, subscriber_queue, feed_sync_seconds)  # broker → subscribers
        self.guard = SubscriptionGuard(broker, sessions, max_subscriptions_per_user)  # cap, token end

    async def start(self, outboxes: list[type[OutboxEventBase]]) -> None:
        await self.broker.connect()
        self.relay.start(outboxes)
        self.guard.start()

    async def stop(self) -> None:
        await self.relay.stop()
        await self.feeds.stop()
        await self.guard.stop()
        await self.broker.disconnect()
