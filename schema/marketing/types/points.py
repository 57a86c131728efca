"""Marketing types: the points ledger (积分) shown in the customer 360's marketing block."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.marketing.enums import PointsKind


@strawberry.type(description="积分流水")
class PointsEntry:
    id: strawberry.ID
    kind: PointsKind
    amount: int = strawberry.field(description="signed: > 0 earned, < 0 spent")
    reason: str
    created_at: datetime


@strawberry.type(description="积分: balance and the latest entries")
class Points:
    balance: int
    entries: list[PointsEntry]
