"""Customers root queries."""

from __future__ import annotations

import strawberry

from models.customers import Customer as CustomerModel
from models.customers import Reminder as ReminderModel
from resolvers.common.pagination import paginate
from schema.common.connection import Connection
from schema.common.scalars import parse_id
from schema.customers.types import Customer, Reminder
from security.scopes import customer_scope


@strawberry.type
class Query:
    @strawberry.field(description="客户详情")
    async def customer(self, info: strawberry.Info, id: strawberry.ID) -> Customer | None:
        return await info.context.loaders.customer.load(parse_id(id))

    @strawberry.field(description="客户列表; managerId 过滤主办客户经理")
    async def customers(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        manager_id: strawberry.ID | None = None,
    ) -> Connection[Customer]:
        queryset = info.context.scoped(CustomerModel, customer_scope)
        if manager_id is not None:
            queryset = queryset.filter(primary_manager_id=parse_id(manager_id, "managerId"))
        return await paginate(queryset, first, after)

    @strawberry.field(description="我的提醒")
    async def my_reminders(
        self, info: strawberry.Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Reminder]:
        queryset = ReminderModel.filter(manager_id=info.context.require_principal().user_id)
        if unread_only:
            queryset = queryset.filter(read=False)
        return await paginate(queryset, first, after)
