"""Financial institutions (金融机构), their account managers' WeChat bindings, and their SLA thresholds."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import Entity


class InstitutionKind(StrEnum):
    """The 16 kinds of financial institution on the platform."""

    BANK = "BANK"  # 银行
    GUARANTEE = "GUARANTEE"  # 担保公司
    MICRO_LOAN = "MICRO_LOAN"  # 小额贷款公司
    LEASING = "LEASING"  # 融资租赁
    FACTORING = "FACTORING"  # 商业保理
    TRUST = "TRUST"  # 信托
    INSURANCE = "INSURANCE"  # 保险
    SECURITIES = "SECURITIES"  # 证券
    FUND = "FUND"  # 基金
    FUTURES = "FUTURES"  # 期货
    CONSUMER_FINANCE = "CONSUMER_FINANCE"  # 消费金融
    AUTO_FINANCE = "AUTO_FINANCE"  # 汽车金融
    PAWN = "PAWN"  # 典当
    ASSET_MANAGEMENT = "ASSET_MANAGEMENT"  # 资产管理
    FINANCE_COMPANY = "FINANCE_COMPANY"  # 财务公司
    OTHER = "OTHER"  # 其他


class Institution(Entity):
    org_id = fields.UUIDField(unique=True)  # the operations Org of kind INSTITUTION
    org_path = fields.CharField(max_length=400, default="")  # copied from the Org: where its alerts go
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(InstitutionKind, max_length=20)
    district = fields.CharField(max_length=50, default="")  # 所在区县
    certified = fields.BooleanField(default=False)  # 平台认证: needed to list products or grab
    certified_at = fields.DatetimeField(null=True)
    certified_by_id = fields.UUIDField(null=True)  # operations User

    class Meta:
        table = "institution"


class WechatBinding(Entity):
    """微信绑定: the WeChat identity of an account manager (who grabs orders over a WeChat account).
    A user holds at most one active binding, and unbinding keeps the record (``unbound_at``)."""

    user_id = fields.UUIDField(db_index=True)  # operations User
    institution_id = fields.UUIDField(db_index=True)
    open_id = fields.CharField(max_length=64, db_index=True)  # the WeChat openid
    unbound_at = fields.DatetimeField(null=True)

    class Meta:
        table = "wechat_binding"


class SlaPolicy(Entity):
    """时限阈值: how long an institution may take at each stage of an order, and the working days
    to finish it (credit loans ≤ 3 working days, the others 7–13)."""

    institution_id: UUID  # the column behind ``institution`` (for the type checker)
    institution: fields.OneToOneRelation[Institution] = fields.OneToOneField(
        "finance.Institution", related_name="sla_policy", on_delete=fields.CASCADE
    )
    pre_review_hours = fields.IntField(default=4)  # grab → phone pre-review (电话初审)
    credit_hours = fields.IntField(default=48)  # pre-review → credit decision (授信)
    disbursement_hours = fields.IntField(default=48)  # credit → disbursement (放款)
    credit_loan_days = fields.IntField(default=3)  # 信用贷款 completion, working days
    other_loan_days = fields.IntField(default=7)  # 抵押 / 担保 completion, working days

    class Meta:
        table = "sla_policy"
