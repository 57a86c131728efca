"""Every enum of the finance schema, registered once. Most are the models' own enums (a value
read from a row is already the GraphQL value); the statistics and stream enums exist only here."""

from __future__ import annotations

from enum import Enum

import strawberry

from models.finance import (
    ActionKind,
    ApplicationStatus,
    ComplaintKind,
    ComplaintStatus,
    GuaranteeMethod,
    HandlingStatus,
    InstitutionKind,
    LoanMethod,
    NeedStatus,
    OfferStatus,
    OrderKind,
    ProductStatus,
    ReviewVerdict,
    RiskKind,
    WarningKind,
)

InstitutionKindEnum = strawberry.enum(InstitutionKind, name="InstitutionKind", description="金融机构类型")
GuaranteeMethodEnum = strawberry.enum(GuaranteeMethod, name="GuaranteeMethod", description="担保方式")
LoanMethodEnum = strawberry.enum(LoanMethod, name="LoanMethod", description="贷款方式")
ProductStatusEnum = strawberry.enum(
    ProductStatus, name="ProductStatus", description="草稿 → 已提交 → 上架 → 下架 → 注销"
)
OrderKindEnum = strawberry.enum(OrderKind, name="OrderKind", description="订单类型")
ApplicationStatusEnum = strawberry.enum(
    ApplicationStatus, name="ApplicationStatus", description="产品申请状态"
)
NeedStatusEnum = strawberry.enum(NeedStatus, name="NeedStatus", description="融资需求状态")
HandlingStatusEnum = strawberry.enum(HandlingStatus, name="HandlingStatus", description="受理状态")
OfferStatusEnum = strawberry.enum(OfferStatus, name="OfferStatus")
WarningKindEnum = strawberry.enum(WarningKind, name="WarningKind", description="督办预警类型")
ActionKindEnum = strawberry.enum(ActionKind, name="SupervisionActionKind", description="督办动作")
RiskKindEnum = strawberry.enum(RiskKind, name="RiskKind", description="风险提示类型")
ComplaintKindEnum = strawberry.enum(ComplaintKind, name="ComplaintKind", description="投诉类型")
ComplaintStatusEnum = strawberry.enum(
    ComplaintStatus, name="ComplaintStatus", description="投诉状态: 待处理 → 机构已处理 → 监管已复核"
)
ReviewVerdictEnum = strawberry.enum(
    ReviewVerdict, name="ReviewVerdict", description="复核结论: 投诉成立 / 投诉不成立"
)


@strawberry.enum(description="统计周期")
class StatisticsPeriod(Enum):
    WEEK = strawberry.enum_value("WEEK", description="按周 (周一起, 北京时间)")
    MONTH = strawberry.enum_value("MONTH", description="按月 (自然月)")


@strawberry.enum(description="统计维度")
class StatisticsGroup(Enum):
    INSTITUTION = strawberry.enum_value("INSTITUTION", description="按金融机构")
    PRODUCT = strawberry.enum_value(
        "PRODUCT", description="按金融产品 (融资需求不属于任何产品, 按机构单列一行, 产品为空)"
    )


@strawberry.enum(description="抢单池事件")
class GrabPoolEventKind(Enum):
    NEW = "NEW"  # entered the pool (posted, republished)
    GRABBED = "GRABBED"  # an institution took it: gone from that institution's list, and from all once full
    WITHDRAWN = "WITHDRAWN"  # the applicant withdrew it
    TRANSFERRED = "TRANSFERRED"  # 转单: new in the receiving institution's pool, gone from the other's
    CLOSED = "CLOSED"  # the applicant picked an offer: gone from every pool


@strawberry.enum(description="订单进度")
class MyOrderEventKind(Enum):
    SUBMITTED = "SUBMITTED"  # 已提交
    VIEWED = "VIEWED"  # 机构已查看
    GRABBED = "GRABBED"  # 机构受理中
    PRE_REVIEWED = "PRE_REVIEWED"  # 初审通过
    OFFERED = "OFFERED"  # 收到预授信
    SELECTED = "SELECTED"  # 已选定机构
    CREDITED = "CREDITED"  # 已授信
    CREDIT_FAILED = "CREDIT_FAILED"  # 授信失败: may republish
    DISBURSED = "DISBURSED"  # 已放款
    REJECTED = "REJECTED"  # 未通过
    WITHDRAWN = "WITHDRAWN"  # 已撤回
    TRANSFERRED = "TRANSFERRED"  # 已转单
