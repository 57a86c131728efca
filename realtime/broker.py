"""Publish and subscribe to event channels.

``broadcaster`` is the channel API; the backend is broadcaster's in-memory one
for the embedded default, and ``RedisPubSubBackend`` when ``REDIS_URL`` is set,
so events fan out to every subgraph replica.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from broadcaster import Broadcast
from broadcaster._base import Unsubscribed  # what Subscriber.get raises once unsubscribed

from realtime.events import Event
from realtime.redis_backend import RedisPubSubBackend

# Channels, one per stream.
REMINDERS = "customers.reminders"
GRAB_POOL = "finance.grab_pool"  # orders entering and leaving institutions' pools (抢单)
MY_ORDERS = "finance.orders"  # an applicant's orders, step by step
SUPERVISION = "finance.supervision"  # 督办预警, 催单, 贷后预警: operations raises them as alerts
ALERTS = "operations.alerts"
INCIDENTS = "operations.incidents"  # 故障事件: every step, escalation and SLA breach
DEVICE_STATUS = "devices.status"  # 设备状态: status changes, breaches, reported events
DEVICE_COMMANDS = "devices.commands"  # 远程指令: issued (the MQTT bridge sends them), answered, timed out
OPPORTUNITY_POOL = "marketing.opportunity_pool"  # 商机池: opportunities available (new, released) / claimed
ORG_CHANGES = "operations.orgs"  # 机构变更: an org moved (its subtree's paths) or closed (handed on)
# 注册 / 入驻: an applicant approved (customers links the bank customer, with consent), an institution
# onboarded (finance creates its Institution): resolvers/operations/onboarding.py
ONBOARDING = "operations.onboarding"
HALL_STATUS = "operations.halls"  # 营业厅: a hall's queue, visitors, staff, quality events or devices changed


class Broker:
    def __init__(self, redis_url: str | None = None) -> None:
        if redis_url:
            self._broadcast = Broadcast(backend=RedisPubSubBackend(redis_url))
        else:
            self._broadcast = Broadcast("memory://")
        self.kind = "redis" if redis_url else "memory"
        self._connected = False

    async def connect(self) -> None:
        if not self._connected:
            await self._broadcast.connect()
            self._connected = True

    async def disconnect(self) -> None:
        if self._connected:
            await self._broadcast.disconnect()
            self._connected = False

    async def publish(self, channel: str, event: Event) -> None:
        await self._broadcast.publish(channel, event.to_json())

    async def subscribe(self, channel: str) -> AsyncIterator[Event | None]:
        """The channel's events. ``None`` says "subscribed (again): anything published before
        may have been missed" — first once subscribed, then after each reconnect to Redis."""
        async with self._broadcast.subscribe(channel) as subscriber:
            yield None
            while True:
                try:  # (broadcaster types its own async iterator as possibly None)
                    message = await subscriber.get()
                except Unsubscribed:
                    return
                yield Event.from_json(message.message) if message.message else None
