"""The platform's clock: now, and the time zone staff see dates, deadlines and statistics in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")  # China Standard Time


def now() -> datetime:
    return datetime.now(UTC)
