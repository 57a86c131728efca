"""The broker (realtime/broker.py): in memory, and on Redis between replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from realtime.broker import Broker
from realtime.events import Event
from tests.support import services


@pytest.mark.unit
async def test_memory_broker_delivers_to_every_subscriber_of_a_channel() -> None:
    broker = Broker()
    await broker.connect()
    try:
        received: list[list[str]] = [[], []]

        async def listen(index: int, channel: str) -> None:
            async for event in broker.subscribe(channel):
                if event is not None:  # None: "subscribed"
                    received[index].append(event.type)

        tasks = [asyncio.create_task(listen(0, "a")), asyncio.create_task(listen(1, "a"))]
        other = asyncio.create_task(listen(0, "b"))
        await asyncio.sleep(0.05)
        await broker.publish("a", Event(type="x", payload={}))
        await asyncio.sleep(0.05)
        assert received == [["x"], ["x"]]
        for task in (*tasks, other):
            task.cancel()
    finally:
        await broker.disconnect()


async def first_arrival(publish: Callable[[], Awaitable[None]], got: asyncio.Queue[Event]) -> Event:
    """The first event ``got`` receives: a subscription is live once Redis confirms it, so
    ``publish`` is called until one arrives."""
    for _ in range(20):
        await publish()
        try:
            return await asyncio.wait_for(got.get(), 0.25)
        except TimeoutError:
            continue
    pytest.fail("no event crossed Redis")


@pytest.mark.integration
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
        received = await first_arrival(lambda: publisher.publish("test.fanout", sent), got)
        assert received == sent
        task.cancel()
    finally:
        await publisher.disconnect()
        await subscriber.disconnect()


@pytest.mark.integration
async def test_redis_databases_do_not_hear_each_others_events() -> None:
    """Pub/sub channels belong to the whole Redis server: each database's broker uses its own
    (security/redis_pool.py ``channel``), so two deployments on one Redis stay apart."""
    url = services.require_redis()
    base, _, db = url.rpartition("/")
    other = f"{base}/{(int(db or 0) + 1) % 16}"
    subscriber, same, foreign = Broker(url), Broker(url), Broker(other)
    for broker in (subscriber, same, foreign):
        await broker.connect()
    try:
        got: asyncio.Queue[Event] = asyncio.Queue()

        async def listen() -> None:
            async for event in subscriber.subscribe("test.apart"):
                if event is not None:
                    await got.put(event)

        task = asyncio.create_task(listen())
        ours = Event(type="ours", payload={})

        async def publish_both() -> None:
            await foreign.publish("test.apart", Event(type="foreign", payload={}))
            await same.publish("test.apart", ours)

        first = await first_arrival(publish_both, got)
        await publish_both()
        second = await asyncio.wait_for(got.get(), 2)
        assert (first, second) == (ours, ours)
        task.cancel()
    finally:
        for broker in (subscriber, same, foreign):
            await broker.disconnect()
