"""客户画像 (customer 360): the blocks of one customer's profile, each a table keyed
by the customer. Retail and corporate customers share tags, holdings, value analysis, key
events, contacts and relationships; corporate ones add controllers and executives,
shareholders, overdue records, a repayment calendar and external data."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from tortoise import fields

from models.common import EncryptedTextField, Entity


class TagSource(StrEnum):
    SYSTEM = "SYSTEM"  # 系统标签: computed by the bank's rules
    CUSTOM = "CUSTOM"  # 自定义标签: added by a manager


class CustomerTag(Entity):
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="tags", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    name = fields.CharField(max_length=50)
    source = fields.CharEnumField(TagSource, max_length=8)
    created_by_id = fields.UUIDField(null=True)  # operations User, for custom tags

    class Meta:
        table = "customer_tag"
        unique_together = (("customer", "name"),)


class HoldingCategory(StrEnum):
    DEPOSIT = "DEPOSIT"  # 存款
    WEALTH = "WEALTH"  # 理财
    FUND = "FUND"  # 基金
    INSURANCE = "INSURANCE"  # 保险
    LOAN = "LOAN"  # 贷款
    CARD = "CARD"  # 银行卡
    OTHER = "OTHER"


class Holding(Entity):
    """产品持有: current while ``closed_on`` is null, history after."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="holdings", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    category = fields.CharEnumField(HoldingCategory, max_length=10)
    product_name = fields.CharField(max_length=100)
    amount = fields.DecimalField(max_digits=18, decimal_places=2)
    opened_on = fields.DateField()
    matures_on = fields.DateField(null=True)
    closed_on = fields.DateField(null=True)

    class Meta:
        table = "holding"


class ValueSnapshot(Entity):
    """价值分析, one row a month: asset structure, the asset–liability trend and fund flow."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="value_snapshots", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    month = fields.DateField()  # first day of the month
    deposits = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    wealth = fields.DecimalField(max_digits=18, decimal_places=2, default=0)  # 理财、基金、保险
    liabilities = fields.DecimalField(max_digits=18, decimal_places=2, default=0)
    inflow = fields.DecimalField(max_digits=18, decimal_places=2, default=0)  # 资金流入
    outflow = fields.DecimalField(max_digits=18, decimal_places=2, default=0)  # 资金流出

    class Meta:
        table = "value_snapshot"
        unique_together = (("customer", "month"),)


class KeyEventKind(StrEnum):
    FIRST_ACCOUNT = "FIRST_ACCOUNT"  # 首次开户
    TIER_UP = "TIER_UP"  # 等级提升
    TIER_DOWN = "TIER_DOWN"  # 等级下降
    BUSINESS = "BUSINESS"  # 业务办理
    OWNERSHIP = "OWNERSHIP"  # 管户变更


class KeyEvent(Entity):
    """关键事件."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="key_events", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    kind = fields.CharEnumField(KeyEventKind, max_length=14)
    title = fields.CharField(max_length=200)
    occurred_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "key_event"
        indexes = (("customer_id", "occurred_at"),)  # a customer's last N (Customer.keyEvents)


class ContactChannel(StrEnum):
    PHONE = "PHONE"  # 电话
    VISIT = "VISIT"  # 面访 / 走访
    WECHAT = "WECHAT"  # 微信
    SMS = "SMS"  # 短信


class ContactRecord(Entity):
    """客户接触 / 走访 records, with backfill (补录) and a contact-again date."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="contacts", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    manager_id = fields.UUIDField(db_index=True)  # operations User who made the contact
    channel = fields.CharEnumField(ContactChannel, max_length=8)
    summary = fields.CharField(max_length=500)
    contacted_at = fields.DatetimeField(db_index=True)
    backfilled = fields.BooleanField(default=False)  # 补录: recorded a day or more after the contact
    contact_again_on = fields.DateField(null=True)  # 再次联系日期

    class Meta:
        table = "contact_record"
        indexes = (("customer_id", "contacted_at"),)  # a customer's latest (Customer.latestContact)


class RelationKind(StrEnum):
    FAMILY = "FAMILY"  # 家庭关系
    SOCIAL = "SOCIAL"  # 社会关系
    FUND_TRANSFER = "FUND_TRANSFER"  # 资金往来
    ENTERPRISE = "ENTERPRISE"  # 企业关联


class Relationship(Entity):
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="relationships", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    kind = fields.CharEnumField(RelationKind, max_length=14)
    related_name = fields.CharField(max_length=100)
    related_customer_id = fields.UUIDField(null=True)  # when the other side is a customer too
    note = fields.CharField(max_length=200, default="")

    class Meta:
        table = "relationship"


class PersonRole(StrEnum):
    ACTUAL_CONTROLLER = "ACTUAL_CONTROLLER"  # 实际控制人
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"  # 法定代表人
    EXECUTIVE = "EXECUTIVE"  # 高管


class CorporatePerson(Entity):
    """对公客户的实际控制人 / 法定代表人 / 高管."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="people", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    role = fields.CharEnumField(PersonRole, max_length=20)
    name = fields.CharField(max_length=50)
    id_number = EncryptedTextField(default="")  # 身份证号 (PII)

    class Meta:
        table = "corporate_person"


class Shareholder(Entity):
    """股东."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="shareholders", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    name = fields.CharField(max_length=100)
    share_percent = fields.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        table = "shareholder"


class OverdueRecord(Entity):
    """逾期信息."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="overdue_records", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    loan_no = fields.CharField(max_length=32)
    amount = fields.DecimalField(max_digits=18, decimal_places=2)
    overdue_since = fields.DateField()
    settled_on = fields.DateField(null=True)

    class Meta:
        table = "overdue_record"


class RepaymentInstallment(Entity):
    """还款日历: one installment of a loan."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="installments", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    loan_no = fields.CharField(max_length=32)
    due_on = fields.DateField(db_index=True)
    principal = fields.DecimalField(max_digits=18, decimal_places=2)
    interest = fields.DecimalField(max_digits=18, decimal_places=2)
    paid = fields.BooleanField(default=False)

    class Meta:
        table = "repayment_installment"


class ExternalSource(StrEnum):
    UTILITY = "UTILITY"  # 水电气缴费
    RATING = "RATING"  # 外部评级
    SUPPLY_CHAIN = "SUPPLY_CHAIN"  # 供应链


class ExternalRecord(Entity):
    """外部数据."""

    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "customers.Customer", related_name="external_records", on_delete=fields.CASCADE
    )
    customer_id: UUID  # the key column, for the type checker
    source = fields.CharEnumField(ExternalSource, max_length=14)
    period = fields.CharField(max_length=20)  # 2026-10, 2026Q3 …
    title = fields.CharField(max_length=100)
    value = fields.CharField(max_length=100)

    class Meta:
        table = "external_record"
