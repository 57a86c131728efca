"""Every input type of the finance schema. A root field hands an input to its domain function
as plain values (``**vars(input)`` into the function's request dataclass)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from resolvers.finance.complaints import CONTENT_MIN, TEXT_MAX
from schema.finance.enums import (
    ComplaintKind,
    GuaranteeMethod,
    HandlingStatus,
    InstitutionKind,
    LoanMethod,
    OrderKind,
    ProductStatus,
)


@strawberry.input(description="金融超市筛选")
class ProductFilter:
    institution_kind: InstitutionKind | None = None
    guarantee_method: GuaranteeMethod | None = None
    loan_method: LoanMethod | None = None
    amount: Decimal | None = strawberry.field(
        default=None, description="想借的金额: within the product's range"
    )
    max_rate: Decimal | None = strawberry.field(default=None, description="可接受的最高年化利率 %")
    term_months: int | None = strawberry.field(
        default=None, description="想借的期限: the product offers at least this"
    )
    status: ProductStatus | None = strawberry.field(
        default=None, description="默认只列出上架产品; staff may ask for their own in other states"
    )


@strawberry.input
class ProductInput:
    name: str
    guarantee_method: GuaranteeMethod
    min_amount: Decimal
    max_amount: Decimal
    rate_min: Decimal
    rate_max: Decimal
    term_months: int
    loan_method: LoanMethod = LoanMethod.ONE_OFF
    product_type: str = ""
    logo_url: str = ""
    description: str = ""


@strawberry.input(description="时限阈值")
class SlaPolicyInput:
    pre_review_hours: int
    credit_hours: int
    disbursement_hours: int
    credit_loan_days: int = strawberry.field(description="1–3 working days")
    other_loan_days: int = strawberry.field(description="7–13 working days")


@strawberry.input(description="抢单池筛选")
class GrabPoolFilter:
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    region: str | None = strawberry.field(default=None, description="区县")
    industry: str | None = None
    order_kind: OrderKind | None = strawberry.field(
        default=None, description="only needs, or only applications"
    )


@strawberry.input(description="受理单筛选")
class HandlingFilter:
    status: HandlingStatus | None = None
    overdue: bool | None = strawberry.field(default=None, description="只看已超时的 / 未超时的")
    institution_id: strawberry.ID | None = None
    order_no: str | None = None
    mine: bool | None = strawberry.field(default=None, description="只看我受理的 (the ones I work)")


@strawberry.input(description="产品申请")
class ApplyInput:
    product_id: strawberry.ID
    amount: Decimal
    term_months: int
    purpose: str
    consent: bool = strawberry.field(description="授权平台及机构使用申请数据 (required)")
    applicant_name: str
    id_number: str = strawberry.field(description="身份证号 / 统一社会信用代码")
    contact_phone: str
    project: str = ""
    district: str = ""
    applicant_id: strawberry.ID | None = strawberry.field(default=None, description="客户 (when known)")


@strawberry.input(description="融资需求")
class PublishNeedInput:
    amount: Decimal
    term_months: int
    purpose: str
    applicant_id: strawberry.ID | None = None
    project: str = ""
    loan_preference: GuaranteeMethod | None = None
    expected_rate: Decimal | None = None
    region: str = ""
    industry: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@strawberry.input(description="预授信")
class OfferInput:
    amount: Decimal
    rate: Decimal = strawberry.field(description="年化利率 %")
    term_months: int
    valid_until: date
    note: str = ""


@strawberry.input(description="授信")
class CreditInput:
    amount: Decimal
    rate: Decimal = strawberry.field(description="年化利率 %")
    guarantor_name: str = strawberry.field(default="", description="担保人 (required for guaranteed loans)")
    guarantor_id_number: str = ""
    guarantor_phone: str = ""


@strawberry.input(description="提交投诉")
class SubmitComplaintInput:
    handling_id: strawberry.ID = strawberry.field(description="被投诉的受理单 (must be the caller's own)")
    kind: ComplaintKind = strawberry.field(description="投诉类型")
    content: str = strawberry.field(description=f"投诉内容 ({CONTENT_MIN}–{TEXT_MAX} 字)")
