"""The event envelope every stream carries."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def new_event_id() -> str:
    """Time-ordered id: 48-bit milliseconds + 80 random bits, as 32 hex digits
    (the UUIDv7 layout, minus version bits), so ids sort by time."""
    millis = time.time_ns() // 1_000_000
    return f"{millis:012x}{os.urandom(10).hex()}"


@dataclass(frozen=True)
class Event:
    type: str  # e.g. "reminder.created", "need.grabbed"
    payload: dict[str, Any]  # a JSON snapshot of the entity
    tenant_id: str | None = None
    scope: dict[str, Any] = field(default_factory=dict)  # keys subscribers filter on
    id: str = field(default_factory=new_event_id)
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Event:
        return cls(**json.loads(text))
