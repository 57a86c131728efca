"""Marketing loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.marketing import Opportunity, OpportunityFollowUp, OpportunityStatus, QrCode
from resolvers.common.customer_directory import visible_customers
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.marketing.scopes import follow_up_scope, opportunity_scope, qr_code_scope


class MarketingLoaders(LoaderRegistry):
    @property
    def opportunity(self) -> DataLoader[UUID, Opportunity | None]:
        return self.entity(Opportunity, opportunity_scope)

    def opportunities_of_customer(
        self, first: int, after: str | None, statuses: list[OpportunityStatus] | None = None
    ) -> DataLoader[UUID, Page[Any]]:
        """A page of each customer's opportunities, only those in ``statuses`` when given, as plain
        records (resolvers/common/loading.py: ``Opportunity`` reads columns; ``_entities`` of the
        H5 morning page)."""
        where = {"status__in": tuple(sorted(str(s.value) for s in statuses))} if statuses else None
        return self.page(Opportunity, "customer_id", opportunity_scope, first, after, where, plain=True)

    @property
    def customer_visible(self) -> DataLoader[UUID, bool]:
        """Whether the caller may see each customer (the customers subgraph's own rule, read through
        resolvers/common/customer_directory.py): one statement for a whole page of opportunities."""

        async def load(ids: list[UUID]) -> list[bool]:
            seen = await visible_customers(self.require_principal(), ids)
            return [id in seen for id in ids]

        return self._get(("customer_visible",), lambda: DataLoader(load_fn=load))

    @property
    def follow_ups(self) -> DataLoader[UUID, list[OpportunityFollowUp]]:
        """跟进记录 of each opportunity, oldest first."""
        return self.children(OpportunityFollowUp, "opportunity_id", follow_up_scope)

    @property
    def qr_code(self) -> DataLoader[UUID, QrCode | None]:
        return self.entity(QrCode, qr_code_scope)
