"""Finance root queries."""

from __future__ import annotations

import strawberry

from models.finance import FinancialProduct as ProductModel
from models.finance import FinancingNeed as NeedModel
from models.finance import Institution as InstitutionModel
from models.finance import NeedStatus, ProductStatus
from resolvers.common.pagination import paginate
from schema.common.connection import Connection
from schema.common.scalars import parse_id
from schema.finance.types import FinancialProduct, FinancingNeed, Institution, NeedStatusEnum
from security.scopes import institution_scope, need_scope, product_scope


@strawberry.type
class Query:
    @strawberry.field(description="金融机构")
    async def institutions(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Institution]:
        return await paginate(info.context.scoped(InstitutionModel, institution_scope), first, after)

    @strawberry.field(description="金融超市: listed products")
    async def financial_products(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[FinancialProduct]:
        listed = info.context.scoped(ProductModel, product_scope).filter(status=ProductStatus.LISTED)
        return await paginate(listed, first, after)

    @strawberry.field(description="融资需求列表")
    async def financing_needs(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        status: NeedStatusEnum | None = None,
    ) -> Connection[FinancingNeed]:
        queryset = info.context.scoped(NeedModel, need_scope)
        if status is not None:
            queryset = queryset.filter(status=NeedStatus(status))
        return await paginate(queryset, first, after)

    @strawberry.field
    async def financing_need(self, info: strawberry.Info, id: strawberry.ID) -> FinancingNeed | None:
        return await info.context.loaders.need.load(parse_id(id))
