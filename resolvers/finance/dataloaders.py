"""Finance loaders, one per relation; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.finance import FinancialProduct, FinancingNeed, Institution
from resolvers.common.loading import LoaderRegistry, by_id, page_by


async def _institutions_of_orgs(org_ids: Sequence[UUID]) -> list[Institution | None]:
    rows = {row.org_id: row for row in await Institution.filter(org_id__in=list(org_ids))}
    return [rows.get(org_id) for org_id in org_ids]


class FinanceLoaders(LoaderRegistry):
    @cached_property
    def institution(self) -> DataLoader[Any, Institution | None]:
        return by_id(Institution)

    @cached_property
    def institution_of_org(self) -> DataLoader[UUID, Institution | None]:
        return DataLoader(load_fn=_institutions_of_orgs)

    @cached_property
    def product(self) -> DataLoader[Any, FinancialProduct | None]:
        return by_id(FinancialProduct)

    @cached_property
    def need(self) -> DataLoader[Any, FinancingNeed | None]:
        return by_id(FinancingNeed)

    def products_of_institution(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(
            ("products_of_institution", first, after),
            lambda: page_by(FinancialProduct, "institution_id", first, after),
        )

    def needs_of_applicant(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(
            ("needs_of_applicant", first, after), lambda: page_by(FinancingNeed, "applicant_id", first, after)
        )

    def needs_grabbed_by(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.get(
            ("needs_grabbed_by", first, after), lambda: page_by(FinancingNeed, "grabbed_by_id", first, after)
        )
