"""客户画像 (customer 360) blocks: the types the ``Customer`` fields of each block return
(types/customers.py). Each block loads in one statement for a whole page of customers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

import models.customers as rows
from schema.common.pii import sensitive
from schema.customers.context import Info
from schema.customers.enums import (
    ContactChannel,
    ExternalSource,
    HoldingCategory,
    KeyEventKind,
    PersonRole,
    RelationKind,
    TagSource,
)
from schema.customers.federation import User, user_of
from security.masking import PiiKind


@strawberry.type(description="客户标签")
class CustomerTag:
    name: str
    source: TagSource


@strawberry.type(description="产品持有")
class Holding:
    id: strawberry.ID
    category: HoldingCategory
    product_name: str
    amount: Decimal
    opened_on: date
    matures_on: date | None
    closed_on: date | None = strawberry.field(description="null: still held")


@strawberry.type(description="价值分析: one month of asset structure, liabilities and fund flow")
class ValueSnapshot:
    month: date
    deposits: Decimal
    wealth: Decimal = strawberry.field(description="理财、基金、保险")
    liabilities: Decimal
    inflow: Decimal = strawberry.field(description="资金流入")
    outflow: Decimal = strawberry.field(description="资金流出")

    @strawberry.field(description="资产合计")
    @staticmethod
    def assets(parent: strawberry.Parent[rows.ValueSnapshot]) -> Decimal:
        return parent.deposits + parent.wealth


@strawberry.type(description="关键事件")
class KeyEvent:
    id: strawberry.ID
    kind: KeyEventKind
    title: str
    occurred_at: datetime


@strawberry.type(description="接触记录")
class ContactRecord:
    id: strawberry.ID
    channel: ContactChannel
    summary: str
    contacted_at: datetime
    backfilled: bool = strawberry.field(description="补录")
    contact_again_on: date | None = strawberry.field(description="再次联系日期")

    @strawberry.field(description="接触的客户经理")
    @staticmethod
    def manager(parent: strawberry.Parent[rows.ContactRecord]) -> User:
        return user_of(parent.manager_id)


@strawberry.type(description="客户关系")
class Relationship:
    kind: RelationKind
    related_name: str
    related_customer_id: strawberry.ID | None
    note: str


async def _manages_company(person: rows.CorporatePerson, info: Info) -> bool:
    return await info.context.loaders.managed_by_me.load(person.customer_id)


@strawberry.type(description="实际控制人 / 法定代表人 / 高管")
class CorporatePerson:
    role: PersonRole
    name: str
    id_number: str | None = sensitive(
        PiiKind.ID_NUMBER,
        _manages_company,
        "身份证号: full to the company's managing manager, masked to others",
    )


@strawberry.type(description="股东")
class Shareholder:
    name: str
    share_percent: Decimal


@strawberry.type(description="逾期信息")
class OverdueRecord:
    loan_no: str
    amount: Decimal
    overdue_since: date
    settled_on: date | None


@strawberry.type(description="还款日历: one installment")
class RepaymentInstallment:
    loan_no: str
    due_on: date
    principal: Decimal
    interest: Decimal
    paid: bool


@strawberry.type(description="外部数据")
class ExternalRecord:
    source: ExternalSource
    period: str
    title: str
    value: str
