"""The event envelope every stream carries."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

_last = [0, 0]  # the last id's (milliseconds, 80-bit tail)
_lock = threading.Lock()


def new_event_id() -> str:
    """Time-ordered id: 48-bit milliseconds + 80 bits, as 32 hex digits (the UUIDv7 layout,
    minus version bits). Monotonic within a process, as ULIDs are: in the same millisecond the
    tail counts up from the last id's instead of being drawn anew, so ids sort in the order
    they were made."""
    with _lock:
        millis = max(time.time_ns() // 1_000_000, _last[0])
        tail = _last[1] + 1 if millis == _last[0] else int.from_bytes(os.urandom(10), "big") >> 1
        if tail >= 1 << 80:  # the tail ran out within one millisecond: borrow the next one
            millis, tail = millis + 1, int.from_bytes(os.urandom(10), "big") >> 1
        _last[0], _last[1] = millis, tail
    return f"{millis:012x}{tail:020x}"


def recorded_at(event_id: str) -> float:
    """When an event was recorded, in Unix seconds: its id's first 48 bits (``new_event_id``)."""
    return int(event_id[:12], 16) / 1000


@dataclass(frozen=True)
class Event:
    type: str  # e.g. "reminder.created", "need.grabbed"
    payload: dict[str, Any]  # a JSON snapshot of the entity
    tenant_id: str | None = None
    scope: dict[str, Any] = field(default_factory=dict)  # keys subscribers filter on
    id: str = field(default_factory=new_event_id)
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    seq: int | None = None  # position in its channel's stream, given by the outbox relay

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Event:
        return cls(**json.loads(text))
