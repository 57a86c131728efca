"""金融机构: institutions, their SLA thresholds, WeChat bindings, and the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from models import finance as rows
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.federation import entity
from schema.finance.context import Info
from schema.finance.enums import InstitutionKind
from schema.finance.federation import Org, User

if TYPE_CHECKING:
    from schema.finance.types.products import FinancialProduct

_Product = Annotated["FinancialProduct", strawberry.lazy("schema.finance.types.products")]


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
    kind: InstitutionKind
    district: str = strawberry.field(description="所在区县")
    certified: bool = strawberry.field(description="平台认证: needed to list products and grab orders")
    certified_at: datetime | None

    @strawberry.field
    @staticmethod
    def org(parent: strawberry.Parent[rows.Institution]) -> Org:
        return Org(id=strawberry.ID(str(parent.org_id)))

    @strawberry.field(description="时限阈值")
    @staticmethod
    async def sla_policy(parent: strawberry.Parent[rows.Institution], info: Info) -> SlaPolicy:
        return cast(SlaPolicy, await info.context.loaders.sla_policy.load(parent.id))

    @strawberry.field(description="产品")
    @staticmethod
    async def products(
        parent: strawberry.Parent[rows.Institution], info: Info, first: int = 20, after: str | None = None
    ) -> Connection[_Product]:
        page = await info.context.loaders.products_of_institution(first, after).load(parent.id)
        return cast(Connection[_Product], page)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Institution | None:
        return entity(cls, await info.context.loaders.institution.load(parse_id(id)))


@strawberry.type(description="微信绑定记录")
class WechatBinding:
    id: strawberry.ID
    open_id: str
    created_at: datetime
    unbound_at: datetime | None

    @strawberry.field
    @staticmethod
    def user(parent: strawberry.Parent[rows.WechatBinding]) -> User:
        return User(id=strawberry.ID(str(parent.user_id)))


@strawberry.type(name="CalendarDay", description="工作日历中的特殊日期: a holiday or a make-up working day")
class CalendarDay:
    day: date
    workday: bool
    name: str
