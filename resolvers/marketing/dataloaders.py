"""Marketing loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader

from models.marketing import Opportunity
from resolvers.common.loading import LoaderRegistry
from resolvers.marketing.scopes import opportunity_scope


class MarketingLoaders(LoaderRegistry):
    @property
    def opportunity(self) -> DataLoader[Any, Opportunity | None]:
        return self.entity(Opportunity, opportunity_scope)

    def opportunities_of_customer(
        self, first: int, after: str | None, statuses: tuple[str, ...] | None = None
    ) -> DataLoader[Any, Any]:
        where = {"status__in": statuses} if statuses else None
        return self.page(Opportunity, "customer_id", opportunity_scope, first, after, where)
