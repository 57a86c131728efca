"""内容管理 (the portals' content, seeds 001 / 003), 产品推荐位 (product recommendation slots) and
产品知识库 (the member banks' product knowledge base, seed 000).

Articles live in categories (栏目: 国家/省/市/县政策, 新闻动态, 金融知识, 轮播图, 友情链接), per tenant
(the portal of the org that owns them), and go draft → pending → published / rejected → recycle bin
(回收站). Full-text search reads ``SearchDocument``: one row per published article or knowledge
entry, its title and body segmented by jieba (resolvers/marketing/search.py), indexed by a GIN
index over ``to_tsvector('simple', …)`` on PostgreSQL and by an FTS5 table on SQLite
(migrations/0006_content.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields

from models.common import Entity


class ArticleStatus(StrEnum):
    DRAFT = "DRAFT"  # 草稿
    PENDING = "PENDING"  # 待审核
    PUBLISHED = "PUBLISHED"  # 已发布
    REJECTED = "REJECTED"  # 已驳回
    RECYCLED = "RECYCLED"  # 回收站


class ContentCategory(Entity):
    """栏目: reference data, the same for every portal (seeded by the migration)."""

    code = fields.CharField(max_length=40, unique=True)
    name = fields.CharField(max_length=40)
    section = fields.CharField(max_length=20)  # POLICY / NEWS / EDUCATION / BANNER / LINK
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "content_category"


class Article(Entity):
    """文章 of one portal (the tenant that owns it)."""

    tenant_id = fields.UUIDField(db_index=True)  # the portal: the org tenant that runs it
    category_id = fields.UUIDField(db_index=True)  # ContentCategory
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=500, default="")
    body = fields.TextField(default="")
    cover_url = fields.CharField(max_length=500, default="")  # 封面图 (banners: the picture)
    link_url = fields.CharField(max_length=500, default="")  # 友情链接 / 轮播图 target
    attachments: Any = fields.JSONField(default=list)  # [{"name": …, "url": …}] 附件
    source = fields.CharField(max_length=100, default="")  # 来源 (e.g. 中国人民银行)
    published_at = fields.DatetimeField(null=True, db_index=True)  # 发布日期 (set on publish if not given)
    pinned = fields.BooleanField(default=False)  # 置顶
    sort_order = fields.IntField(default=0)  # 排序: smaller first among pinned / unpinned
    status = fields.CharEnumField(ArticleStatus, max_length=10, default=ArticleStatus.DRAFT, db_index=True)
    created_by_id = fields.UUIDField()  # operations User (作者)
    submitted_by_id = fields.UUIDField(null=True)
    reviewed_by_id = fields.UUIDField(null=True)  # 审核人: never the author nor the submitter
    reviewed_at = fields.DatetimeField(null=True)
    review_comment = fields.CharField(max_length=500, default="")
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "content_article"
        unique_together = (("created_by_id", "idempotency_key"),)


class ArticleEvent(Entity):
    """One step of an article's workflow: who, when, from / to, comment (审核记录)."""

    article_id = fields.UUIDField(db_index=True)
    action = fields.CharField(
        max_length=20
    )  # CREATE / UPDATE / SUBMIT / PUBLISH / REJECT / RECYCLE / RESTORE
    actor_id = fields.UUIDField()
    from_status = fields.CharField(max_length=10, default="")
    to_status = fields.CharField(max_length=10, default="")
    comment = fields.CharField(max_length=500, default="")

    class Meta:
        table = "content_article_event"


class RecommendationSlot(Entity):
    """产品推荐位: a named place on a portal (首页, 政策页 …) holding ordered finance products."""

    tenant_id = fields.UUIDField(db_index=True)
    code = fields.CharField(max_length=40)  # HOME, POLICY, …
    name = fields.CharField(max_length=60)
    product_ids: Any = fields.JSONField(default=list)  # finance FinancialProduct ids, in order
    updated_by_id = fields.UUIDField(null=True)

    class Meta:
        table = "content_recommendation_slot"
        unique_together = (("tenant_id", "code"),)


class KnowledgeKind(StrEnum):
    PRODUCT_NEWS = "PRODUCT_NEWS"  # 产品资讯
    MARKETING_GUIDE = "MARKETING_GUIDE"  # 营销指引
    FAQ = "FAQ"  # 常见问题


class KnowledgeEntry(Entity):
    """产品知识库 entry of one member bank, written by head-office staff, read by the bank's staff."""

    tenant_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(KnowledgeKind, max_length=16)
    title = fields.CharField(max_length=200)
    body = fields.TextField(default="")
    product_name = fields.CharField(max_length=100, default="")
    created_by_id = fields.UUIDField()
    idempotency_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "knowledge_entry"
        unique_together = (("created_by_id", "idempotency_key"),)


class SearchKind(StrEnum):
    ARTICLE = "ARTICLE"
    KNOWLEDGE = "KNOWLEDGE"


class SearchDocument(Entity):
    """What full-text search reads: a published article or a knowledge entry, segmented by jieba
    (words separated by spaces). ``id`` is the article's / entry's id."""

    kind = fields.CharEnumField(SearchKind, max_length=10)
    tenant_id = fields.UUIDField()
    category_id = fields.UUIDField(null=True)  # articles: the category; entries: null
    facet = fields.CharField(max_length=20, default="")  # entries: their kind
    published_at = fields.DatetimeField(null=True)
    title_terms = fields.TextField()
    body_terms = fields.TextField()
    extra_terms = fields.TextField(default="")  # the dictionary words inside long words (recall only)

    class Meta:
        table = "content_search_document"
        indexes = (("kind", "tenant_id"),)


def category_id(code: str) -> UUID:
    """The fixed id of a seeded category (the migration inserts them with these ids)."""
    from uuid import NAMESPACE_URL, uuid5

    return uuid5(NAMESPACE_URL, f"dcms:content-category:{code}")


# 栏目 every portal has: (code, name, section, order).
CATEGORIES: tuple[tuple[str, str, str, int], ...] = (
    ("POLICY_NATIONAL", "国家政策", "POLICY", 10),
    ("POLICY_PROVINCIAL", "省级政策", "POLICY", 20),
    ("POLICY_CITY", "市级政策", "POLICY", 30),
    ("POLICY_COUNTY", "县级政策", "POLICY", 40),
    ("NEWS", "新闻动态", "NEWS", 50),
    ("FINANCE_EDUCATION", "金融知识", "EDUCATION", 60),
    ("BANNER", "轮播图", "BANNER", 70),
    ("FRIEND_LINK", "友情链接", "LINK", 80),
)
