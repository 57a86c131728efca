"""What every live-stream event carries besides its entity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry


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
