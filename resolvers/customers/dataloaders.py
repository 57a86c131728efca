"""Customers loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models.customers import (
    ApprovalStep,
    Consent,
    ContactRecord,
    CorporatePerson,
    Customer,
    CustomerAssignment,
    CustomerTag,
    ExternalRecord,
    Grid,
    GridOrg,
    Holding,
    KeyEvent,
    MarketingExclusion,
    OverdueRecord,
    OwnershipChange,
    Relationship,
    Reminder,
    RepaymentInstallment,
    Shareholder,
    TierChange,
    ValueSnapshot,
)
from resolvers.common.loading import LoaderRegistry
from resolvers.customers.grids import grid_breakdown, grid_managers
from resolvers.customers.groups import group_figure, group_members
from resolvers.customers.scopes import (
    approval_step_scope,
    customer_scope,
    grid_part_scope,
    grid_scope,
    managed_by,
    profile_scope,
    reminder_scope,
)


class CustomersLoaders(LoaderRegistry):
    @property
    def customer(self) -> DataLoader[Any, Customer | None]:
        return self.entity(Customer, customer_scope)

    @property
    def grid(self) -> DataLoader[Any, Grid | None]:
        return self.entity(Grid, grid_scope)

    @property
    def reminder(self) -> DataLoader[Any, Reminder | None]:
        return self.entity(Reminder, reminder_scope)

    @property
    def managed_by_me(self) -> DataLoader[UUID, bool]:
        """Whether the caller manages (管户) each customer: primary, assisting or custodian."""

        def build() -> DataLoader[UUID, bool]:
            mine = managed_by(self.require_principal().user_id)

            async def load(ids: Sequence[UUID]) -> list[bool]:
                found = set(await Customer.filter(mine.q(), id__in=list(ids)).values_list("id", flat=True))
                return [i in found for i in ids]

            return DataLoader(load_fn=load)

        return self._get(("managed_by_me",), build)

    # Pages of customers are plain records (resolvers/common/loading.py): ``Customer`` reads columns.

    def customers_of_manager(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(Customer, "primary_manager_id", customer_scope, first, after, plain=True)

    def customers_of_org(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(Customer, "org_id", customer_scope, first, after, plain=True)

    def reminders_of_customer(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(Reminder, "customer_id", reminder_scope, first, after)

    @property
    def approval_steps(self) -> DataLoader[UUID, list[ApprovalStep]]:
        """审批记录 of each tier scheme or tier-change request (its ``subject_id``), in order."""
        return self.children(ApprovalStep, "subject_id", approval_step_scope, ("created_at", "id"))

    # -- 网格, 客群, 营销过滤, 授权 (resolvers/customers/grids.py, groups.py, consents.py)

    @property
    def grid_children(self) -> DataLoader[UUID, list[Grid]]:
        return self.children(Grid, "parent_id", grid_scope, ("name", "id"))

    @property
    def grid_orgs(self) -> DataLoader[UUID, list[GridOrg]]:
        return self.children(GridOrg, "grid_id", grid_part_scope, ("org_id",))

    @property
    def grid_breakdown(self) -> DataLoader[UUID, list[dict[str, Any]]]:
        return self._get(("grid_breakdown",), lambda: grid_breakdown(self.scope(customer_scope)))

    @property
    def grid_managers(self) -> DataLoader[UUID, int]:
        return self._get(("grid_managers",), lambda: grid_managers(self.scope(customer_scope)))

    def group_figure(self, figure: str, months: int) -> DataLoader[Any, Any]:
        return self._get(
            ("group_figure", figure, months), lambda: group_figure(figure, self.scope(customer_scope), months)
        )

    def group_members(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self._get(
            ("group_members", first, after), lambda: group_members(self.scope(customer_scope), first, after)
        )

    def profile(self, block: str) -> DataLoader[UUID, list[Any]]:
        """One 客户画像 block of each customer, in the block's order (PROFILE_BLOCKS)."""
        model, order = PROFILE_BLOCKS[block]
        return self.children(model, "customer_id", profile_scope, order, plain=block in PLAIN_BLOCKS)

    def profile_latest(self, block: str, n: int) -> DataLoader[UUID, list[Any]]:
        """The first ``n`` rows of a 360 block per customer in the block's order (the latest
        contact, the last 20 key events): at most ``n`` rows read per customer."""
        model, order = PROFILE_BLOCKS[block]
        return self.latest(model, "customer_id", profile_scope, order, n, plain=block in PLAIN_BLOCKS)

    def value_trend(self, months: int) -> DataLoader[UUID, list[Any]]:
        """The last ``months`` value snapshots per customer, newest first."""
        return self.latest(ValueSnapshot, "customer_id", profile_scope, ("-month",), months, plain=True)


# Each 360 block: its rows and their order (newest first where a list shows the latest).
PROFILE_BLOCKS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "tags": (CustomerTag, ("source", "name")),
    "holdings": (Holding, ("category", "opened_on", "id")),
    "value_trend": (ValueSnapshot, ("month",)),
    "key_events": (KeyEvent, ("-occurred_at", "id")),
    "contacts": (ContactRecord, ("-contacted_at", "id")),
    "relationships": (Relationship, ("kind", "related_name")),
    "controllers": (CorporatePerson, ("role", "name")),
    "shareholders": (Shareholder, ("-share_percent", "name")),
    "overdue_records": (OverdueRecord, ("-overdue_since", "id")),
    "repayment_calendar": (RepaymentInstallment, ("due_on", "loan_no")),
    "external_data": (ExternalRecord, ("source", "-period")),
    # 客户关系管理: assisting managers and custodians (the active ones: Customer)
    # and the ownership history (管户历史), a few rows a customer.
    "assignments": (CustomerAssignment, ("created_at", "id")),
    "ownership_history": (OwnershipChange, ("-created_at", "-id")),
    "tier_history": (TierChange, ("-created_at", "-id")),  # 等级变动历史 (Customer.tierHistory)
    # 营销过滤 and 授权 (consents.py): creditReport checks the consents.
    "marketing_exclusion": (MarketingExclusion, ("id",)),
    "consents": (Consent, ("-created_at", "-id")),
}

# The blocks a page of customers loads for its items (types/customers.py PREFETCH) come as plain
# records (resolvers/common/loading.py): their types read only columns. The others stay models
# (an assignment's ``is_in_force``, relations followed by their types).
PLAIN_BLOCKS = frozenset({"tags", "contacts", "key_events", "value_trend"})
