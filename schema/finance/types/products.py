"""金融超市: products and their rating."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from models import finance as rows
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.finance.context import Info
from schema.finance.enums import GuaranteeMethod, LoanMethod, ProductStatus

if TYPE_CHECKING:
    from schema.finance.types.institutions import Institution

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.types.institutions")]


@strawberry.federation.type(keys=["id"], description="金融产品")
class FinancialProduct:
    id: strawberry.ID
    name: str
    product_type: str = strawberry.field(description="产品类型")
    logo_url: str
    description: str
    guarantee_method: GuaranteeMethod
    loan_method: LoanMethod
    min_amount: Decimal
    max_amount: Decimal
    rate_min: Decimal = strawberry.field(description="年化利率下限 %")
    rate_max: Decimal = strawberry.field(description="年化利率上限 %")
    term_months: int = strawberry.field(description="最长期限 (月)")
    status: ProductStatus
    review_comment: str = strawberry.field(description="审核意见")
    reviewed_at: datetime | None
    rating: Decimal = strawberry.field(description="综合评分 0–100: orders the listing")
    loans_count: int = strawberry.field(description="放款笔数")
    approvals_count: int = strawberry.field(description="授信笔数")

    @strawberry.field(description="用户评价 (平均星级, 1–5)")
    @staticmethod
    def feedback_score(parent: strawberry.Parent[rows.FinancialProduct]) -> Decimal | None:
        count = parent.feedback_count
        return (Decimal(parent.feedback_total) / count).quantize(Decimal("0.01")) if count else None

    @strawberry.field
    @staticmethod
    async def institution(parent: strawberry.Parent[rows.FinancialProduct], info: Info) -> _Institution:
        return cast("Institution", await info.context.loaders.institution.load(parent.institution_id))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> FinancialProduct | None:
        return entity(cls, await info.context.loaders.product.load(parse_id(id)))
