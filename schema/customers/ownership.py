"""客户关系管理 (ownership): who manages a customer besides the primary manager, and the history
of every change (管户历史). The ``Customer`` fields returning these are in schema/customers/types.py;
the mutations in resolvers/customers/ownership.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models.customers import AssignmentKind, OwnershipChangeKind
from resolvers.common.pagination import page_in
from schema.common.connection import Connection

if TYPE_CHECKING:
    from schema.customers.types import Org, User

OwnershipChangeKindEnum = strawberry.enum(
    OwnershipChangeKind, name="OwnershipChangeKind", description="管户变更类型"
)

LazyUser = Annotated["User", strawberry.lazy("schema.customers.types")]
LazyOrg = Annotated["Org", strawberry.lazy("schema.customers.types")]


def user_ref(user_id: object) -> User | None:
    """The operations ``User`` stub for an id (None for none); tiering.py uses it too."""
    from schema.customers.types import User  # the operations stub, defined beside Customer

    return User(id=user_id) if user_id else None  # type: ignore[arg-type]


def _org(org_id: object) -> Org | None:
    from schema.customers.types import Org

    return Org(id=org_id) if org_id else None  # type: ignore[arg-type]


@strawberry.type(description="协办客户经理或托管人: an assignment that has not ended")
class ManagerAssignment:
    ends_at: datetime | None = strawberry.field(description="结束时间 (托管到期); null: until removed")

    @strawberry.field(description="开始时间")
    def since(self) -> datetime:
        return self.created_at  # type: ignore[attr-defined]

    @strawberry.field(description="客户经理")
    def manager(self) -> LazyUser:
        return user_ref(self.manager_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="管户变更: who changed what, when (管户历史)")
class OwnershipChange:
    id: strawberry.ID
    kind: OwnershipChangeKindEnum
    reason: str
    ends_at: datetime | None = strawberry.field(description="托管结束时间 (CUSTODY_START)")
    created_at: datetime = strawberry.field(description="变更时间")

    @strawberry.field(description="原客户经理")
    def from_manager(self) -> LazyUser | None:
        return user_ref(self.from_manager_id)  # type: ignore[attr-defined]

    @strawberry.field(description="新客户经理")
    def to_manager(self) -> LazyUser | None:
        return user_ref(self.to_manager_id)  # type: ignore[attr-defined]

    @strawberry.field(description="原机构")
    def from_org(self) -> LazyOrg | None:
        return _org(self.from_org_id)  # type: ignore[attr-defined]

    @strawberry.field(description="新机构")
    def to_org(self) -> LazyOrg | None:
        return _org(self.to_org_id)  # type: ignore[attr-defined]

    @strawberry.field(description="操作人")
    def actor(self) -> LazyUser:
        return user_ref(self.actor_id)  # type: ignore[attr-defined,return-value]


async def active_assignments(info: strawberry.Info, customer_id: Any, kind: AssignmentKind) -> list[Any]:
    """The customer's assignments of ``kind`` that have not ended, oldest first (one statement
    for a whole page of customers: the ``assignments`` block of resolvers/customers/dataloaders.py)."""
    now = datetime.now(UTC)
    rows = await info.context.loaders.profile("assignments").load(customer_id)
    return [a for a in rows if a.kind == kind and a.is_in_force(now)]


async def history_page(
    info: strawberry.Info, customer_id: Any, first: int, after: str | None
) -> Connection[OwnershipChange]:
    """管户历史, newest first: a page after the change ``after`` points at. The whole history of
    each customer loads in one statement for the page of customers (it is a few rows a customer)."""
    rows = await info.context.loaders.profile("ownership_history").load(customer_id)
    return page_in(rows, first, after)  # type: ignore[return-value]
