"""Marketing loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.marketing import Audience, Opportunity, OpportunityStatus
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.marketing.scopes import audience_scope, opportunity_scope


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
    def audience(self) -> DataLoader[UUID, Audience | None]:
        return self.entity(Audience, audience_scope)
