"""Input types of the marketing schema."""

from __future__ import annotations

import strawberry


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"
