"""Customers types: customers, grids, reminders, and the operations ``User``/``Org``
extended with their customers.

Relations resolve through ``info.context.loaders`` (resolvers/customers/dataloaders.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.customers import (
    AssignmentKind,
    ConsentPurpose,
    CustomerKind,
    CustomerTier,
    ExternalSource,
    ReminderKind,
)
from resolvers.common.errors import bad_input
from resolvers.common.jobs import CST
from resolvers.common.values import parse_id
from schema.common.connection import Connection
from schema.common.events import StreamEvent
from schema.common.federation import entity
from schema.common.pii import sensitive
from schema.customers.access import manages
from schema.customers.consents import Consent, require_consent
from schema.customers.ownership import ManagerAssignment, OwnershipChange, active_assignments, history_page
from schema.customers.profile import (
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
    TagSourceEnum,
    ValueSnapshot,
)
from schema.customers.tiering import TierChange, tier_history_page
from security.masking import PiiKind

if TYPE_CHECKING:
    from schema.customers.grids import GridProfile

CustomerKindEnum = strawberry.enum(CustomerKind, name="CustomerKind", description="客户类型")
CustomerTierEnum = strawberry.enum(CustomerTier, name="CustomerTier", description="客户分层")
ReminderKindEnum = strawberry.enum(ReminderKind, name="ReminderKind", description="提醒类型")


@strawberry.federation.type(keys=["id"])
class Org:
    """Owned by operations; customers adds the customers of an org."""

    id: strawberry.ID

    @strawberry.field(description="本机构直属客户")
    async def customers(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Customer]:
        return await info.context.loaders.customers_of_org(first, after).load(parse_id(self.id))


@strawberry.federation.type(keys=["id"])
class User:
    """Owned by operations; customers adds the customers a manager is primary for (主办)."""

    id: strawberry.ID

    @strawberry.field(description="管户客户 (主办)")
    async def customers(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Customer]:
        return await info.context.loaders.customers_of_manager(first, after).load(parse_id(self.id))


@strawberry.federation.type(keys=["id"], description="网格")
class Grid:
    id: strawberry.ID
    name: str

    @strawberry.field
    def org(self) -> Org:
        return Org(id=self.org_id)  # type: ignore[attr-defined]

    # -- 网格树, mappings and 网格画像 (resolvers/customers/grids.py)

    @strawberry.field(description="上级网格")
    async def parent(self, info: strawberry.Info) -> Grid | None:
        parent_id = self.parent_id  # type: ignore[attr-defined]
        return await info.context.loaders.grid.load(parent_id) if parent_id else None

    @strawberry.field(description="下级网格")
    async def children(self, info: strawberry.Info) -> list[Grid]:
        return await info.context.loaders.grid_children.load(self.id)

    @strawberry.field(description="映射的机构 (operations Org ids)")
    async def org_ids(self, info: strawberry.Info) -> list[strawberry.ID]:
        return [link.org_id for link in await info.context.loaders.grid_orgs.load(self.id)]

    @strawberry.field(description="网格画像")
    def profile(self) -> Annotated[GridProfile, strawberry.lazy("schema.customers.grids")]:
        from schema.customers.grids import GridProfile

        return GridProfile(grid_id=self.id)

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Grid | None:
        return entity(cls, await info.context.loaders.grid.load(parse_id(id)))


def _limit(value: int, what: str = "last", most: int = 100) -> int:
    if not 1 <= value <= most:
        raise bad_input(f"{what} must be between 1 and {most}")
    return value


@strawberry.federation.type(keys=["id"], description="客户")
class Customer:
    id: strawberry.ID
    customer_no: str = strawberry.field(description="客户号")
    name: str
    kind: CustomerKindEnum
    tier: CustomerTierEnum
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
    def org(self) -> Org:
        return Org(id=self.org_id)  # type: ignore[attr-defined]

    @strawberry.field(description="主办客户经理")
    def primary_manager(self) -> User | None:
        manager_id = self.primary_manager_id  # type: ignore[attr-defined]
        return User(id=manager_id) if manager_id else None

    @strawberry.field
    async def grid(self, info: strawberry.Info) -> Grid | None:
        grid_id = self.grid_id  # type: ignore[attr-defined]
        return await info.context.loaders.grid.load(grid_id) if grid_id else None

    @strawberry.field(description="提醒")
    async def reminders(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[Reminder]:
        return await info.context.loaders.reminders_of_customer(first, after).load(self.id)

    # -- 客户画像 (360) blocks: each one statement for the whole page (resolvers/customers/dataloaders.py)

    @strawberry.field(description="标签: 系统标签与自定义标签")
    async def tags(self, info: strawberry.Info, source: TagSourceEnum | None = None) -> list[CustomerTag]:
        tags = await info.context.loaders.profile("tags").load(self.id)
        return [t for t in tags if source is None or t.source == source]

    @strawberry.field(description="产品持有: current (default) or history")
    async def holdings(self, info: strawberry.Info, current: bool = True) -> list[Holding]:
        rows = await info.context.loaders.profile("holdings").load(self.id)
        return [h for h in rows if (h.closed_on is None) == current]

    @strawberry.field(description="价值分析: the last `months` months, oldest first")
    async def value_trend(self, info: strawberry.Info, months: int = 12) -> list[ValueSnapshot]:
        rows = await info.context.loaders.profile("value_trend").load(self.id)
        return rows[-_limit(months, "months") :]

    @strawberry.field(description="关键事件, newest first")
    async def key_events(self, info: strawberry.Info, last: int = 20) -> list[KeyEvent]:
        return (await info.context.loaders.profile("key_events").load(self.id))[: _limit(last)]

    @strawberry.field(description="接触记录, newest first")
    async def contacts(self, info: strawberry.Info, last: int = 20) -> list[ContactRecord]:
        return (await info.context.loaders.profile("contacts").load(self.id))[: _limit(last)]

    @strawberry.field(description="最近一次接触")
    async def latest_contact(self, info: strawberry.Info) -> ContactRecord | None:
        contacts = await info.context.loaders.profile("contacts").load(self.id)
        return contacts[0] if contacts else None

    @strawberry.field(description="关系: 家庭、社会、资金往来、企业关联")
    async def relationships(self, info: strawberry.Info) -> list[Relationship]:
        return await info.context.loaders.profile("relationships").load(self.id)

    @strawberry.field(description="对公: 实际控制人、法定代表人、高管")
    async def controllers(self, info: strawberry.Info) -> list[CorporatePerson]:
        return await info.context.loaders.profile("controllers").load(self.id)

    @strawberry.field(description="对公: 股东")
    async def shareholders(self, info: strawberry.Info) -> list[Shareholder]:
        return await info.context.loaders.profile("shareholders").load(self.id)

    @strawberry.field(description="对公: 逾期信息")
    async def overdue_records(self, info: strawberry.Info) -> list[OverdueRecord]:
        return await info.context.loaders.profile("overdue_records").load(self.id)

    @strawberry.field(
        description="对公: 还款日历, installments due from `start` (default today) for `days` days"
    )
    async def repayment_calendar(
        self, info: strawberry.Info, start: date | None = None, days: int = 90
    ) -> list[RepaymentInstallment]:
        first = start or datetime.now(CST).date()
        last = first + timedelta(days=_limit(days, "days", 366))
        rows = await info.context.loaders.profile("repayment_calendar").load(self.id)
        return [r for r in rows if first <= r.due_on <= last]

    @strawberry.field(description="对公: 外部数据 (水电气缴费、外部评级、供应链)")
    async def external_data(self, info: strawberry.Info) -> list[ExternalRecord]:
        return await info.context.loaders.profile("external_data").load(self.id)

    # -- 客户关系管理 (schema/customers/ownership.py): seen by whoever sees the customer

    @strawberry.field(description="协办客户经理 (current)")
    async def assisting_managers(self, info: strawberry.Info) -> list[ManagerAssignment]:
        return await active_assignments(info, self.id, AssignmentKind.ASSISTING)

    @strawberry.field(description="托管人, while custody lasts (null: none)")
    async def custodian(self, info: strawberry.Info) -> ManagerAssignment | None:
        custody = await active_assignments(info, self.id, AssignmentKind.CUSTODIAN)
        return custody[-1] if custody else None

    @strawberry.field(description="管户历史: every change of who manages the customer, newest first")
    async def ownership_history(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[OwnershipChange]:
        return await history_page(info, self.id, first, after)

    @strawberry.field(description="等级变动历史 (schema/customers/tiering.py), newest first")
    async def tier_history(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> Connection[TierChange]:
        return await tier_history_page(info, self.id, first, after)

    # -- 营销过滤 and 授权 (resolvers/customers/consents.py)

    @strawberry.field(description="营销过滤: excluded from all marketing")
    async def marketing_excluded(self, info: strawberry.Info) -> bool:
        return bool(await info.context.loaders.profile("marketing_exclusion").load(self.id))

    @strawberry.field(description="授权, live and past, newest first")
    async def consents(self, info: strawberry.Info) -> list[Consent]:
        return await info.context.loaders.profile("consents").load(self.id)

    @strawberry.field(
        description="征信报告 (外部评级 records): the customer's managers, branch head or head office, "
        "with a live CREDIT_REPORT 授权 (else null, with a CONSENT_REQUIRED or FORBIDDEN error on this "
        "field only: the rest of a list still comes back)"
    )
    async def credit_report(self, info: strawberry.Info) -> list[ExternalRecord] | None:
        await require_consent(info, self, ConsentPurpose.CREDIT_REPORT)
        rows = await info.context.loaders.profile("external_data").load(self.id)
        return [row for row in rows if row.source == ExternalSource.RATING]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Customer | None:
        return entity(cls, await info.context.loaders.customer.load(parse_id(id)))


@strawberry.federation.type(keys=["id"], description="提醒")
class Reminder:
    id: strawberry.ID
    kind: ReminderKindEnum
    title: str
    due_at: datetime | None
    read: bool
    created_at: datetime

    @strawberry.field(description="提醒所关于的客户 (null: 潜客或日程, or a customer no longer in scope)")
    async def customer(self, info: strawberry.Info) -> Customer | None:
        if self.customer_id is None:  # type: ignore[attr-defined]
            return None
        return await info.context.loaders.customer.load(self.customer_id)  # type: ignore[attr-defined]

    @strawberry.field(description="接收提醒的客户经理")
    def manager(self) -> User:
        return User(id=self.manager_id)  # type: ignore[attr-defined]

    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, id: strawberry.ID) -> Reminder | None:
        return entity(cls, await info.context.loaders.reminder.load(parse_id(id)))


@strawberry.type(description="提醒事件")
class ReminderEvent(StreamEvent):
    reminder: Reminder
