"""Customers root queries."""

from __future__ import annotations

import strawberry

from models.common import blind_index
from models.customers import Customer as CustomerModel
from models.customers import Reminder as ReminderModel
from resolvers.common.errors import bad_input
from resolvers.common.loading import scoped
from resolvers.common.pagination import paginate
from resolvers.common.values import parse_id
from resolvers.customers.scopes import customer_scope
from resolvers.customers.search import customer_filter
from schema.common.connection import Connection
from schema.customers.search import CustomerFilter
from schema.customers.types import Customer, Reminder
from security.crypto import normalise


@strawberry.type
class Query:
    @strawberry.field(description="客户详情")
    async def customer(self, info: strawberry.Info, id: strawberry.ID) -> Customer | None:
        return await info.context.loaders.customer.load(parse_id(id))

    @strawberry.field(
        description="客户列表 / 客户查询: filter (text, tags, tiers, AUM, grids, products held, kind); "
        "managerId 过滤主办客户经理; "
        "phone / idNumber 精确查找 (忽略空格和连字符). A manager searches their own customers, "
        "the whole bank with WHOLE_BANK_SEARCH (全行客户搜索)"
    )
    async def customers(
        self,
        info: strawberry.Info,
        first: int = 20,
        after: str | None = None,
        manager_id: strawberry.ID | None = None,
        phone: str | None = None,
        id_number: str | None = None,
        filter: CustomerFilter | None = None,
    ) -> Connection[Customer]:
        queryset = scoped(info.context.require_principal(), CustomerModel, customer_scope)
        if filter is not None:
            queryset = queryset.filter(customer_filter(filter))
        if manager_id is not None:
            queryset = queryset.filter(primary_manager_id=parse_id(manager_id, "managerId"))
        # Encrypted columns are searched by their blind index (models/common.py), exact match only.
        for argument, field, value in (("phone", "phone", phone), ("idNumber", "id_number", id_number)):
            if value is None:
                continue
            if not normalise(value):
                raise bad_input(f"{argument} must not be empty")
            queryset = queryset.filter(**{f"{field}_bidx": blind_index(CustomerModel, field, value)})
        return await paginate(queryset, first, after)

    @strawberry.field(description="我的提醒")
    async def my_reminders(
        self, info: strawberry.Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Reminder]:
        queryset = ReminderModel.filter(manager_id=info.context.require_principal().user_id)
        if unread_only:
            queryset = queryset.filter(read=False)
        return await paginate(queryset, first, after)
