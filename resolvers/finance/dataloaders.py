"""Finance loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.finance import (
    FinancialProduct,
    FinancingNeed,
    Handling,
    Institution,
    NeedMatch,
    PreCreditOffer,
    ProductApplication,
    RiskPrompt,
    SlaPolicy,
    SupervisionAction,
    SupervisionWarning,
)
from resolvers.common.loading import LoaderRegistry
from resolvers.finance.deadlines import policies_of
from resolvers.finance.scopes import (
    action_scope,
    application_scope,
    handling_scope,
    institution_scope,
    need_scope,
    offer_scope,
    product_scope,
    supervision_scope,
)


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
    def sla_policy(self) -> DataLoader[UUID, SlaPolicy]:
        return self._get(("sla_policy",), lambda: DataLoader(load_fn=policies_of))

    @property
    def product(self) -> DataLoader[Any, FinancialProduct | None]:
        return self.entity(FinancialProduct, product_scope)

    @property
    def need(self) -> DataLoader[Any, FinancingNeed | None]:
        return self.entity(FinancingNeed, need_scope)

    @property
    def application(self) -> DataLoader[Any, ProductApplication | None]:
        return self.entity(ProductApplication, application_scope)

    @property
    def handling(self) -> DataLoader[Any, Handling | None]:
        return self.entity(Handling, handling_scope)

    def handlings_of(self, kind: str) -> DataLoader[UUID, list[Handling]]:
        """An order's handlings (``kind`` "need" or "application"), those the caller may see."""
        return self.children(Handling, f"{kind}_id", handling_scope)

    def handlers_of(self, kind: str) -> DataLoader[UUID, set[UUID]]:
        """Who grabbed an order: decides whether its contact details show in full. Unscoped, as
        it only answers "is the caller one of them"."""

        async def load(order_ids: Sequence[UUID]) -> list[set[UUID]]:
            handlers: dict[str, set[UUID]] = defaultdict(set)
            rows = Handling.filter(**{f"{kind}_id__in": list(order_ids), "handler_id__isnull": False})
            for order_id, handler_id in await rows.values_list(f"{kind}_id", "handler_id"):
                handlers[str(order_id)].add(handler_id)
            return [handlers.get(str(i), set()) for i in order_ids]

        return self._get(("handlers_of", kind), lambda: DataLoader(load_fn=load))

    @property
    def need_views(self) -> DataLoader[UUID, int]:
        async def load(need_ids: Sequence[UUID]) -> list[int]:
            viewed = NeedMatch.filter(need_id__in=list(need_ids), viewed_at__isnull=False)
            counts = Counter(str(need_id) for need_id in await viewed.values_list("need_id", flat=True))
            return [counts.get(str(i), 0) for i in need_ids]

        return self._get(("need_views",), lambda: DataLoader(load_fn=load))

    @property
    def offer(self) -> DataLoader[Any, PreCreditOffer | None]:
        return self.entity(PreCreditOffer, offer_scope)

    @property
    def offer_of_handling(self) -> DataLoader[UUID, PreCreditOffer | None]:
        scope = self.scope(offer_scope)

        async def load(ids: Sequence[UUID]) -> list[PreCreditOffer | None]:
            rows = {
                row.handling_id: row
                for row in await PreCreditOffer.filter(scope.q(), handling_id__in=list(ids))
            }
            return [rows.get(i) for i in ids]

        return self._get(("offer_of_handling",), lambda: DataLoader(load_fn=load))

    @property
    def offers_of_need(self) -> DataLoader[UUID, list[PreCreditOffer]]:
        return self.children(PreCreditOffer, "need_id", offer_scope)

    @property
    def risk_prompts_of(self) -> DataLoader[UUID, list[RiskPrompt]]:
        return self.children(RiskPrompt, "handling_id", supervision_scope)

    @property
    def warnings_of(self) -> DataLoader[UUID, list[SupervisionWarning]]:
        return self.children(SupervisionWarning, "handling_id", supervision_scope)

    @property
    def actions_of(self) -> DataLoader[UUID, list[SupervisionAction]]:
        return self.children(SupervisionAction, "handling_id", action_scope)

    def products_of_institution(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(FinancialProduct, "institution_id", product_scope, first, after)

    def needs_of_applicant(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(FinancingNeed, "applicant_id", need_scope, first, after)

    def handlings_of_handler(self, first: int, after: str | None) -> DataLoader[Any, Any]:
        return self.page(Handling, "handler_id", handling_scope, first, after)
