"""Marketing types: 内容管理 (portal articles, categories, search hits), 产品推荐位 (recommendation
slots) and 产品知识库 (knowledge entries).

None of these is a federation entity: a portal visitor reads them without logging in, and the
supergraph's ``_entities`` are for signed-in callers. A slot's products are the LISTED products of
the finance marketplace as plain values (resolvers/common/product_directory.py), for the same reason.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import strawberry

from models.marketing import Article as ArticleRow
from models.marketing import KnowledgeEntry as KnowledgeRow
from models.marketing import RecommendationSlot as SlotRow
from resolvers.common.product_directory import ListedProduct
from resolvers.marketing.content import ArticleHit
from resolvers.marketing.scopes import article_scope
from resolvers.marketing.search import Hit
from schema.marketing.context import Info
from schema.marketing.enums import ArticleStatus, KnowledgeKind


@strawberry.type(description="栏目 (国家/省/市/县政策, 新闻动态, 金融知识, 轮播图, 友情链接)")
class ContentCategory:
    id: strawberry.ID
    code: str
    name: str
    section: str = strawberry.field(description="POLICY / NEWS / EDUCATION / BANNER / LINK")
    sort_order: int


@strawberry.type(description="附件")
class ArticleAttachment:
    name: str
    url: str


@strawberry.type(description="文章流转记录: who, when, from → to, comment")
class ArticleEvent:
    action: str = strawberry.field(
        description="CREATE / UPDATE / SUBMIT / PUBLISH / REJECT / RECYCLE / RESTORE"
    )
    actor_id: strawberry.ID
    from_status: str
    to_status: str
    comment: str
    created_at: datetime


@strawberry.type(description="文章 of a portal")
class Article:
    id: strawberry.ID
    title: str
    summary: str
    body: str
    cover_url: str = strawberry.field(description="封面图 (轮播图: the picture)")
    link_url: str = strawberry.field(description="友情链接 / 轮播图 target")
    source: str
    published_at: datetime | None = strawberry.field(description="发布日期")
    pinned: bool = strawberry.field(description="置顶")
    sort_order: int
    status: ArticleStatus
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="附件")
    @staticmethod
    def attachments(parent: strawberry.Parent[ArticleRow]) -> list[ArticleAttachment]:
        return [
            ArticleAttachment(name=str(a.get("name", "")), url=str(a.get("url", "")))
            for a in parent.attachments
        ]

    @strawberry.field(description="栏目")
    @staticmethod
    async def category(parent: strawberry.Parent[ArticleRow], info: Info) -> ContentCategory | None:
        return cast(ContentCategory | None, await info.context.loaders.category.load(parent.category_id))

    @strawberry.field(description="审核意见 (editors of the article's own portal; empty for anyone else)")
    @staticmethod
    def review_comment(parent: strawberry.Parent[ArticleRow], info: Info) -> str:
        return parent.review_comment if _editor(parent, info) else ""

    @strawberry.field(description="流转记录 (editors of the article's own portal; empty for anyone else)")
    @staticmethod
    async def history(parent: strawberry.Parent[ArticleRow], info: Info) -> list[ArticleEvent]:
        if not _editor(parent, info):
            return []
        return cast(list[ArticleEvent], await info.context.loaders.article_history.load(parent.id))


def _editor(article: ArticleRow, info: Info) -> bool:
    """The caller edits the article's portal (``article_scope``): the review's inner workings are
    theirs, not the public's."""
    principal = info.context.principal
    return principal is not None and article_scope(principal).test(article)


@strawberry.type(description="全文检索命中: the article, its rank and highlights (<mark>)")
class ArticleSearchHit:
    article: Article
    rank: float
    title_highlight: str = strawberry.field(description="标题, HTML-escaped, matches in <mark>")
    snippet: str = strawberry.field(description="摘要片段, HTML-escaped, matches in <mark>")

    @staticmethod
    def of(hit: ArticleHit) -> ArticleSearchHit:
        return ArticleSearchHit(
            article=cast(Article, hit.article), rank=hit.rank, title_highlight=hit.title, snippet=hit.snippet
        )


@strawberry.type(description="推荐产品: a LISTED product of the finance marketplace (金融超市)")
class SlotProduct:
    id: strawberry.ID
    name: str
    product_type: str
    logo_url: str
    institution_name: str
    rate_min: Decimal
    rate_max: Decimal
    max_amount: Decimal
    term_months: int

    @staticmethod
    def of(product: ListedProduct) -> SlotProduct:
        return SlotProduct(
            id=strawberry.ID(str(product.id)),
            name=product.name,
            product_type=product.product_type,
            logo_url=product.logo_url,
            institution_name=product.institution_name,
            rate_min=product.rate_min,
            rate_max=product.rate_max,
            max_amount=product.max_amount,
            term_months=product.term_months,
        )


@strawberry.type(description="产品推荐位")
class RecommendationSlot:
    id: strawberry.ID
    code: str
    name: str
    updated_at: datetime

    @strawberry.field(description="推荐产品, in order; a product no longer LISTED is left out")
    @staticmethod
    async def products(parent: strawberry.Parent[SlotRow], info: Info) -> list[SlotProduct]:
        from uuid import UUID

        loaded: list[Any] = await info.context.loaders.listed_product.load_many(
            [UUID(i) for i in parent.product_ids]
        )
        return [SlotProduct.of(p) for p in loaded if p is not None]


@strawberry.type(description="产品知识库条目")
class KnowledgeEntry:
    id: strawberry.ID
    kind: KnowledgeKind
    title: str
    body: str
    product_name: str
    created_by_id: strawberry.ID
    created_at: datetime
    updated_at: datetime


@strawberry.type(description="知识库检索命中")
class KnowledgeSearchHit:
    entry: KnowledgeEntry
    rank: float
    title_highlight: str
    snippet: str

    @staticmethod
    def of(row: KnowledgeRow, hit: Hit) -> KnowledgeSearchHit:
        return KnowledgeSearchHit(
            entry=cast(KnowledgeEntry, row), rank=hit.rank, title_highlight=hit.title, snippet=hit.snippet
        )
