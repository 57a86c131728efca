"""金融超市 products and their lifecycle."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import Entity
from models.finance.institutions import Institution


class GuaranteeMethod(StrEnum):
    CREDIT = "CREDIT"  # 信用
    MORTGAGE = "MORTGAGE"  # 抵押
    GUARANTEE = "GUARANTEE"  # 担保


class LoanMethod(StrEnum):
    """贷款方式."""

    ONE_OFF = "ONE_OFF"  # 一次性放款
    REVOLVING = "REVOLVING"  # 循环额度
    INSTALLMENT = "INSTALLMENT"  # 分期放款


class ProductStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    SUBMITTED = "SUBMITTED"  # 已提交, awaiting review
    LISTED = "LISTED"  # 审核通过并上架
    DELISTED = "DELISTED"  # 下架
    DEREGISTERED = "DEREGISTERED"  # 注销 (final)


class FinancialProduct(Entity):
    """金融超市 product."""

    institution_id: UUID  # the column behind ``institution`` (for the type checker)
    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "finance.Institution", related_name="products", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    product_type = fields.CharField(max_length=30, default="")  # 产品类型: 经营贷, 消费贷, 农户贷 …
    logo_url = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    guarantee_method = fields.CharEnumField(GuaranteeMethod, max_length=10)
    loan_method = fields.CharEnumField(LoanMethod, max_length=12, default=LoanMethod.ONE_OFF)
    min_amount = fields.DecimalField(max_digits=16, decimal_places=2)
    max_amount = fields.DecimalField(max_digits=16, decimal_places=2)
    rate_min = fields.DecimalField(max_digits=6, decimal_places=3)  # annual %, e.g. 3.850
    rate_max = fields.DecimalField(max_digits=6, decimal_places=3)
    term_months = fields.IntField()  # the longest term offered
    status = fields.CharEnumField(ProductStatus, max_length=14, default=ProductStatus.DRAFT, db_index=True)
    review_comment = fields.CharField(max_length=200, default="")
    reviewed_by_id = fields.UUIDField(null=True)  # operations User (OPERATOR or REGULATOR)
    reviewed_at = fields.DatetimeField(null=True)
    # 综合评分 (0–100), kept by resolvers/finance/rating.py from the figures below; orders listings.
    rating = fields.DecimalField(max_digits=5, decimal_places=2, default=0, db_index=True)
    applications_count = fields.IntField(default=0)  # decided applications (credited or rejected)
    approvals_count = fields.IntField(default=0)  # of those, credited
    loans_count = fields.IntField(default=0)  # disbursed
    credited_total = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    feedback_count = fields.IntField(default=0)
    feedback_total = fields.IntField(default=0)  # sum of 1–5 stars

    class Meta:
        table = "financial_product"
