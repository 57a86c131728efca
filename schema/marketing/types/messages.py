"""Marketing types: the in-app inbox (站内信) with read receipts."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.marketing import InboxMessage as InboxRow


@strawberry.type(description="站内信 (only its recipient reads it)")
class InboxMessage:
    id: strawberry.ID
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None = strawberry.field(description="已读回执: when the recipient read it")

    @strawberry.field(
        description="the customer it is about (resolve it through customers, with your own rights)"
    )
    @staticmethod
    def customer_id(parent: strawberry.Parent[InboxRow]) -> strawberry.ID | None:
        return strawberry.ID(str(parent.customer_id)) if parent.customer_id else None

    @strawberry.field(description="the campaign it comes from")
    @staticmethod
    def campaign_id(parent: strawberry.Parent[InboxRow]) -> strawberry.ID | None:
        return strawberry.ID(str(parent.campaign_id)) if parent.campaign_id else None
