"""Root mutations of 内容管理, 产品推荐位 and 产品知识库 (mixed into ``Mutation``, mutations.py)."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.marketing import content, knowledge
from resolvers.marketing.content import ArticleFields, Attachment
from schema.marketing.context import Info
from schema.marketing.inputs import ArticleInput, KnowledgeEntryInput
from schema.marketing.types.content import Article, KnowledgeEntry, RecommendationSlot


def _fields(input: ArticleInput) -> ArticleFields:
    return ArticleFields(
        category_id=parse_id(input.category_id, "categoryId"),
        title=input.title,
        summary=input.summary,
        body=input.body,
        cover_url=input.cover_url,
        link_url=input.link_url,
        source=input.source,
        attachments=[Attachment(a.name, a.url) for a in input.attachments],
        published_at=input.published_at,
        pinned=input.pinned,
        sort_order=input.sort_order,
    )


@strawberry.type
class ContentMutation:
    @strawberry.federation.mutation(description="撰写文章 (草稿)", authenticated=True)
    async def create_article(
        self, info: Info, input: ArticleInput, idempotency_key: str | None = None
    ) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.create_article(principal, _fields(input), idempotency_key))

    @strawberry.federation.mutation(description="修改文章 (草稿 / 已驳回)", authenticated=True)
    async def update_article(self, info: Info, id: strawberry.ID, input: ArticleInput) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.update_article(principal, parse_id(id), _fields(input)))

    @strawberry.federation.mutation(description="提交审核", authenticated=True)
    async def submit_article(self, info: Info, id: strawberry.ID) -> Article:
        return cast(Article, await content.submit_article(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="审核文章: approve publishes, else rejects (a comment needed); never one's own",
        authenticated=True,
    )
    async def review_article(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.review_article(principal, parse_id(id), approve, comment))

    @strawberry.federation.mutation(description="移入回收站", authenticated=True)
    async def recycle_article(self, info: Info, id: strawberry.ID, comment: str = "") -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.recycle_article(principal, parse_id(id), comment))

    @strawberry.federation.mutation(description="从回收站恢复 (as a draft)", authenticated=True)
    async def restore_article(self, info: Info, id: strawberry.ID) -> Article:
        return cast(Article, await content.restore_article(info.context.require_principal(), parse_id(id)))

    @strawberry.federation.mutation(
        description="彻底删除 (recycled articles only); the id", authenticated=True
    )
    async def purge_article(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        gone = await content.purge_article(info.context.require_principal(), parse_id(id))
        return strawberry.ID(str(gone))

    @strawberry.federation.mutation(description="置顶 / 排序", authenticated=True)
    async def pin_article(self, info: Info, id: strawberry.ID, pinned: bool, sort_order: int = 0) -> Article:
        principal = info.context.require_principal()
        return cast(Article, await content.pin_article(principal, parse_id(id), pinned, sort_order))

    @strawberry.federation.mutation(
        description="设置产品推荐位: LISTED finance products, in order (replaces the slot's list)",
        authenticated=True,
    )
    async def set_recommendation_slot(
        self, info: Info, code: str, name: str, product_ids: list[strawberry.ID]
    ) -> RecommendationSlot:
        principal = info.context.require_principal()
        ids = [parse_id(i, "productIds") for i in product_ids]
        return cast(RecommendationSlot, await knowledge.set_slot(principal, code, name, ids))

    @strawberry.federation.mutation(description="新增产品知识库条目 (head office)", authenticated=True)
    async def create_knowledge_entry(
        self, info: Info, input: KnowledgeEntryInput, idempotency_key: str | None = None
    ) -> KnowledgeEntry:
        principal = info.context.require_principal()
        entry = await knowledge.create_entry(
            principal, input.kind, input.title, input.body, input.product_name, idempotency_key
        )
        return cast(KnowledgeEntry, entry)

    @strawberry.federation.mutation(description="修改产品知识库条目", authenticated=True)
    async def update_knowledge_entry(
        self, info: Info, id: strawberry.ID, input: KnowledgeEntryInput
    ) -> KnowledgeEntry:
        principal = info.context.require_principal()
        entry = await knowledge.update_entry(
            principal, parse_id(id), input.kind, input.title, input.body, input.product_name
        )
        return cast(KnowledgeEntry, entry)

    @strawberry.federation.mutation(description="删除产品知识库条目; the id", authenticated=True)
    async def delete_knowledge_entry(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        gone = await knowledge.delete_entry(info.context.require_principal(), parse_id(id))
        return strawberry.ID(str(gone))
