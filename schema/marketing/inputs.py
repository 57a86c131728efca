"""Input types of the marketing schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from schema.marketing.enums import FollowUpChannel


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"


@strawberry.input(description="营销二维码")
class CreateQrCodeInput:
    product_name: str
    label: str
    org_id: strawberry.ID | None = strawberry.field(default=None, description="默认: my own org")
    manager_id: strawberry.ID | None = strawberry.field(
        default=None, description="归属客户经理: its opportunities go to them, not to the pool"
    )


@strawberry.input(description="跟进")
class FollowUpInput:
    opportunity_id: strawberry.ID
    channel: FollowUpChannel
    note: str
    next_on: date | None = None
    idempotency_key: str | None = None


@strawberry.input(description="转化")
class ConvertOpportunityInput:
    opportunity_id: strawberry.ID
    amount: Decimal
    product_name: str = ""


@strawberry.input(description="商机统计筛选")
class ConversionFilter:
    org_id: strawberry.ID | None = None
    manager_id: strawberry.ID | None = None
    since: date | None = None
    until: date | None = None
