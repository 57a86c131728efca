"""Finance mutations: publish a need, grab it (抢单)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import strawberry
from tortoise.transactions import in_transaction

from models.finance import FinancingNeed as NeedModel
from models.finance import NeedStatus
from realtime.broker import GRAB_POOL
from resolvers.common import audit
from resolvers.common.events import publish
from schema.common.errors import bad_input, conflict, forbidden, not_found
from schema.common.scalars import parse_id
from schema.finance.types import FinancingNeed
from security.roles import Role
from security.scopes import need_scope


@strawberry.input
class PublishNeedInput:
    applicant_id: strawberry.ID
    amount: Decimal
    term_months: int
    purpose: str
    region: str = ""
    industry: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(description="发布融资需求", authenticated=True)
    async def publish_need(self, info: strawberry.Info, input: PublishNeedInput) -> FinancingNeed:
        principal = info.context.require_principal()
        if need_scope(principal).is_nothing:
            raise forbidden("无权发布融资需求 (your role cannot publish needs)")
        if input.amount <= 0:
            raise bad_input("amount must be positive")
        if not 1 <= input.term_months <= 360:
            raise bad_input("termMonths must be between 1 and 360")
        if not input.purpose.strip():
            raise bad_input("purpose must not be empty")
        async with in_transaction("finance"):
            need = await NeedModel.create(
                applicant_id=parse_id(input.applicant_id, "applicantId"),
                tenant_id=principal.tenant_id,
                amount=input.amount,
                term_months=input.term_months,
                purpose=input.purpose.strip(),
                region=input.region,
                industry=input.industry,
                contact_name=input.contact_name.strip(),
                contact_phone=input.contact_phone.strip(),
            )
            await audit.record(info, target=audit.Target("FinancingNeed", need.id))
            await publish(info, GRAB_POOL, "need.published", need, tenant_id=need.tenant_id)
        return need

    @strawberry.federation.mutation(
        description="抢单: the first grab wins, every later one gets CONFLICT",
        # The gateway refuses other roles before any subgraph is asked; the resolver checks again.
        requires_scopes=[["FI_ACCOUNT_MANAGER"]],
    )
    async def grab_need(self, info: strawberry.Info, id: strawberry.ID) -> FinancingNeed:
        principal = info.context.require_principal()
        if not principal.has_role(Role.FI_ACCOUNT_MANAGER) or principal.institution_id is None:
            raise forbidden("只有金融机构客户经理可以抢单 (only institution account managers grab)")
        need_id = parse_id(id)
        target = audit.Target("FinancingNeed", need_id)
        audit.target(info, target)  # so a lost grab (CONFLICT) is recorded against the need
        async with in_transaction("finance"):
            # One conditional UPDATE decides the race: only a row still OPEN changes.
            won = await NeedModel.filter(id=need_id, status=NeedStatus.OPEN).update(
                status=NeedStatus.GRABBED,
                grabbed_by_id=principal.user_id,
                grabbed_institution_id=principal.institution_id,
                grabbed_at=datetime.now(UTC),
            )
            # Unscoped on purpose: every institution saw the need in the open pool, so a loser
            # learns only what the pool showed — that it is gone.
            need = await NeedModel.get_or_none(id=need_id)
            if need is not None and (won or need.grabbed_by_id == principal.user_id):
                await audit.record(info, target=target, detail={} if won else {"repeated": True})
            if won and need is not None:
                await publish(info, GRAB_POOL, "need.grabbed", need, tenant_id=need.tenant_id)
        if need is None:
            raise not_found("financing need")
        if not won:
            if need.grabbed_by_id == principal.user_id:
                return need  # a repeated submission of the winner's own grab is safe
            raise conflict("该需求已被抢单 (already grabbed)")
        return need
