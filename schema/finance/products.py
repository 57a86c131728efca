"""金融超市: products, their filters and their rating."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.finance import GuaranteeMethod, LoanMethod, ProductStatus
from resolvers.common.values import parse_id
from schema.common.federation import entity
from schema.finance.institutions import InstitutionKindEnum

if TYPE_CHECKING:
    from schema.finance.institutions import Institution

GuaranteeMethodEnum = strawberry.enum(GuaranteeMethod, name="GuaranteeMethod", description="担保方式")
LoanMethodEnum = strawberry.enum(LoanMethod, name="LoanMethod", description="贷款方式")
ProductStatusEnum = strawberry.enum(
    ProductStatus, name="ProductStatus", description="草稿 → 已提交 → 上架 → 下架 → 注销"
)

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.institutions")]


@strawberry.federation.type(keys=["id"], description="金融产品")
class FinancialProduct:
    id: strawberry.ID
    name: str
    product_type: str = strawberry.field(description="产品类型")
    logo_url: str
    description: str
    guarantee_method: GuaranteeMethodEnum
    loan_method: LoanMethodEnum
    min_amount: Decimal
    max_amount: Decimal
    rate_min: Decimal = strawberry.field(description="年化利率下限 %")
    rate_max: Decimal = strawberry.field(description="年化利率上限 %")
    term_months: int = strawberry.field(description="最长期限 (月)")
    status: ProductStatusEnum
    review_comment: str = strawberry.field(description="审核意见")
    reviewed_at: datetime | None
    rating: Decimal = strawberry.field(description="综合评分 0–100: orders the listing")
    loans_count: int = strawberry.field(description="放款笔数")
    approvals_count: int = strawberry.field(description="授信笔数")

    @strawberry.field(description="用户评价 (平均星级, 1–5)")
    def feedback_score(self) -> Decimal | None:
        count = self.feedback_count  # type: ignore[attr-defined]
        return (Decimal(self.feedback_total) / count).quantize(Decimal("0.01")) if count else None  # type: ignore[attr-defined]

    @strawberry.field
    async def institution(self, info: strawberry.Info) -> _Institution:
        return await info.context.loaders.institution.load(self.institution_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> FinancialProduct | None:
        return entity(cls, await info.context.loaders.product.load(parse_id(id)))


@strawberry.input(description="金融超市筛选")
class ProductFilter:
    institution_kind: InstitutionKindEnum | None = None
    guarantee_method: GuaranteeMethodEnum | None = None
    loan_method: LoanMethodEnum | None = None
    amount: Decimal | None = strawberry.field(
        default=None, description="想借的金额: within the product's range"
    )
    max_rate: Decimal | None = strawberry.field(default=None, description="可接受的最高年化利率 %")
    term_months: int | None = strawberry.field(
        default=None, description="想借的期限: the product offers at least this"
    )
    status: ProductStatusEnum | None = strawberry.field(
        default=None, description="默认只列出上架产品; staff may ask for their own in other states"
    )


@strawberry.input
class ProductInput:
    name: str
    guarantee_method: GuaranteeMethodEnum
    min_amount: Decimal
    max_amount: Decimal
    rate_min: Decimal
    rate_max: Decimal
    term_months: int
    loan_method: LoanMethodEnum = LoanMethod.ONE_OFF
    product_type: str = ""
    logo_url: str = ""
    description: str = ""
