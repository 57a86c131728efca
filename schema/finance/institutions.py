"""金融机构: institutions, their SLA thresholds and WeChat bindings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.finance import InstitutionKind
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.federation import entity
from schema.finance.federation import Org, User

if TYPE_CHECKING:
    from schema.finance.products import FinancialProduct

InstitutionKindEnum = strawberry.enum(InstitutionKind, name="InstitutionKind", description="金融机构类型")

_Product = Annotated["FinancialProduct", strawberry.lazy("schema.finance.products")]


@strawberry.type(description="时限阈值: hours per stage, working days to finish")
class SlaPolicy:
    pre_review_hours: int = strawberry.field(description="抢单后电话初审时限 (小时)")
    credit_hours: int = strawberry.field(description="初审后授信时限 (小时)")
    disbursement_hours: int = strawberry.field(description="授信后放款时限 (小时)")
    credit_loan_days: int = strawberry.field(description="信用贷款办结时限 (工作日, ≤ 3)")
    other_loan_days: int = strawberry.field(description="抵押/担保贷款办结时限 (工作日, 7–13)")


@strawberry.federation.type(keys=["id"], description="金融机构")
class Institution:
    id: strawberry.ID
    name: str
    kind: InstitutionKindEnum
    district: str = strawberry.field(description="所在区县")
    certified: bool = strawberry.field(description="平台认证: needed to list products and grab orders")
    certified_at: datetime | None

    @strawberry.field
    def org(self) -> Org:
        return Org(id=self.org_id)  # type: ignore[attr-defined]

    @strawberry.field(description="时限阈值")
    async def sla_policy(self, info: strawberry.Info) -> SlaPolicy:
        return await info.context.loaders.sla_policy.load(self.id)

    @strawberry.field(description="产品")
    async def products(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[_Product]:
        return await info.context.loaders.products_of_institution(first, after).load(self.id)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Institution | None:
        return entity(cls, await info.context.loaders.institution.load(parse_id(id)))


@strawberry.type(description="微信绑定记录")
class WechatBinding:
    id: strawberry.ID
    open_id: str
    created_at: datetime
    unbound_at: datetime | None

    @strawberry.field
    def user(self) -> User:
        return User(id=self.user_id)  # type: ignore[attr-defined]
