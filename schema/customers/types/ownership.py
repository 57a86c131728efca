"""客户关系管理 (ownership): who manages a customer besides the primary manager, and the history
of every change (管户历史). The ``Customer`` fields returning these are in types/customers.py; the
mutations' rules in resolvers/customers/ownership.py."""

from __future__ import annotations

from datetime import datetime

import strawberry

import models.customers as rows
from schema.customers.enums import OwnershipChangeKind
from schema.customers.federation import Org, User, org_ref, user_of, user_ref


@strawberry.type(description="协办客户经理或托管人: an assignment that has not ended")
class ManagerAssignment:
    ends_at: datetime | None = strawberry.field(description="结束时间 (托管到期); null: until removed")

    @strawberry.field(description="开始时间")
    @staticmethod
    def since(parent: strawberry.Parent[rows.CustomerAssignment]) -> datetime:
        return parent.created_at

    @strawberry.field(description="客户经理")
    @staticmethod
    def manager(parent: strawberry.Parent[rows.CustomerAssignment]) -> User:
        return user_of(parent.manager_id)


@strawberry.type(description="管户变更: who changed what, when (管户历史)")
class OwnershipChange:
    id: strawberry.ID
    kind: OwnershipChangeKind
    reason: str
    ends_at: datetime | None = strawberry.field(description="托管结束时间 (CUSTODY_START)")
    created_at: datetime = strawberry.field(description="变更时间")

    @strawberry.field(description="原客户经理")
    @staticmethod
    def from_manager(parent: strawberry.Parent[rows.OwnershipChange]) -> User | None:
        return user_ref(parent.from_manager_id)

    @strawberry.field(description="新客户经理")
    @staticmethod
    def to_manager(parent: strawberry.Parent[rows.OwnershipChange]) -> User | None:
        return user_ref(parent.to_manager_id)

    @strawberry.field(description="原机构")
    @staticmethod
    def from_org(parent: strawberry.Parent[rows.OwnershipChange]) -> Org | None:
        return org_ref(parent.from_org_id)

    @strawberry.field(description="新机构")
    @staticmethod
    def to_org(parent: strawberry.Parent[rows.OwnershipChange]) -> Org | None:
        return org_ref(parent.to_org_id)

    @strawberry.field(description="操作人")
    @staticmethod
    def actor(parent: strawberry.Parent[rows.OwnershipChange]) -> User:
        return user_of(parent.actor_id)
