"""Every root mutation of the customers subgraph: parse, call the domain function (which writes
through ``resolvers.common.changes.change``: one transaction and its audit record), return."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import cast
from uuid import UUID

import strawberry

from resolvers.common.values import parse_id
from resolvers.customers import consents, contacts, grids, groups, ownership, prospects, reminders, tiering
from resolvers.customers.reminders import Movement
from resolvers.customers.tiering import TierBand
from schema.customers.context import Info
from schema.customers.enums import CustomerTier
from schema.customers.inputs import (
    AccountMovementInput,
    AddReminderInput,
    ConsentInput,
    ContactInput,
    CustomerGroupInput,
    ProspectInput,
    ProspectUpdate,
    ScheduleItemInput,
    TierBandInput,
)
from schema.customers.types.consents import Consent, MarketingExclusion
from schema.customers.types.customers import Customer
from schema.customers.types.grids import Grid
from schema.customers.types.groups import CustomerGroup
from schema.customers.types.profile import ContactRecord
from schema.customers.types.prospects import Prospect
from schema.customers.types.reminders import RecordedMovements, Reminder, ReminderPolicy, ScheduleItem
from schema.customers.types.tiering import TierChangeRequest, TierScheme


def _ids(ids: list[strawberry.ID], what: str = "customerIds") -> list[UUID]:
    return [parse_id(i, what) for i in ids]


def _optional_id(value: strawberry.ID | None, what: str) -> UUID | None:
    return parse_id(value, what) if value is not None else None


def _bands(bands: list[TierBandInput]) -> list[TierBand]:
    return [TierBand(tier=CustomerTier(band.tier), min_aum=band.min_aum) for band in bands]


@strawberry.type
class Mutation:
    # -- 提醒 (resolvers/customers/reminders.py)

    @strawberry.federation.mutation(
        description="新增提醒: to the customer's primary manager (主办)", authenticated=True
    )
    async def add_reminder(self, info: Info, input: AddReminderInput) -> Reminder:
        reminder = await reminders.add_reminder(
            info.context.require_principal(),
            parse_id(input.customer_id, "customerId"),
            input.kind,
            input.title,
            input.due_at,
        )
        return cast(Reminder, reminder)

    @strawberry.mutation(description="标记已读: the caller's own reminders; returns them")
    async def mark_reminders_read(self, info: Info, ids: list[strawberry.ID]) -> list[Reminder]:
        principal = info.context.require_principal()
        marked = await reminders.mark_reminders_read(principal, _ids(ids, "ids"))
        return cast(list[Reminder], marked)

    @strawberry.mutation(description="设置提醒参数 (总行业务管理)")
    async def set_reminder_policy(self, info: Info, large_transaction_threshold: Decimal) -> ReminderPolicy:
        policy = await reminders.set_reminder_policy(
            info.context.require_principal(), large_transaction_threshold
        )
        return cast(ReminderPolicy, policy)

    @strawberry.mutation(
        description="导入动账 (core banking feed): repeated references are skipped, large ones remind at once"
    )
    async def record_account_movements(
        self, info: Info, movements: list[AccountMovementInput]
    ) -> RecordedMovements:
        principal = info.context.require_principal()
        rows = [
            Movement(
                reference=m.reference,
                customer_id=parse_id(m.customer_id, "customerId"),
                direction=m.direction,
                amount=m.amount,
                occurred_at=m.occurred_at,
                counterparty=m.counterparty,
            )
            for m in movements
        ]
        return cast(RecordedMovements, await reminders.record_account_movements(principal, rows))

    @strawberry.mutation(description="新增日程: reminded at startsAt minus remindMinutesBefore")
    async def add_schedule_item(self, info: Info, input: ScheduleItemInput) -> ScheduleItem:
        item = await reminders.add_schedule_item(
            info.context.require_principal(),
            input.title,
            input.starts_at,
            input.remind_minutes_before,
            _optional_id(input.customer_id, "customerId"),
        )
        return cast(ScheduleItem, item)

    @strawberry.mutation(description="删除日程 (one's own)")
    async def remove_schedule_item(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await reminders.remove_schedule_item(info.context.require_principal(), parse_id(id))
        return id

    # -- 接触, 潜客 (contacts.py, prospects.py)

    @strawberry.mutation(description="记录接触 / 走访 (补录 when a day or more late)")
    async def record_contact(self, info: Info, input: ContactInput) -> ContactRecord:
        record = await contacts.record_contact(
            info.context.require_principal(),
            parse_id(input.customer_id, "customerId"),
            input.channel,
            input.summary,
            input.contacted_at,
            input.contact_again_on,
        )
        return cast(ContactRecord, record)

    @strawberry.mutation(description="新建潜在客户 (customer managers)")
    async def create_prospect(self, info: Info, input: ProspectInput) -> Prospect:
        prospect = await prospects.create_prospect(info.context.require_principal(), **vars(input))
        return cast(Prospect, prospect)

    @strawberry.mutation(description="跟进潜在客户: note, next contact, converted or dropped")
    async def update_prospect(self, info: Info, id: strawberry.ID, input: ProspectUpdate) -> Prospect:
        principal = info.context.require_principal()
        prospect = await prospects.update_prospect(
            principal,
            parse_id(id),
            note=input.note,
            next_contact_on=input.next_contact_on,
            status=input.status,
            customer_id=_optional_id(input.customer_id, "customerId"),
        )
        return cast(Prospect, prospect)

    # -- 客户关系管理 (ownership.py)

    @strawberry.mutation(
        description="分配客户: to a manager (managerId) or to an org unmanaged (orgId), "
        "down the customer's org subtree"
    )
    async def allocate_customers(
        self,
        info: Info,
        customer_ids: list[strawberry.ID],
        manager_id: strawberry.ID | None = None,
        org_id: strawberry.ID | None = None,
        reason: str = "",
    ) -> list[Customer]:
        moved = await ownership.allocate_customers(
            info.context.require_principal(),
            _ids(customer_ids),
            _optional_id(manager_id, "managerId"),
            _optional_id(org_id, "orgId"),
            reason,
        )
        return cast(list[Customer], moved)

    @strawberry.mutation(description="收回: the customers go back to their org, unmanaged (待分配)")
    async def return_to_org(
        self, info: Info, customer_ids: list[strawberry.ID], reason: str = ""
    ) -> list[Customer]:
        moved = await ownership.return_to_org(info.context.require_principal(), _ids(customer_ids), reason)
        return cast(list[Customer], moved)

    @strawberry.mutation(
        description="移交: to another manager of the customers' own org; the old one's access ends"
    )
    async def hand_over_customers(
        self, info: Info, customer_ids: list[strawberry.ID], to_manager_id: strawberry.ID, reason: str
    ) -> list[Customer]:
        moved = await ownership.hand_over_customers(
            info.context.require_principal(),
            _ids(customer_ids),
            parse_id(to_manager_id, "toManagerId"),
            reason,
        )
        return cast(list[Customer], moved)

    @strawberry.mutation(
        description="跨机构移交: to another org of the bank, to toManagerId (of that org) or unmanaged; "
        "assisting managers and custody end"
    )
    async def transfer_customers(
        self,
        info: Info,
        customer_ids: list[strawberry.ID],
        to_org_id: strawberry.ID,
        reason: str,
        to_manager_id: strawberry.ID | None = None,
    ) -> list[Customer]:
        moved = await ownership.transfer_customers(
            info.context.require_principal(),
            _ids(customer_ids),
            parse_id(to_org_id, "toOrgId"),
            reason,
            _optional_id(to_manager_id, "toManagerId"),
        )
        return cast(list[Customer], moved)

    @strawberry.mutation(
        description="托管: to another manager of the customer's own org until endsAt (at most 90 days); "
        "a manager may put their own primary customers in custody"
    )
    async def start_custody(
        self,
        info: Info,
        customer_ids: list[strawberry.ID],
        custodian_id: strawberry.ID,
        ends_at: datetime,
        reason: str,
    ) -> list[Customer]:
        moved = await ownership.start_custody(
            info.context.require_principal(),
            _ids(customer_ids),
            parse_id(custodian_id, "custodianId"),
            ends_at,
            reason,
        )
        return cast(list[Customer], moved)

    @strawberry.mutation(description="结束托管: at once; the custodian's access ends")
    async def end_custody(self, info: Info, customer_id: strawberry.ID, reason: str = "") -> Customer:
        customer = await ownership.end_custody(
            info.context.require_principal(), parse_id(customer_id, "customerIds"), reason
        )
        return cast(Customer, customer)

    @strawberry.mutation(
        description="增加协办客户经理 (a customer manager of the bank; a branch head's: of their subtree)"
    )
    async def add_assisting_manager(
        self, info: Info, customer_id: strawberry.ID, manager_id: strawberry.ID, reason: str = ""
    ) -> Customer:
        customer = await ownership.add_assisting_manager(
            info.context.require_principal(),
            parse_id(customer_id, "customerIds"),
            parse_id(manager_id, "managerId"),
            reason,
        )
        return cast(Customer, customer)

    @strawberry.mutation(description="取消协办客户经理: their access ends at once")
    async def remove_assisting_manager(
        self, info: Info, customer_id: strawberry.ID, manager_id: strawberry.ID, reason: str = ""
    ) -> Customer:
        customer = await ownership.remove_assisting_manager(
            info.context.require_principal(),
            parse_id(customer_id, "customerIds"),
            parse_id(manager_id, "managerId"),
            reason,
        )
        return cast(Customer, customer)

    # -- 客户分层 (tiering.py)

    @strawberry.mutation(
        description="新建分层方案 (草稿, HQ_ADMIN); bands: each tier at most once, 普通 from 0"
    )
    async def create_tier_scheme(self, info: Info, name: str, bands: list[TierBandInput]) -> TierScheme:
        scheme = await tiering.create_tier_scheme(info.context.require_principal(), name, _bands(bands))
        return cast(TierScheme, scheme)

    @strawberry.mutation(description="修改分层方案 (草稿 only, HQ_ADMIN); null keeps a field as it is")
    async def update_tier_scheme(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        bands: list[TierBandInput] | None = None,
    ) -> TierScheme:
        principal = info.context.require_principal()
        scheme = await tiering.update_tier_scheme(
            principal, parse_id(id), name, _bands(bands) if bands is not None else None
        )
        return cast(TierScheme, scheme)

    @strawberry.mutation(description="提交分层方案审核 (HQ_ADMIN): 草稿 → 待审核")
    async def submit_tier_scheme(self, info: Info, id: strawberry.ID) -> TierScheme:
        scheme = await tiering.submit_tier_scheme(info.context.require_principal(), parse_id(id))
        return cast(TierScheme, scheme)

    @strawberry.mutation(
        description="审核分层方案 (HQ_REVIEWER, not its creator): approval activates and applies it at once, "
        "retiring the previous one; rejection needs a comment"
    )
    async def review_tier_scheme(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> TierScheme:
        scheme = await tiering.review_tier_scheme(
            info.context.require_principal(), parse_id(id), approve, comment
        )
        return cast(TierScheme, scheme)

    @strawberry.mutation(
        description="申请调级 (a customer manager for a customer they manage, a branch head 辖内); "
        "one pending request per customer"
    )
    async def request_tier_change(
        self, info: Info, customer_id: strawberry.ID, to_tier: CustomerTier, reason: str
    ) -> TierChangeRequest:
        request = await tiering.request_tier_change(
            info.context.require_principal(), parse_id(customer_id, "customerId"), to_tier, reason
        )
        return cast(TierChangeRequest, request)

    @strawberry.mutation(
        description="审批调级申请 (a branch head 辖内 or the head office, never the requester): "
        "approval moves the tier if it is still the one requested from; rejection needs a comment"
    )
    async def decide_tier_change(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> TierChangeRequest:
        request = await tiering.decide_tier_change(
            info.context.require_principal(), parse_id(id), approve, comment
        )
        return cast(TierChangeRequest, request)

    @strawberry.mutation(description="撤回调级申请 (the requester, while pending)")
    async def withdraw_tier_change(self, info: Info, id: strawberry.ID) -> TierChangeRequest:
        request = await tiering.withdraw_tier_change(info.context.require_principal(), parse_id(id))
        return cast(TierChangeRequest, request)

    # -- 客群, 网格 (groups.py, grids.py)

    @strawberry.mutation(
        description="新建客群 (HQ_ADMIN, BRANCH_HEAD); the same group again returns the first"
    )
    async def create_customer_group(self, info: Info, input: CustomerGroupInput) -> CustomerGroup:
        group = await groups.create_customer_group(
            info.context.require_principal(),
            input.name,
            input.kind,
            input.source,
            input.rule.criteria() if input.rule is not None else None,
        )
        return cast(CustomerGroup, group)

    @strawberry.mutation(
        description="添加客群成员 (custom groups): customers the caller sees, of the group's kind"
    )
    async def add_customer_group_members(
        self, info: Info, group_id: strawberry.ID, customer_ids: list[strawberry.ID]
    ) -> CustomerGroup:
        group = await groups.add_customer_group_members(
            info.context.require_principal(), parse_id(group_id, "groupId"), _ids(customer_ids)
        )
        return cast(CustomerGroup, group)

    @strawberry.mutation(description="移除客群成员 (custom groups): of the customers the caller sees")
    async def remove_customer_group_members(
        self, info: Info, group_id: strawberry.ID, customer_ids: list[strawberry.ID]
    ) -> CustomerGroup:
        group = await groups.remove_customer_group_members(
            info.context.require_principal(), parse_id(group_id, "groupId"), _ids(customer_ids)
        )
        return cast(CustomerGroup, group)

    @strawberry.mutation(description="删除客群 (its creator or head office); returns its id")
    async def delete_customer_group(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await groups.delete_customer_group(
            info.context.require_principal(), parse_id(id, "groupId")
        )
        return strawberry.ID(str(deleted))

    @strawberry.mutation(description="网格映射机构 (HQ_ADMIN); mapping again changes nothing")
    async def map_grid_to_org(self, info: Info, grid_id: strawberry.ID, org_id: strawberry.ID) -> Grid:
        principal = info.context.require_principal()
        grid = await grids.set_grid_mapping(
            principal, parse_id(grid_id, "gridId"), parse_id(org_id, "orgId"), mapped=True
        )
        return cast(Grid, grid)

    @strawberry.mutation(description="取消网格与机构的映射 (HQ_ADMIN); unmapping again changes nothing")
    async def unmap_grid_from_org(self, info: Info, grid_id: strawberry.ID, org_id: strawberry.ID) -> Grid:
        principal = info.context.require_principal()
        grid = await grids.set_grid_mapping(
            principal, parse_id(grid_id, "gridId"), parse_id(org_id, "orgId"), mapped=False
        )
        return cast(Grid, grid)

    @strawberry.mutation(
        description="客户划入网格 (HQ_ADMIN, BRANCH_HEAD): a grid of the customer's bank; gridId null: none"
    )
    async def set_customer_grid(
        self, info: Info, customer_id: strawberry.ID, grid_id: strawberry.ID | None = None
    ) -> Customer:
        customer, grid = await grids.set_customer_grid(
            info.context.require_principal(),
            parse_id(customer_id, "customerId"),
            _optional_id(grid_id, "gridId"),
        )
        if grid is not None:  # read in scope above: `grid` on the result needs no second read
            info.context.loaders.grid.prime(grid.id, grid)
        return cast(Customer, customer)

    # -- 营销过滤, 授权 (consents.py)

    @strawberry.mutation(
        description="营销过滤: exclude from all marketing; again returns the first exclusion"
    )
    async def exclude_from_marketing(
        self, info: Info, customer_id: strawberry.ID, reason: str
    ) -> MarketingExclusion:
        exclusion = await consents.exclude_from_marketing(
            info.context.require_principal(), parse_id(customer_id, "customerId"), reason
        )
        return cast(MarketingExclusion, exclusion)

    @strawberry.mutation(description="取消营销过滤: the customer may be marketed to again")
    async def include_in_marketing(self, info: Info, customer_id: strawberry.ID) -> Customer:
        customer = await consents.include_in_marketing(
            info.context.require_principal(), parse_id(customer_id, "customerId")
        )
        return cast(Customer, customer)

    @strawberry.mutation(
        description="记录授权 (the customer's manager or head office); again returns the first"
    )
    async def grant_consent(self, info: Info, input: ConsentInput) -> Consent:
        consent = await consents.grant_consent(
            info.context.require_principal(),
            parse_id(input.customer_id, "customerId"),
            input.purpose,
            input.expires_at,
            input.evidence,
        )
        return cast(Consent, consent)

    @strawberry.mutation(description="撤销授权; revoking again changes nothing")
    async def revoke_consent(self, info: Info, id: strawberry.ID) -> Consent:
        consent = await consents.revoke_consent(info.context.require_principal(), parse_id(id))
        return cast(Consent, consent)
