"""潜在客户 (prospects). Rules: resolvers/customers/prospects.py."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

import models.customers as rows
from schema.common.pii import sensitive
from schema.customers.context import Info
from schema.customers.enums import ProspectStatus
from security.masking import PiiKind


async def _keeps(prospect: rows.Prospect, info: Info) -> bool:
    return prospect.manager_id == info.context.require_principal().user_id


@strawberry.type(description="潜在客户")
class Prospect:
    id: strawberry.ID
    name: str
    corporate: bool = strawberry.field(description="对公 (else 零售)")
    source: str = strawberry.field(description="来源")
    note: str
    next_contact_on: date | None = strawberry.field(description="下次联系日期")
    status: ProspectStatus
    customer_id: strawberry.ID | None = strawberry.field(description="转化后的客户")
    created_at: datetime
    phone: str | None = sensitive(PiiKind.PHONE, _keeps, "手机号: full to the manager keeping the prospect")
