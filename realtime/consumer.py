"""A durable consumer of a stream: a subgraph acting on another subgraph's events (operations
raising alerts from finance's supervision warnings), exactly once in effect.

It resumes after the last event it handled, whose id it stores in its own subgraph's
``ConsumerCursor`` row in the same transaction as what it did with the event, so a restart
neither loses nor repeats an event (within the replay window, ``DCMS_REPLAY_HOURS``). The
stream is read from the producer's outbox (its event log, never its tables), so the consuming
process registers the producer's app too (``consumes`` in subgraphs/<name>.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from tortoise.transactions import in_transaction

from models.outbox import ConsumerCursorBase
from realtime.events import Event
from realtime.feed import SlowConsumer, UnknownCursor
from realtime.hub import Realtime

log = logging.getLogger(__name__)

Handler = Callable[[Event], Awaitable[bool]]  # True when it published something of its own
Before = Callable[[Event], Awaitable[None]]  # outside the transaction (an MQTT publish)


async def consume(
    realtime: Realtime,
    name: str,
    channel: str,
    handle: Handler,
    cursors: type[ConsumerCursorBase],
    before: Before | None = None,
) -> None:
    """Run ``handle`` on every event of ``channel``, forever; each in one transaction with the cursor.
    ``before`` runs first, outside that transaction (work that may wait long, such as sending to a
    broker that is away, must not hold one open); it runs again for an event whose transaction
    did not commit."""
    app = cursors._meta.app
    assert app is not None  # a registered model has its app
    while True:
        row = await cursors.get_or_none(name=name)
        try:
            async for event in realtime.feeds.subscribe(channel, row.event_id if row else None):
                if before is not None:
                    await before(event)
                async with in_transaction(app):
                    published = await handle(event)
                    await cursors.update_or_create({"event_id": event.id}, name=name)
                if published:
                    realtime.relay.wake({app})
        except UnknownCursor:
            log.error("%s: cursor past the replay window, going on from now: events were missed", name)
            await cursors.filter(name=name).delete()
        except SlowConsumer:
            log.warning("%s fell behind: resuming from its cursor", name)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed on an event: retrying from its cursor", name)
            await asyncio.sleep(1)
