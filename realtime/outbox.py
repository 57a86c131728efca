"""The outbox relay: numbers committed outbox rows per channel, then publishes them in order.

Two steps per round, for each subgraph's outbox (models/outbox.py):

1. **Number** up to BATCH unnumbered rows in one transaction: the channel's ``OutboxSequence``
   row is read ``FOR UPDATE``, so numbering transactions of all replicas commit in number order.
2. **Publish** numbered, unpublished rows in number order, then mark them published.

At least once: a crash between publishing and marking publishes again, and subscribers drop
the repeat by number (realtime/feed.py). Woken right after a mutation commits (``wake``), and
polls anyway, so rows left by a process that died go out too. Published rows are kept for the
replay window (``retention``), then pruned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from itertools import groupby

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from models.outbox import OutboxEventBase
from observability.metrics import EVENTS_PUBLISHED, record_outbox_flush
from realtime.broker import Broker
from realtime.events import Event, recorded_at
from realtime.tasks import cancel
from security.outage import DATABASE, unavailable

log = logging.getLogger(__name__)

BATCH = 500
PRUNE_EVERY = timedelta(minutes=10)


def event_of(row: OutboxEventBase) -> Event:
    return Event(
        id=row.id,
        type=row.type,
        occurred_at=row.occurred_at,
        tenant_id=row.tenant_id,
        scope=row.scope,
        payload=row.payload,
        seq=row.seq,
    )


def outbox_of(channel: str) -> type[OutboxEventBase]:
    """A channel's events live in the outbox of the subgraph its name starts with
    ("operations.alerts" → operations)."""
    model = Tortoise.apps[channel.split(".", 1)[0]]["OutboxEvent"]
    assert issubclass(model, OutboxEventBase)
    return model


class OutboxRelay:
    def __init__(
        self, broker: Broker, poll_seconds: float = 1.0, retention: timedelta = timedelta(hours=24)
    ) -> None:
        self._broker = broker
        self._poll_seconds = poll_seconds
        self._retention = retention
        self._models: list[type[OutboxEventBase]] = []
        self._wake = asyncio.Event()
        self._woken_for: set[str] = set()  # app labels whose outboxes have new rows
        self._task: asyncio.Task[None] | None = None

    def start(self, models: list[type[OutboxEventBase]]) -> None:
        self._models = models
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        await cancel(self._task)

    def wake(self, apps: set[str]) -> None:
        """Flush these subgraphs' outboxes now (the others wait for the next poll)."""
        self._woken_for |= apps
        self._wake.set()

    async def _run(self) -> None:
        last_prune = datetime.now(UTC)
        while True:
            polled = True
            # asyncio.timeout, not wait_for: Python 3.11's wait_for returns the awaited result
            # when it and a cancellation arrive together (gh-86296), and a relay woken as it was
            # stopped would run on, stop() waiting for it for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()
                polled = False
            self._wake.clear()
            apps, self._woken_for = self._woken_for, set()
            for model in self._models if polled else [m for m in self._models if m._meta.app in apps]:
                try:
                    while await self.flush(model) == BATCH:
                        pass
                    DATABASE.ok()  # the relay polls every second: it notices the database is back
                except Exception as error:  # the broker or the database is down: try again next round
                    if unavailable(error) is None:  # an outage is logged once (security/outage.py)
                        log.exception("outbox relay: %s not flushed, retrying", model._meta.db_table)
            if datetime.now(UTC) - last_prune > PRUNE_EVERY:
                last_prune = datetime.now(UTC)
                for model in self._models:
                    try:
                        await model.filter(published_at__lt=last_prune - self._retention).delete()
                    except Exception as error:  # the database is down: prune next time
                        if unavailable(error) is None:
                            log.exception("outbox relay: %s not pruned", model._meta.db_table)

    async def flush(self, model: type[OutboxEventBase]) -> int:
        """Number and publish up to BATCH rows of one outbox; returns how many were published."""
        await self.number(model)
        rows = await model.filter(published_at=None, seq__not_isnull=True).order_by("seq").limit(BATCH)
        for row in rows:
            await self._broker.publish(row.channel, event_of(row))
            EVENTS_PUBLISHED.labels(row.channel).inc()
        if rows:
            await model.filter(id__in=[row.id for row in rows]).update(published_at=datetime.now(UTC))
        oldest = min((recorded_at(row.id) for row in rows), default=None)
        record_outbox_flush(model._meta.app or model._meta.db_table, oldest)  # outbox lag
        return len(rows)

    async def number(self, model: type[OutboxEventBase]) -> None:
        sequence = Tortoise.apps[model._meta.app]["OutboxSequence"]
        async with in_transaction(model._meta.default_connection):
            rows = await (
                model.filter(seq=None).order_by("id").limit(BATCH).select_for_update(skip_locked=True)
            )
            numbered: list[OutboxEventBase] = []
            for channel, group in groupby(sorted(rows, key=lambda r: (r.channel, r.id)), lambda r: r.channel):
                await sequence.get_or_create(channel=channel)
                counter = await sequence.filter(channel=channel).select_for_update().get()
                for row in group:
                    counter.last_seq += 1
                    row.seq = counter.last_seq
                    numbered.append(row)
                await counter.save(update_fields=["last_seq"])
            if numbered:
                await model.bulk_update(numbered, fields=["seq"])
