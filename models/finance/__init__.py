"""Finance marketplace subgraph: institutions, products and financing needs."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields

from models.audit import AuditRecordBase
from models.common import EncryptedTextField, Entity
from models.outbox import OutboxEventBase, OutboxSequenceBase


class InstitutionKind(StrEnum):
    """The 16 kinds of financial institution on the platform (001)."""

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
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(InstitutionKind, max_length=20)
    certified = fields.BooleanField(default=False)  # 平台认证

    class Meta:
        table = "institution"


class GuaranteeMethod(StrEnum):
    CREDIT = "CREDIT"  # 信用
    MORTGAGE = "MORTGAGE"  # 抵押
    GUARANTEE = "GUARANTEE"  # 担保


class ProductStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    LISTED = "LISTED"  # 上架
    DELISTED = "DELISTED"  # 下架
    DEREGISTERED = "DEREGISTERED"


class FinancialProduct(Entity):
    """金融超市 product."""

    institution: fields.ForeignKeyRelation[Institution] = fields.ForeignKeyField(
        "finance.Institution", related_name="products", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    guarantee_method = fields.CharEnumField(GuaranteeMethod, max_length=10)
    min_amount = fields.DecimalField(max_digits=16, decimal_places=2)
    max_amount = fields.DecimalField(max_digits=16, decimal_places=2)
    rate_min = fields.DecimalField(max_digits=6, decimal_places=3)  # annual %, e.g. 3.850
    rate_max = fields.DecimalField(max_digits=6, decimal_places=3)
    term_months = fields.IntField()
    status = fields.CharEnumField(ProductStatus, max_length=14, default=ProductStatus.DRAFT)

    class Meta:
        table = "financial_product"


class NeedStatus(StrEnum):
    OPEN = "OPEN"  # in the grab pool
    GRABBED = "GRABBED"  # 已抢单
    WITHDRAWN = "WITHDRAWN"


class FinancingNeed(Entity):
    """融资需求: posted by an applicant when no product fits, grabbed (抢单) by account managers."""

    applicant_id = fields.UUIDField(db_index=True)  # customers Customer
    tenant_id = fields.UUIDField(null=True)
    amount = fields.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    term_months = fields.IntField()
    purpose = fields.CharField(max_length=200)
    region = fields.CharField(max_length=50, default="")
    industry = fields.CharField(max_length=50, default="")
    contact_name = EncryptedTextField(default="")  # 联系人 (PII, encrypted at rest)
    contact_phone = EncryptedTextField(default="")  # 联系电话 (PII, encrypted at rest)
    status = fields.CharEnumField(NeedStatus, max_length=10, default=NeedStatus.OPEN, db_index=True)
    grabbed_by_id = fields.UUIDField(null=True, db_index=True)  # operations User
    grabbed_institution_id = fields.UUIDField(null=True, db_index=True)  # the grabber's Institution
    grabbed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "financing_need"


class AuditRecord(AuditRecordBase):
    """This subgraph's audit trail (审计日志), one hash chain."""

    class Meta:
        table = "audit_record"


class OutboxEvent(OutboxEventBase):
    """Events of this subgraph waiting for (or past) publication: see models/outbox.py."""

    class Meta:
        table = "outbox_event"
        unique_together = (("channel", "seq"),)


class OutboxSequence(OutboxSequenceBase):
    """The last number given to an event of each of this subgraph's channels."""

    class Meta:
        table = "outbox_sequence"
