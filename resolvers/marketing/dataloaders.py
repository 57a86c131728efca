"""Marketing loaders, one per relation, scoped to the caller; a fresh registry per request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from models.marketing import (
    ArticleEvent,
    Audience,
    Campaign,
    CampaignTemplate,
    CampaignWave,
    ContentCategory,
    IndicatorSplit,
    MarketingScheme,
    Opportunity,
    OpportunityFollowUp,
    OpportunityStatus,
    PerformanceIndicator,
    SchemeIndicator,
    WorkOrder,
    WorkReport,
)
from resolvers.common.customer_directory import visible_customers
from resolvers.common.loading import LoaderRegistry
from resolvers.common.pagination import Page
from resolvers.common.product_directory import ListedProduct, listed_products
from resolvers.marketing.points import Points, points_of
from resolvers.marketing.scopes import (
    article_event_scope,
    audience_scope,
    campaign_scope,
    follow_up_scope,
    indicator_scope,
    opportunity_scope,
    scheme_part_scope,
    scheme_scope,
    template_scope,
    wave_scope,
    work_order_scope,
    work_report_scope,
)
from resolvers.marketing.waves import WaveFigures, wave_figures
from resolvers.marketing.work_orders import SchemeFigures, scheme_figures
from security.conditions import Cond


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

    # -- 内容管理 / 产品推荐位 (issue 17): the portal's public reads have no caller, so these two
    # loaders need none (a category is reference data; a listed product is what any visitor sees).

    @property
    def category(self) -> DataLoader[UUID, ContentCategory | None]:
        return self._get((ContentCategory, "public"), lambda: DataLoader(_load_categories))

    @property
    def listed_product(self) -> DataLoader[UUID, ListedProduct | None]:
        """产品推荐位: LISTED finance products by id (resolvers/common/product_directory.py)."""
        return self._get((ListedProduct, "public"), lambda: DataLoader(_load_listed))

    @property
    def article_history(self) -> DataLoader[UUID, list[ArticleEvent]]:
        """Each article's workflow steps, oldest first (the caller's own portal's: its editors)."""
        return self.children(ArticleEvent, "article_id", article_event_scope)

    # -- 营销方案 and 营销工单 ------------------------------------------------------------------------

    @property
    def scheme(self) -> DataLoader[UUID, MarketingScheme | None]:
        return self.entity(MarketingScheme, scheme_scope)

    @property
    def work_order(self) -> DataLoader[UUID, WorkOrder | None]:
        return self.entity(WorkOrder, work_order_scope)

    @property
    def indicators_of_scheme(self) -> DataLoader[UUID, list[SchemeIndicator]]:
        return self.children(SchemeIndicator, "scheme_id", scheme_part_scope, order=("kind", "id"))

    @property
    def splits_of_scheme(self) -> DataLoader[UUID, list[IndicatorSplit]]:
        return self.children(IndicatorSplit, "scheme_id", scheme_part_scope, order=("org_path", "id"))

    @property
    def scheme_figures(self) -> DataLoader[UUID, SchemeFigures]:
        """Work-order figures per scheme within the caller's work-order scope."""
        return self._get(("scheme_figures",), lambda: figures_by_scheme(self.scope(work_order_scope)))

    @property
    def performance_indicator(self) -> DataLoader[UUID, PerformanceIndicator | None]:
        """业绩指标 of a target (its bank's staff)."""
        return self.entity(PerformanceIndicator, indicator_scope)

    @property
    def audience(self) -> DataLoader[UUID, Audience | None]:
        return self.entity(Audience, audience_scope)

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

    # -- 工作报告 (work reports, issue 19) --
    @property
    def work_report(self) -> DataLoader[UUID, WorkReport | None]:
        return self.entity(WorkReport, work_report_scope)


async def _load_categories(ids: Sequence[UUID]) -> list[ContentCategory | None]:
    rows = {row.id: row for row in await ContentCategory.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def _load_listed(ids: Sequence[UUID]) -> list[ListedProduct | None]:
    found = await listed_products(ids)
    return [found.get(i) for i in ids]


def figures_by_scheme(scope: Cond) -> DataLoader[UUID, SchemeFigures]:
    """Each scheme's work-order figures within the caller's scope: one grouped statement a batch."""

    async def load(ids: Sequence[UUID]) -> list[SchemeFigures]:
        figures = await scheme_figures(scope, ids)
        return [figures[id] for id in ids]

    return DataLoader(load_fn=load)
