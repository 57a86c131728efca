"""Every enum of the marketing schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.marketing import OpportunityStatus

strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")

__all__ = ["OpportunityStatus"]
