"""Finance marketplace types: institutions, products (金融超市), financing needs (融资需求),
and the operations ``User``/``Org`` and customers ``Customer`` extended with them.

Relations resolve through ``info.context.loaders`` (resolvers/finance/dataloaders.py).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from models.finance import GuaranteeMethod, InstitutionKind, NeedStatus, ProductStatus
from schema.common.connection import Connection
from schema.common.events import StreamEvent
from schema.common.federation import entity
from schema.common.pii import sensitive
from schema.common.scalars import parse_id
from security.masking import PiiKind

InstitutionKindEnum = strawberry.enum(InstitutionKind, name="InstitutionKind", description="金融机构类型")
GuaranteeMethodEnum = strawberry.enum(GuaranteeMethod, name="GuaranteeMethod", description="担保方式")
ProductStatusEnum = strawberry.enum(ProductStatus, name="ProductStatus")
NeedStatusEnum = strawberry.enum(NeedStatus, name="NeedStatus", description="融资需求状态")


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; finance adds the institution an org is."""

    id: strawberry.ID

    @strawberry.field(description="该机构在金融超市中的机构档案")
    async def institution(self, info: strawberry.Info) -> Institution | None:
        return await info.context.loaders.institution_of_org.load(parse_id(self.id))


@strawberry.federation.type(keys=["id"])
class User:
    """Owned by operations; finance adds the needs an account manager grabbed (抢单)."""

    id: strawberry.ID

    @strawberry.field(description="我抢到的融资需求")
    async def grabs(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[FinancingNeed]:
        return await info.context.loaders.needs_grabbed_by(first, after).load(parse_id(self.id))


@strawberry.federation.type(keys=["id"])
class Customer:
    """Owned by customers; finance adds the financing needs the customer posted."""

    id: strawberry.ID

    @strawberry.field(description="融资需求")
    async def financing_needs(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[FinancingNeed]:
        return await info.context.loaders.needs_of_applicant(first, after).load(parse_id(self.id))


@strawberry.federation.type(keys=["id"], description="金融机构")
class Institution:
    id: strawberry.ID
    name: str
    kind: InstitutionKindEnum
    certified: bool = strawberry.field(description="平台认证")

    @strawberry.field
    def org(self) -> Org:
        return Org(id=self.org_id)  # type: ignore[attr-defined]

    @strawberry.field(description="产品")
    async def products(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[FinancialProduct]:
        return await info.context.loaders.products_of_institution(first, after).load(self.id)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Institution | None:
        return entity(cls, await info.context.loaders.institution.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="金融产品")
class FinancialProduct:
    id: strawberry.ID
    name: str
    guarantee_method: GuaranteeMethodEnum
    min_amount: Decimal
    max_amount: Decimal
    rate_min: Decimal = strawberry.field(description="年化利率下限 %")
    rate_max: Decimal = strawberry.field(description="年化利率上限 %")
    term_months: int
    status: ProductStatusEnum

    @strawberry.field
    async def institution(self, info: strawberry.Info) -> Institution:
        return await info.context.loaders.institution.load(self.institution_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> FinancialProduct | None:
        return entity(cls, await info.context.loaders.product.load(parse_id(id)))


async def _grabbed_by_me(need: Any, info: strawberry.Info) -> bool:
    return need.grabbed_by_id == info.context.require_principal().user_id


@strawberry.federation.type(keys=["id"], description="融资需求")
class FinancingNeed:
    id: strawberry.ID
    amount: Decimal
    term_months: int
    purpose: str
    region: str
    industry: str
    status: NeedStatusEnum
    grabbed_at: datetime | None
    created_at: datetime
    contact_name: str | None = sensitive(PiiKind.NAME, _grabbed_by_me, "联系人: full only to the grabber")
    contact_phone: str | None = sensitive(PiiKind.PHONE, _grabbed_by_me, "联系电话: full only to the grabber")

    @strawberry.field(description="申请人")
    def applicant(self) -> Customer:
        return Customer(id=self.applicant_id)  # type: ignore[attr-defined]

    @strawberry.field(description="抢单人")
    def grabbed_by(self) -> User | None:
        grabber_id = self.grabbed_by_id  # type: ignore[attr-defined]
        return User(id=grabber_id) if grabber_id else None

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> FinancingNeed | None:
        return entity(cls, await info.context.loaders.need.load(parse_id(id)))


@strawberry.enum(description="抢单池事件")
class GrabPoolEventKind(Enum):
    NEW = "NEW"  # a need entered the pool
    GRABBED = "GRABBED"  # taken: remove it from every other list at once


@strawberry.type(description="抢单池事件")
class GrabPoolEvent(StreamEvent):
    kind: GrabPoolEventKind
    need: FinancingNeed
