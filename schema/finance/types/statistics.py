"""监管统计: marketplace figures per institution / product and per district, by week or month.

The figures are computed in SQL by resolvers/finance/statistics.py (definitions in its
docstring); these types carry one row of the result and resolve the institution and the
product through the request's loaders (one batched statement each)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from resolvers.finance import statistics
from schema.finance.context import Info

if TYPE_CHECKING:
    from schema.finance.types.institutions import Institution
    from schema.finance.types.products import FinancialProduct

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.types.institutions")]
_Product = Annotated["FinancialProduct", strawberry.lazy("schema.finance.types.products")]


@strawberry.type(description="监管统计: 一个统计周期内一家机构 (或一个产品) 的受理情况")
class MarketplaceStatistic:
    period: date = strawberry.field(description="统计周期起始日 (周一或月初)")
    orders: int = strawberry.field(description="订单数: 本周期内到达该机构的受理单数")
    processed: int = strawberry.field(
        description="已处理数: 已完成电话初审 (或已进入初审之后环节) 的受理单数"
    )
    processing_rate: float = strawberry.field(description="处理率 = 已处理数 / 订单数")
    pre_review_pass_rate: float | None = strawberry.field(
        description="初审通过率 = 初审通过数 / 已初审数; 尚无初审时为空"
    )
    applied_amount: Decimal = strawberry.field(description="申请金额合计 (元)")
    credited_amount: Decimal = strawberry.field(description="授信金额合计 (元)")
    disbursed_amount: Decimal = strawberry.field(description="放款金额合计 (元)")
    orders_change: float | None = strawberry.field(
        description="订单数环比: (本期 − 上期) / 上期; 上期为零或无数据时为空"
    )
    applied_amount_change: float | None = strawberry.field(description="申请金额环比; 上期为零或无数据时为空")
    credited_amount_change: float | None = strawberry.field(
        description="授信金额环比; 上期为零或无数据时为空"
    )
    disbursed_amount_change: float | None = strawberry.field(
        description="放款金额环比; 上期为零或无数据时为空"
    )

    @strawberry.field(description="金融机构")
    @staticmethod
    async def institution(
        parent: strawberry.Parent[statistics.MarketplaceStatistic], info: Info
    ) -> _Institution | None:
        return cast("Institution | None", await info.context.loaders.institution.load(parent.institution_id))

    @strawberry.field(description="金融产品 (按产品统计时; 融资需求及按机构统计时为空)")
    @staticmethod
    async def product(
        parent: strawberry.Parent[statistics.MarketplaceStatistic], info: Info
    ) -> _Product | None:
        if parent.product_id is None:
            return None
        return cast("FinancialProduct | None", await info.context.loaders.product.load(parent.product_id))


@strawberry.type(description="区县趋势: 一个统计周期内一个区县的订单与金额")
class DistrictTrend:
    period: date = strawberry.field(description="统计周期起始日 (周一或月初)")
    district: str = strawberry.field(description="区县 (订单所填; 未填为空字符串)")
    orders: int = strawberry.field(description="订单数 (受理单数)")
    applied_amount: Decimal = strawberry.field(description="申请金额合计 (元)")
    disbursed_amount: Decimal = strawberry.field(description="放款金额合计 (元)")
    orders_change: float | None = strawberry.field(
        description="订单数环比: (本期 − 上期) / 上期; 上期为零或无数据时为空"
    )


# 监控大屏 (the monitoring wall)


@strawberry.type(description="今日融资对接: 今日 (北京时间零点至今) 的受理、授信与放款")
class MarketplaceToday:
    day: date = strawberry.field(description="今日 (北京时间)")
    orders: int = strawberry.field(description="今日到达机构的受理单数")
    applied_amount: Decimal = strawberry.field(description="其申请金额合计 (元)")
    credits: int = strawberry.field(description="今日授信的受理单数")
    credited_amount: Decimal = strawberry.field(description="今日授信金额合计 (元)")
    disbursements: int = strawberry.field(description="今日放款的受理单数")
    disbursed_amount: Decimal = strawberry.field(description="今日放款金额合计 (元)")
