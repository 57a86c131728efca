"""Feed consumers (realtime/consumer.py): one resumes after a restart from its stored cursor, without loss or repeat (the finance supervision feed that operations consumes)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.finance import (
    Handling,
    HandlingStatus,
    SupervisionWarning,
)
from models.finance import OutboxEvent as FinanceOutbox
from models.operations import ConsumerCursor
from models.operations import OutboxEvent as OperationsOutbox
from realtime.broker import SUPERVISION, Broker
from realtime.consumer import consume
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.finance.jobs import check_deadlines
from subgraphs.settings import Settings
from testkit.inprocess import sessions
from tests.support.marketplace import grabbed, make_market
from tests.support.waiting import eventually


@pytest.mark.integration
async def test_a_consumer_resumes_after_a_restart_without_loss_or_repeat(database: Settings) -> None:
    """Supervision warnings raised while a consumer is down reach it when it comes back, each
    once and in order (its cursor is stored with what it did). A consumer of its own name here:
    the running stack's operations consumer may share this database and Redis."""
    market = await make_market(database, banks=1, managers=1)
    realtime = Realtime(Broker(database.redis_url), sessions(database), feed_sync_seconds=0.5)
    await realtime.start([FinanceOutbox, OperationsOutbox])
    past = datetime.now(UTC) - timedelta(minutes=1)
    name = f"test-{uuid.uuid4().hex[:12]}"
    mine: set[str] = set()
    handled: list[str] = []  # of ``mine``, in the order handled
    heard: set[str] = set()  # every handling whose event it handled, probes too

    async def handle(event: Event) -> bool:
        heard.add(event.payload["id"])
        if event.payload["id"] in mine:
            handled.append(event.payload["id"])
        return False

    async def late_handling(counted: bool = True) -> str:
        _, handling, _ = await grabbed(market)
        await Handling.filter(id=handling.id).update(stage_due_at=past, status=HandlingStatus.GRABBED)
        if counted:
            mine.add(str(handling.id))
        return str(handling.id)

    async def warn() -> None:
        await check_deadlines()
        realtime.relay.wake({"finance"})

    async def fence() -> None:
        """Raise probe warnings until the consumer handles one: it is then live, and, the stream
        being in order, has handled everything raised before."""
        probes: set[str] = set()
        for _ in range(20):
            probes.add(await late_handling(counted=False))
            await warn()
            with contextlib.suppress(AssertionError):
                return await eventually(lambda: bool(probes & heard), 1.0)
        raise AssertionError("the consumer never handled a probe")

    async def published(handlings: list[str]) -> bool:
        rows = [r for r in await FinanceOutbox.filter(channel=SUPERVISION) if r.payload["id"] in handlings]
        return bool(rows) and all(r.published_at is not None for r in rows)

    try:
        consumer = asyncio.create_task(consume(realtime, name, SUPERVISION, handle, ConsumerCursor))
        await fence()
        first = await late_handling()
        await warn()
        await eventually(lambda: handled == [first], 10.0)
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        stopped_at = (await ConsumerCursor.get(name=name)).event_id
        later = [await late_handling(), await late_handling()]  # raised while it is down
        await warn()
        await eventually(lambda: published(later), 10.0)  # on the stream, with nobody there to take them
        assert handled == [first]
        assert (await ConsumerCursor.get(name=name)).event_id == stopped_at
        consumer = asyncio.create_task(consume(realtime, name, SUPERVISION, handle, ConsumerCursor))
        await eventually(lambda: len(handled) == 3, 10.0)
        await fence()  # anything repeated would have come before the probe
        assert handled[0] == first and sorted(handled[1:]) == sorted(later)  # each once
        assert await SupervisionWarning.filter(handling_id__in=list(mine)).count() == 3
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
    finally:
        await realtime.stop()
