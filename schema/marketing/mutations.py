"""Every root mutation of the marketing subgraph: parse, call resolvers/marketing, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing import pool, scan
from resolvers.marketing.opportunities import create_opportunity
from schema.marketing.context import Info
from schema.marketing.inputs import (
    ConvertOpportunityInput,
    CreateOpportunityInput,
    CreateQrCodeInput,
    FollowUpInput,
)
from schema.marketing.types.opportunities import FollowUp, Opportunity, QrCode


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="登记商机", authenticated=True)
    async def create_opportunity(self, info: Info, input: CreateOpportunityInput) -> Opportunity:
        principal = info.context.require_principal()
        customer_id = parse_id(input.customer_id, "customerId")
        opportunity = await create_opportunity(
            principal, customer_id, input.title, product_name=input.product_name, source=input.source
        )
        return cast(Opportunity, opportunity)

    # 二维码 / 认领 / 退回 / 跟进 / 转化 / 关闭 (resolvers/marketing/scan.py, pool.py) --

    @strawberry.federation.mutation(description="制作营销二维码 (大众营销)", authenticated=True)
    async def create_qr_code(self, info: Info, input: CreateQrCodeInput) -> QrCode:
        code = await scan.create_qr_code(
            info.context.require_principal(),
            input.product_name,
            input.label,
            org_id=parse_id(input.org_id, "orgId") if input.org_id is not None else None,
            manager_id=parse_id(input.manager_id, "managerId") if input.manager_id is not None else None,
        )
        return cast(QrCode, code)

    @strawberry.federation.mutation(
        description="认领商机: first come first served; the others get CONFLICT (reason ALREADY_CLAIMED)",
        authenticated=True,
    )
    async def claim_opportunity(self, info: Info, id: strawberry.ID) -> Opportunity:
        opportunity = await pool.claim_opportunity(info.context.require_principal(), parse_id(id))
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(description="退回商机池 (claimer or branch head)", authenticated=True)
    async def release_opportunity(self, info: Info, id: strawberry.ID) -> Opportunity:
        opportunity = await pool.release_opportunity(info.context.require_principal(), parse_id(id))
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(description="跟进商机 (claimer)", authenticated=True)
    async def follow_up_opportunity(self, info: Info, input: FollowUpInput) -> FollowUp:
        record = await pool.follow_up(
            info.context.require_principal(),
            parse_id(input.opportunity_id, "opportunityId"),
            input.channel,
            input.note,
            next_on=input.next_on,
            idempotency_key=input.idempotency_key,
        )
        return cast(FollowUp, record)

    @strawberry.federation.mutation(description="转化商机 (claimer)", authenticated=True)
    async def convert_opportunity(self, info: Info, input: ConvertOpportunityInput) -> Opportunity:
        opportunity = await pool.convert_opportunity(
            info.context.require_principal(),
            parse_id(input.opportunity_id, "opportunityId"),
            input.amount,
            input.product_name,
        )
        return cast(Opportunity, opportunity)

    @strawberry.federation.mutation(
        description="关闭商机 (claimer or branch head), with a reason", authenticated=True
    )
    async def close_opportunity(self, info: Info, id: strawberry.ID, reason: str) -> Opportunity:
        opportunity = await pool.close_opportunity(info.context.require_principal(), parse_id(id), reason)
        return cast(Opportunity, opportunity)
