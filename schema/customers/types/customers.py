"""``Customer``: its own columns, and the relations and 客户画像 (360) blocks each read through
``info.context.loaders`` (resolvers/customers/dataloaders.py), one statement per block for a whole
page of customers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, cast
from uuid import UUID

import strawberry

import models.customers as rows
from models.customers import AssignmentKind
from resolvers.common.clock import CST
from resolvers.common.errors import bad_input
from resolvers.common.loading import MaybeAwaitable as Maybe
from resolvers.common.loading import ready, then
from resolvers.common.pagination import page_in
from resolvers.common.values import parse_id
from resolvers.customers.consents import require_consent
from resolvers.customers.dataloaders import CustomersLoaders
from schema.common.connection import Connection
from schema.common.federation import entity
from schema.common.pii import sensitive
from schema.common.prefetch import Plan
from schema.customers.context import Info
from schema.customers.enums import ConsentPurpose, CustomerKind, CustomerTier, ExternalSource, TagSource
from schema.customers.federation import Org, User, user_ref
from schema.customers.types.consents import Consent
from schema.customers.types.grids import Grid
from schema.customers.types.ownership import ManagerAssignment, OwnershipChange
from schema.customers.types.profile import (
    ContactRecord,
    CorporatePerson,
    CustomerTag,
    ExternalRecord,
    Holding,
    KeyEvent,
    OverdueRecord,
    Relationship,
    RepaymentInstallment,
    Shareholder,
    ValueSnapshot,
)
from schema.customers.types.reminders import Reminder
from schema.customers.types.tiering import TierChange
from security.masking import PiiKind

Row = strawberry.Parent[rows.Customer]


async def manages(customer: rows.Customer, info: Info) -> bool:
    """The caller manages the customer (管户): one query for a page, none for its primary manager."""
    if customer.primary_manager_id == info.context.require_principal().user_id:
        return True  # the common case needs no query
    return await info.context.loaders.managed_by_me.load(customer.id)


def _limit(value: int, what: str = "last", most: int = 100) -> int:
    if not 1 <= value <= most:
        raise bad_input(f"{what} must be between 1 and {most}")
    return value


async def _assignments(info: Info, customer_id: UUID, kind: AssignmentKind) -> list[ManagerAssignment]:
    """The customer's assignments of ``kind`` that have not ended, oldest first (one statement
    for a whole page of customers: the ``assignments`` block)."""
    now = datetime.now(UTC)
    found = await info.context.loaders.profile("assignments").load(customer_id)
    return [a for a in found if a.kind == kind and a.is_in_force(now)]


@strawberry.federation.type(keys=["id"], description="客户")
class Customer:
    id: strawberry.ID
    customer_no: str = strawberry.field(description="客户号")
    name: str
    kind: CustomerKind
    tier: CustomerTier
    aum: Decimal = strawberry.field(description="金融资产 (AUM)")
    phone: str | None = sensitive(
        PiiKind.PHONE, manages, "手机号: full to the managing manager, masked to others"
    )
    id_number: str | None = sensitive(
        PiiKind.ID_NUMBER,
        manages,
        "身份证号 / 统一社会信用代码: full to the managing manager, masked to others",
    )
    address: str | None = sensitive(
        PiiKind.ADDRESS, manages, "地址: full to the managing manager, masked to others"
    )
    created_at: datetime

    @strawberry.field
    @staticmethod
    def org(parent: Row) -> Org:
        return Org(id=strawberry.ID(str(parent.org_id)))

    @strawberry.field(description="主办客户经理")
    @staticmethod
    def primary_manager(parent: Row) -> User | None:
        return user_ref(parent.primary_manager_id)

    @strawberry.field
    @staticmethod
    async def grid(parent: Row, info: Info) -> Grid | None:
        if parent.grid_id is None:
            return None
        return cast(Grid | None, await info.context.loaders.grid.load(parent.grid_id))

    @strawberry.field(description="提醒")
    @staticmethod
    async def reminders(
        parent: Row, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Reminder]:
        page = await info.context.loaders.reminders_of_customer(first, after).load(parent.id)
        return cast(Connection[Reminder], page)

    # -- 客户画像 (360) blocks: each one statement for the whole page (resolvers/customers/dataloaders.py)

    # The fields below resolve in place when a list prefetched them (PREFETCH, below the class).

    # ``source`` carries its GraphQL name: Strawberry otherwise derives it on every call, for
    # every customer of a page (graphql-core hands the default null to each).
    @strawberry.field(description="标签: 系统标签与自定义标签", graphql_type=list[CustomerTag])
    @staticmethod
    def tags(
        parent: Row,
        info: Info,
        source: Annotated[TagSource | None, strawberry.argument(name="source")] = None,
    ) -> Maybe[list[rows.CustomerTag]]:
        tags = ready(info.context.loaders.profile("tags"), parent.id)
        return then(tags, lambda found: [t for t in found if source is None or t.source == source])

    @strawberry.field(description="产品持有: current (default) or history")
    @staticmethod
    async def holdings(parent: Row, info: Info, current: bool = True) -> list[Holding]:
        found = await info.context.loaders.profile("holdings").load(parent.id)
        return [h for h in found if (h.closed_on is None) == current]

    @strawberry.field(
        description="价值分析: the last `months` months, oldest first", graphql_type=list[ValueSnapshot]
    )
    @staticmethod
    def value_trend(parent: Row, info: Info, months: int = 12) -> Maybe[list[rows.ValueSnapshot]]:
        newest_first = ready(info.context.loaders.value_trend(_limit(months, "months")), parent.id)
        return then(newest_first, lambda found: found[::-1])

    @strawberry.field(description="关键事件, newest first", graphql_type=list[KeyEvent])
    @staticmethod
    def key_events(parent: Row, info: Info, last: int = 20) -> Maybe[list[rows.KeyEvent]]:
        return ready(info.context.loaders.profile_latest("key_events", _limit(last)), parent.id)

    @strawberry.field(description="接触记录, newest first", graphql_type=list[ContactRecord])
    @staticmethod
    def contacts(parent: Row, info: Info, last: int = 20) -> Maybe[list[rows.ContactRecord]]:
        return ready(info.context.loaders.profile_latest("contacts", _limit(last)), parent.id)

    @strawberry.field(description="最近一次接触", graphql_type=ContactRecord | None)
    @staticmethod
    def latest_contact(parent: Row, info: Info) -> Maybe[rows.ContactRecord | None]:
        contacts = ready(info.context.loaders.profile_latest("contacts", 1), parent.id)
        return then(contacts, lambda found: found[0] if found else None)

    @strawberry.field(description="关系: 家庭、社会、资金往来、企业关联")
    @staticmethod
    async def relationships(parent: Row, info: Info) -> list[Relationship]:
        return await info.context.loaders.profile("relationships").load(parent.id)

    @strawberry.field(description="对公: 实际控制人、法定代表人、高管")
    @staticmethod
    async def controllers(parent: Row, info: Info) -> list[CorporatePerson]:
        return await info.context.loaders.profile("controllers").load(parent.id)

    @strawberry.field(description="对公: 股东")
    @staticmethod
    async def shareholders(parent: Row, info: Info) -> list[Shareholder]:
        return await info.context.loaders.profile("shareholders").load(parent.id)

    @strawberry.field(description="对公: 逾期信息")
    @staticmethod
    async def overdue_records(parent: Row, info: Info) -> list[OverdueRecord]:
        return await info.context.loaders.profile("overdue_records").load(parent.id)

    @strawberry.field(
        description="对公: 还款日历, installments due from `start` (default today) for `days` days"
    )
    @staticmethod
    async def repayment_calendar(
        parent: Row, info: Info, start: date | None = None, days: int = 90
    ) -> list[RepaymentInstallment]:
        first = start or datetime.now(CST).date()
        last = first + timedelta(days=_limit(days, "days", 366))
        found = await info.context.loaders.profile("repayment_calendar").load(parent.id)
        return [r for r in found if first <= r.due_on <= last]

    @strawberry.field(description="对公: 外部数据 (水电气缴费、外部评级、供应链)")
    @staticmethod
    async def external_data(parent: Row, info: Info) -> list[ExternalRecord]:
        return await info.context.loaders.profile("external_data").load(parent.id)

    # -- 客户关系管理 (types/ownership.py): seen by whoever sees the customer

    @strawberry.field(description="协办客户经理 (current)")
    @staticmethod
    async def assisting_managers(parent: Row, info: Info) -> list[ManagerAssignment]:
        return await _assignments(info, parent.id, AssignmentKind.ASSISTING)

    @strawberry.field(description="托管人, while custody lasts (null: none)")
    @staticmethod
    async def custodian(parent: Row, info: Info) -> ManagerAssignment | None:
        custody = await _assignments(info, parent.id, AssignmentKind.CUSTODIAN)
        return custody[-1] if custody else None

    @strawberry.field(description="管户历史: every change of who manages the customer, newest first")
    @staticmethod
    async def ownership_history(
        parent: Row, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[OwnershipChange]:
        # The whole history of each customer loads in one statement for the page of customers (a
        # few rows a customer); the page is cut from it.
        history = await info.context.loaders.profile("ownership_history").load(parent.id)
        return cast(Connection[OwnershipChange], page_in(history, first, after))

    @strawberry.field(description="等级变动历史, newest first")
    @staticmethod
    async def tier_history(
        parent: Row, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[TierChange]:
        # As the ownership history: a tier moves only a few times in a customer's life.
        history = await info.context.loaders.profile("tier_history").load(parent.id)
        return cast(Connection[TierChange], page_in(history, first, after))

    # -- 营销过滤 and 授权 (resolvers/customers/consents.py)

    @strawberry.field(description="营销过滤: excluded from all marketing")
    @staticmethod
    async def marketing_excluded(parent: Row, info: Info) -> bool:
        return bool(await info.context.loaders.profile("marketing_exclusion").load(parent.id))

    @strawberry.field(description="授权, live and past, newest first")
    @staticmethod
    async def consents(parent: Row, info: Info) -> list[Consent]:
        return await info.context.loaders.profile("consents").load(parent.id)

    @strawberry.field(
        description="征信报告 (外部评级 records): the customer's managers, branch head or head office, "
        "with a live CREDIT_REPORT 授权 (else null, with a CONSENT_REQUIRED or FORBIDDEN error on this "
        "field only: the rest of a list still comes back)"
    )
    @staticmethod
    async def credit_report(parent: Row, info: Info) -> list[ExternalRecord] | None:
        await require_consent(
            info.context.require_principal(),
            parent,
            ConsentPurpose.CREDIT_REPORT,
            lambda: info.context.loaders.profile("consents").load(parent.id),
            lambda customer: manages(customer, info),
        )
        found = await info.context.loaders.profile("external_data").load(parent.id)
        return [row for row in found if row.source == ExternalSource.RATING]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Customer | None:
        return entity(cls, await info.context.loaders.customer.load(parse_id(id)))


def _last(arguments: Mapping[str, Any], default: int = 20) -> int:
    return _limit(int(arguments.get("last", default)))


# What a page of customers loads before its fields resolve (schema/common/prefetch.py): each
# entry builds the loader the field of that name reads, from the field's arguments.
PREFETCH: Plan[CustomersLoaders] = {
    "tags": lambda loaders, arguments: loaders.profile("tags"),
    "latestContact": lambda loaders, arguments: loaders.profile_latest("contacts", 1),
    "contacts": lambda loaders, arguments: loaders.profile_latest("contacts", _last(arguments)),
    "keyEvents": lambda loaders, arguments: loaders.profile_latest("key_events", _last(arguments)),
    "valueTrend": lambda loaders, arguments: loaders.value_trend(
        _limit(int(arguments.get("months", 12)), "months")
    ),
}
