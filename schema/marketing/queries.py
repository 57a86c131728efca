"""Every root query of the marketing subgraph: parse, call resolvers/marketing, return.

``contentCategories``, ``publishedArticles``, ``article``, ``searchArticles`` and
``recommendationSlot`` are open to anonymous callers (schema/common/authentication.py
``ANONYMOUS_FIELDS``): a portal's visitors read its published content without logging in. They
name the portal by ``portal``, the id of the org tenant that runs it."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry

from resolvers.common.errors import not_found
from resolvers.common.pagination import Edge, Page
from resolvers.common.values import parse_id
from resolvers.marketing import content, knowledge, performance, performance_scores, pool, reports, scan
from resolvers.marketing.audiences import list_audiences, preview_audience
from resolvers.marketing.campaigns import list_campaigns, list_templates
from resolvers.marketing.messages import my_inbox
from resolvers.marketing.opportunities import list_opportunities
from resolvers.marketing.scenarios import SCENARIOS
from resolvers.marketing.schemes import list_schemes, list_targets, visible_scheme
from resolvers.marketing.work_orders import list_work_orders
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import (
    ArticleStatus,
    CampaignStatus,
    KnowledgeKind,
    OpportunityStatus,
    SchemeStatus,
    TargetLevel,
    TargetStatus,
    WorkOrderStatus,
    WorkReportPeriod,
    WorkReportStatus,
)
from schema.marketing.inputs import AudienceCriteriaInput, ConversionFilter
from schema.marketing.types.audiences import Audience, AudiencePreview
from schema.marketing.types.canvas import Campaign, CampaignScenario, CampaignTemplate
from schema.marketing.types.content import (
    Article,
    ArticleSearchHit,
    ContentCategory,
    KnowledgeEntry,
    KnowledgeSearchHit,
    RecommendationSlot,
)
from schema.marketing.types.messages import InboxMessage
from schema.marketing.types.opportunities import ConversionRow, ConversionStats, Opportunity, QrCode
from schema.marketing.types.performance import (
    LeaderboardEntry,
    PerformanceDashboard,
    PerformanceIndicator,
    PerformanceTarget,
    PerformanceTargetChange,
)
from schema.marketing.types.reports import WorkReport
from schema.marketing.types.schemes import MarketingScheme, SchemeTarget, WorkOrder


@strawberry.type
class Query:
    @strawberry.field(description="商机池")
    async def opportunities(
        self, info: Info, first: int = 20, after: str | None = None, status: OpportunityStatus | None = None
    ) -> Connection[Opportunity]:
        page = await list_opportunities(info.context.require_principal(), first, after, status)
        return cast(Connection[Opportunity], page)

    # -- 营销方案 and 营销工单 ---------------------------------------------------------------------

    @strawberry.field(description="营销方案 (总行: 本行; 支行负责人: 辖内及上级下达; 客户经理: 覆盖本机构的)")
    async def marketing_schemes(
        self, info: Info, first: int = 20, after: str | None = None, status: SchemeStatus | None = None
    ) -> Connection[MarketingScheme]:
        page = await list_schemes(info.context.require_principal(), first, after, status)
        return cast(Connection[MarketingScheme], page)

    @strawberry.field(description="一个营销方案")
    async def marketing_scheme(self, info: Info, id: strawberry.ID) -> MarketingScheme:
        scheme = await visible_scheme(info.context.require_principal(), parse_id(id))
        return cast(MarketingScheme, scheme)

    @strawberry.field(description="目标名单; unallocated: 只看待分配的 (名单分配)")
    async def scheme_targets(
        self,
        info: Info,
        scheme_id: strawberry.ID,
        first: int = 20,
        after: str | None = None,
        unallocated: bool = False,
    ) -> Connection[SchemeTarget]:
        principal = info.context.require_principal()
        page = await list_targets(principal, parse_id(scheme_id, "schemeId"), first, after, unallocated)
        return cast(Connection[SchemeTarget], page)

    @strawberry.field(description="营销工单 (客户经理: 我的工单); mine: 只看本人的")
    async def work_orders(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        scheme_id: strawberry.ID | None = None,
        status: list[WorkOrderStatus] | None = None,
        mine: bool = False,
    ) -> Connection[WorkOrder]:
        principal = info.context.require_principal()
        scheme = parse_id(scheme_id, "schemeId") if scheme_id is not None else None
        page = await list_work_orders(principal, first, after, scheme, status, mine)
        return cast(Connection[WorkOrder], page)

    @strawberry.field(description="一张营销工单")
    async def work_order(self, info: Info, id: strawberry.ID) -> WorkOrder:
        order = await info.context.loaders.work_order.load(parse_id(id))
        if order is None:
            raise not_found("work order")
        return cast(WorkOrder, order)

    @strawberry.field(description="目标客群 of the caller's bank")
    async def audiences(self, info: Info, first: int = 20, after: str | None = None) -> Connection[Audience]:
        page = await list_audiences(info.context.require_principal(), first, after)
        return cast(Connection[Audience], page)

    @strawberry.field(description="客群预估: how many customers of the caller's bank the criteria select now")
    async def audience_preview(self, info: Info, criteria: AudienceCriteriaInput) -> AudiencePreview:
        count = await preview_audience(info.context.require_principal(), criteria.plain())
        return AudiencePreview(count=count)

    # 商机池 / 我的商机 / 二维码 / 商机统计 (resolvers/marketing/pool.py, scan.py) --

    @strawberry.field(description="商机池: the OPEN opportunities of my bank, to claim (认领)")
    async def opportunity_pool(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Opportunity]:
        page = await pool.list_pool(info.context.require_principal(), first, after)
        return cast(Connection[Opportunity], page)

    @strawberry.field(description="我的商机: claimed by (or given to) me, newest first")
    async def my_opportunities(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: list[OpportunityStatus] | None = None,
    ) -> Connection[Opportunity]:
        page = await pool.list_mine(info.context.require_principal(), first, after, status)
        return cast(Connection[Opportunity], page)

    @strawberry.field(description="营销二维码 of my org subtree, newest first")
    async def qr_codes(self, info: Info, first: int = 20, after: str | None = None) -> Connection[QrCode]:
        page = await scan.list_qr_codes(info.context.require_principal(), first, after)
        return cast(Connection[QrCode], page)

    @strawberry.field(description="商机统计分析: per org and per manager, over what I may see")
    async def opportunity_stats(self, info: Info, filter: ConversionFilter | None = None) -> ConversionStats:
        f = filter or ConversionFilter()
        stats = await pool.conversion_stats(
            info.context.require_principal(),
            org_id=parse_id(f.org_id, "orgId") if f.org_id is not None else None,
            manager_id=parse_id(f.manager_id, "managerId") if f.manager_id is not None else None,
            since=f.since,
            until=f.until,
        )
        return ConversionStats(
            by_org=[_conversion_row(row) for row in stats.by_org],
            by_manager=[_conversion_row(row) for row in stats.by_manager],
        )

    @strawberry.field(description="场景库: the canvas scenarios shipped")
    def campaign_scenarios(self, info: Info) -> list[CampaignScenario]:
        info.context.require_principal()
        return cast(list[CampaignScenario], list(SCENARIOS))

    @strawberry.field(description="营销画布模板 the caller's bank has (its own and those sent down to it)")
    async def campaign_templates(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[CampaignTemplate]:
        page = await list_templates(info.context.require_principal(), first, after)
        return cast(Connection[CampaignTemplate], page)

    @strawberry.field(description="营销活动 (canvas) of the caller's bank")
    async def campaigns(
        self, info: Info, first: int = 20, after: str | None = None, status: CampaignStatus | None = None
    ) -> Connection[Campaign]:
        page = await list_campaigns(info.context.require_principal(), first, after, status)
        return cast(Connection[Campaign], page)

    @strawberry.field(description="营销活动; null when unknown or out of scope")
    async def campaign(self, info: Info, id: strawberry.ID) -> Campaign | None:
        campaign = await info.context.loaders.campaign.load(parse_id(id))
        return cast(Campaign | None, campaign)

    @strawberry.field(description="站内信: the caller's own")
    async def inbox(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[InboxMessage]:
        page = await my_inbox(info.context.require_principal(), first, after, unread_only)
        return cast(Connection[InboxMessage], page)

    # -- 内容管理, 产品推荐位, 产品知识库 (content.py, knowledge.py): the public fields need no login --

    @strawberry.field(description="栏目 (public)")
    async def content_categories(self) -> list[ContentCategory]:
        return cast(list[ContentCategory], await content.categories())

    @strawberry.field(description="门户已发布文章 (public): pinned first, then by order, newest first")
    async def published_articles(
        self,
        portal: strawberry.ID,
        first: int = 20,
        after: str | None = None,
        category_id: strawberry.ID | None = None,
    ) -> Connection[Article]:
        page = await content.published_articles(
            parse_id(portal, "portal"),
            first,
            after,
            parse_id(category_id, "categoryId") if category_id is not None else None,
        )
        return cast(Connection[Article], page)

    @strawberry.field(
        description="文章: public when published, any state for its portal's editors; else NOT_FOUND"
    )
    async def article(self, info: Info, id: strawberry.ID) -> Article:
        row = await content.visible_article(info.context.principal, parse_id(id))
        return cast(Article, row)

    @strawberry.field(
        description="全文检索 of a portal's published articles (public), best first, highlighted"
    )
    async def search_articles(
        self,
        portal: strawberry.ID,
        query: str,
        first: int = 20,
        after: str | None = None,
        category_id: strawberry.ID | None = None,
        published_from: datetime | None = None,
        published_to: datetime | None = None,
    ) -> Connection[ArticleSearchHit]:
        page = await content.search_articles(
            parse_id(portal, "portal"),
            query,
            first,
            after,
            parse_id(category_id, "categoryId") if category_id is not None else None,
            published_from,
            published_to,
        )
        hits = Page([Edge(e.cursor, ArticleSearchHit.of(e.node)) for e in page.edges], page.page_info)
        return cast(Connection[ArticleSearchHit], hits)

    @strawberry.field(description="产品推荐位 of a portal (public); null when it has none by that code")
    async def recommendation_slot(self, portal: strawberry.ID, code: str) -> RecommendationSlot | None:
        slot = await knowledge.recommendation_slot(parse_id(portal, "portal"), code)
        return cast(RecommendationSlot | None, slot)

    @strawberry.field(description="本门户文章 (editors: every state), newest first")
    async def articles(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: ArticleStatus | None = None,
        category_id: strawberry.ID | None = None,
    ) -> Connection[Article]:
        page = await content.list_articles(
            info.context.require_principal(),
            first,
            after,
            status,
            parse_id(category_id, "categoryId") if category_id is not None else None,
        )
        return cast(Connection[Article], page)

    @strawberry.field(description="本门户的产品推荐位 (editors)")
    async def recommendation_slots(self, info: Info) -> list[RecommendationSlot]:
        return cast(list[RecommendationSlot], await knowledge.list_slots(info.context.require_principal()))

    @strawberry.field(description="产品知识库 of the caller's bank (its staff), newest first")
    async def knowledge_entries(
        self, info: Info, first: int = 20, after: str | None = None, kind: KnowledgeKind | None = None
    ) -> Connection[KnowledgeEntry]:
        page = await knowledge.list_entries(info.context.require_principal(), first, after, kind)
        return cast(Connection[KnowledgeEntry], page)

    @strawberry.field(description="产品知识库条目; NOT_FOUND outside the caller's bank")
    async def knowledge_entry(self, info: Info, id: strawberry.ID) -> KnowledgeEntry:
        row = await knowledge.visible_entry(info.context.require_principal(), parse_id(id))
        return cast(KnowledgeEntry, row)

    @strawberry.field(description="全文检索 of the caller's bank's knowledge base, best first, highlighted")
    async def search_knowledge(
        self,
        info: Info,
        query: str,
        first: int = 20,
        after: str | None = None,
        kind: KnowledgeKind | None = None,
    ) -> Connection[KnowledgeSearchHit]:
        page = await knowledge.search_entries(info.context.require_principal(), query, first, after, kind)
        hits = Page([Edge(e.cursor, KnowledgeSearchHit.of(*e.node)) for e in page.edges], page.page_info)
        return cast(Connection[KnowledgeSearchHit], hits)

    # -- 业绩管理 (resolvers/marketing/performance.py, performance_scores.py) ---------------------

    @strawberry.field(description="业绩指标 (指标管理): 本行员工可见; includeInactive: 含已停用")
    async def performance_indicators(
        self, info: Info, include_inactive: bool = False
    ) -> list[PerformanceIndicator]:
        rows = await performance.list_indicators(info.context.require_principal(), include_inactive)
        return cast(list[PerformanceIndicator], rows)

    @strawberry.field(
        description="业绩目标 of a period (2026-12 / 2026-Q4 / 2026): 总行全行, 支行负责人辖内, 客户经理本人"
    )
    async def performance_targets(
        self,
        info: Info,
        period: str,
        first: int = 50,
        after: str | None = None,
        level: TargetLevel | None = None,
        status: TargetStatus | None = None,
    ) -> Connection[PerformanceTarget]:
        page = await performance.list_targets(
            info.context.require_principal(), period, first, after, level, status
        )
        return cast(Connection[PerformanceTarget], page)

    @strawberry.field(description="一个业绩目标; NOT_FOUND outside the caller's scope")
    async def performance_target(self, info: Info, id: strawberry.ID) -> PerformanceTarget:
        row = await performance.visible_target(info.context.require_principal(), parse_id(id))
        return cast(PerformanceTarget, row)

    @strawberry.field(description="目标变更记录 (留痕), newest first; targetId: 只看一个目标的")
    async def performance_target_history(
        self, info: Info, target_id: strawberry.ID | None = None, first: int = 50, after: str | None = None
    ) -> Connection[PerformanceTargetChange]:
        target = parse_id(target_id, "targetId") if target_id is not None else None
        page = await performance.target_changes(info.context.require_principal(), first, after, target)
        return cast(Connection[PerformanceTargetChange], page)

    @strawberry.field(description="经营分析看板: 客户经理本人 (含本机构内排名), 支行负责人辖内, 总行全行")
    async def performance_dashboard(self, info: Info, period: str) -> PerformanceDashboard:
        board = await performance_scores.dashboard(info.context.require_principal(), period)
        return PerformanceDashboard.of(board)

    @strawberry.field(
        description=(
            "绩效龙虎榜: 调用者范围内员工按得分排名 (总行全行, 支行负责人辖内, 客户经理本机构),"
            " 前 first 名 (1–100)"
        )
    )
    async def performance_leaderboard(
        self, info: Info, period: str, first: int = 10
    ) -> list[LeaderboardEntry]:
        rows = await performance_scores.leaderboard(info.context.require_principal(), period, first)
        return [LeaderboardEntry.of(card) for card in rows]

    # -- 工作报告 (work reports): resolvers/marketing/reports.py --
    @strawberry.field(
        description="我的工作报告 of the week (周报) or month (月报) holding day (today by default); "
        "null until drafted"
    )
    async def my_work_report(
        self, info: Info, period: WorkReportPeriod = WorkReportPeriod.WEEK, day: date | None = None
    ) -> WorkReport | None:
        row = await reports.my_report(info.context.require_principal(), period, day)
        return cast("WorkReport | None", row)

    @strawberry.field(description="我的工作报告, newest first")
    async def my_work_reports(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[WorkReport]:
        page = await reports.list_my_reports(info.context.require_principal(), first, after)
        return cast(Connection[WorkReport], page)

    @strawberry.field(
        description="下属工作报告: the submitted (and returned) reports of others I read (支行负责人: "
        "my branch's; 总行: my bank's), newest first"
    )
    async def work_reports(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: WorkReportStatus | None = None,
    ) -> Connection[WorkReport]:
        page = await reports.list_reports(info.context.require_principal(), first, after, status)
        return cast(Connection[WorkReport], page)

    @strawberry.field(description="工作报告: mine, or a submitted one I read; null otherwise")
    async def work_report(self, info: Info, id: strawberry.ID) -> WorkReport | None:
        return cast("WorkReport | None", await info.context.loaders.work_report.load(parse_id(id)))


def _conversion_row(row: pool.ConversionRow) -> ConversionRow:
    return ConversionRow(
        id=strawberry.ID(str(row.id)),
        name=row.name,
        total=row.total,
        open=row.open,
        claimed=row.claimed,
        converted=row.converted,
        closed=row.closed,
        rate=row.rate,
    )
