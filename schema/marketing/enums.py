"""Every enum of the marketing schema, registered once: the models' enums are the GraphQL enums."""

from __future__ import annotations

import strawberry

from models.customers import CustomerTier
from models.marketing import OpportunityStatus

strawberry.enum(OpportunityStatus, name="OpportunityStatus", description="商机状态")

strawberry.enum(CustomerTier, name="CustomerTier", description="客户分层")

__all__ = ["CustomerTier", "OpportunityStatus"]
