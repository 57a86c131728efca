"""Marketing loaders, one per relation; a fresh registry per request."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from models.marketing import Opportunity
from resolvers.common.loading import LoaderRegistry, by_id, page_by


class MarketingLoaders(LoaderRegistry):
    @cached_property
    def opportunity(self) -> DataLoader[Any, Opportunity | None]:
        return by_id(Opportunity)

    def opportunities_of_customer(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(
            ("opportunities_of_customer", first, after),
            lambda: page_by(Opportunity, "customer_id", first, after),
        )
