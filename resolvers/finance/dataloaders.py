"""Finance loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.finance import FinancialProduct, FinancingNeed, Institution
from resolvers.common.loading import LoaderRegistry
from security.scopes import institution_scope, need_scope, product_scope


class FinanceLoaders(LoaderRegistry):
    @property
    def institution(self) -> DataLoader[Any, Institution | None]:
        return self.entity(Institution, institution_scope)

    @property
    def institution_of_org(self) -> DataLoader[UUID, Institution | None]:
        scope = self.scope(institution_scope)

        async def load(org_ids: Sequence[UUID]) -> list[Institution | None]:
            rows = {row.org_id: row for row in await Institution.filter(scope.q(), org_id__in=list(org_ids))}
            return [rows.get(org_id) for org_id in org_ids]

        return self._get(("institution_of_org",), lambda: DataLoader(load_fn=load))

    @property
    def product(self) -> DataLoader[Any, FinancialProduct | None]:
        return self.entity(FinancialProduct, product_scope)

    @property
    def need(self) -> DataLoader[Any, FinancingNeed | None]:
        return self.entity(FinancingNeed, need_scope)

    def products_of_institution(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(FinancialProduct, "institution_id", product_scope, first, after)

    def needs_of_applicant(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(FinancingNeed, "applicant_id", need_scope, first, after)

    def needs_grabbed_by(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(FinancingNeed, "grabbed_by_id", need_scope, first, after)
