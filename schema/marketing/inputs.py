"""Input types of the marketing schema."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.marketing.enums import KnowledgeKind


@strawberry.input
class CreateOpportunityInput:
    customer_id: strawberry.ID
    title: str
    product_name: str = ""
    source: str = "manual"


# -- 内容管理 / 产品推荐位 / 产品知识库 (issue 17) ---------------------------------------------------


@strawberry.input(description="附件")
class ArticleAttachmentInput:
    name: str
    url: str


@strawberry.input(description="文章内容 (create / update)")
class ArticleInput:
    category_id: strawberry.ID
    title: str
    summary: str = ""
    body: str = ""
    cover_url: str = ""
    link_url: str = ""
    source: str = ""
    attachments: list[ArticleAttachmentInput] = strawberry.field(default_factory=list)
    published_at: datetime | None = strawberry.field(
        default=None, description="发布日期; null: when published"
    )
    pinned: bool = False
    sort_order: int = 0


@strawberry.input(description="产品知识库条目")
class KnowledgeEntryInput:
    kind: KnowledgeKind
    title: str
    body: str = ""
    product_name: str = ""
