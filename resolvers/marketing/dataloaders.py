"""Marketing loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.marketing import (
    Audience,
    Campaign,
    CampaignTemplate,
    CampaignWave,
    Opportunity,
    OpportunityStatus,
)
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.marketing.points import Points, points_of
from resolvers.marketing.scopes import (
    audience_scope,
    campaign_scope,
    opportunity_scope,
    template_scope,
    wave_scope,
)
from resolvers.marketing.waves import WaveFigures, wave_figures


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

    @property
    def campaign(self) -> DataLoader[UUID, Campaign | None]:
        return self.entity(Campaign, campaign_scope)

    @property
    def campaign_template(self) -> DataLoader[UUID, CampaignTemplate | None]:
        return self.entity(CampaignTemplate, template_scope)

    @property
    def waves_of_campaign(self) -> DataLoader[UUID, list[CampaignWave]]:
        """A campaign's waves in order (the campaign was read in scope)."""
        return self.children(CampaignWave, "campaign_id", wave_scope, order=("number",))

    @property
    def wave_figures(self) -> DataLoader[UUID, WaveFigures]:
        async def load(ids: list[UUID]) -> list[WaveFigures]:
            return await wave_figures(ids)

        return self._get(("wave_figures",), lambda: DataLoader(load_fn=load))

    def points_of_customer(self, latest: int) -> DataLoader[UUID, Points | None]:
        """积分 of each customer the caller may see (None otherwise): three statements a batch."""

        async def load(ids: list[UUID]) -> list[Points | None]:
            return await points_of(self.require_principal(), ids, latest)

        return self._get(("points", latest), lambda: DataLoader(load_fn=load))
