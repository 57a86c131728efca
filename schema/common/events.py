"""What every live-stream event carries besides its entity, and waking the relay after an operation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension

from resolvers.common.events import recorded_outboxes


@strawberry.type
class StreamEvent:
    event_id: strawberry.ID = strawberry.field(
        description="事件编号: pass the last one received as `after` to resume after it"
    )
    occurred_at: datetime

    @staticmethod
    def stamp(event_id: str, occurred_at: str) -> dict[str, Any]:
        """The envelope's fields as keyword arguments for a subclass."""
        return {"event_id": strawberry.ID(event_id), "occurred_at": datetime.fromisoformat(occurred_at)}


AFTER = "最后收到的 eventId: first replays the events after it (kept 24 h by default), then goes live"


class WakeRelay(SchemaExtension):
    """After an operation whose functions recorded events (their transactions have committed by
    then), wake the outbox relay so the events go out now rather than at its next poll."""

    def on_execute(self) -> Iterator[None]:
        recorded: set[str] = set()
        token = recorded_outboxes.set(recorded)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):  # a subscription may end in another context
                recorded_outboxes.reset(token)
        if recorded:
            self.execution_context.context.realtime.relay.wake(recorded)
