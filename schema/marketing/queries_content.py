"""Root queries of 内容管理, 产品推荐位 and 产品知识库 (mixed into ``Query``, queries.py).

``contentCategories``, ``publishedArticles``, ``article``, ``searchArticles`` and
``recommendationSlot`` are open to anonymous callers (schema/common/authentication.py
``ANONYMOUS_FIELDS``): a portal's visitors read its published content without logging in. They
name the portal by ``portal``, the id of the org tenant that runs it.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.common.pagination import Edge, Page
from resolvers.common.values import parse_id
from resolvers.marketing import content, knowledge
from schema.common.connection import Connection
from schema.marketing.context import Info
from schema.marketing.enums import ArticleStatus, KnowledgeKind
from schema.marketing.types.content import (
    Article,
    ArticleSearchHit,
    ContentCategory,
    KnowledgeEntry,
    KnowledgeSearchHit,
    RecommendationSlot,
)


@strawberry.type
class ContentQuery:
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
