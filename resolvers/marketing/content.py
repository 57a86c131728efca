"""内容管理 (the portals' content, seeds 001 / 003): articles in categories (栏目), their workflow
草稿 → 待审核 → 已发布 / 已驳回 → 回收站 (restorable, purgeable), four eyes on publishing, and what
anyone — signed in or not — reads of a portal: its published articles and their full-text search.

Who does what (permissions.py): 运营 (OPERATOR) of the portal's tenant writes and submits; another
运营, or the bureau's 政府监管 (REGULATOR) of that tenant, publishes or rejects — never the author
nor the submitter. Editors see every article of their own portal in any state (scopes.py
``article_scope``); everyone else, anonymous callers included, only published ones
(``published_scope``): a draft, pending, rejected or recycled article is NOT_FOUND to them, as one
that does not exist. Each step leaves an ``ArticleEvent`` (who / when / from → to / comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from models.marketing import Article, ArticleEvent, ArticleStatus, ContentCategory, SearchKind
from resolvers.common.changes import change, transition
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, check_page_size, decode_cursor, page_of, paginate
from resolvers.marketing import search
from resolvers.marketing.permissions import (
    require_article_author,
    require_article_editor,
    require_article_reviewer,
)
from resolvers.marketing.scopes import article_scope, published_scope
from security.principal import Principal

MAX_ATTACHMENTS = 20
_URL = re.compile(r"(https?://|/)[^\s<>\"']{0,490}")
# Every state but the recycle bin: what may be recycled (回收站).
LIVE = (ArticleStatus.DRAFT, ArticleStatus.PENDING, ArticleStatus.PUBLISHED, ArticleStatus.REJECTED)
EDITABLE = (ArticleStatus.DRAFT, ArticleStatus.REJECTED)


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str


@dataclass
class ArticleFields:
    """What an author writes (create, update)."""

    category_id: UUID
    title: str
    summary: str = ""
    body: str = ""
    cover_url: str = ""
    link_url: str = ""
    source: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    published_at: datetime | None = None  # 发布日期 shown; null: the moment it is published
    pinned: bool = False
    sort_order: int = 0


def _url(value: str, what: str) -> str:
    value = value.strip()
    if value and not _URL.fullmatch(value):
        raise bad_input(f"{what} must be an http(s) URL or a path starting with /")
    return value


async def _checked(fields: ArticleFields) -> dict[str, Any]:
    """The columns of ``fields``, checked (BAD_USER_INPUT; an unknown category NOT_FOUND)."""
    title = fields.title.strip()
    if not 1 <= len(title) <= 200:
        raise bad_input("title must be 1 to 200 characters")
    if len(fields.summary) > 500 or len(fields.source) > 100:
        raise bad_input("summary is at most 500 characters, source at most 100")
    if len(fields.body) > 50_000:  # jieba segments it in the request (≈0.1 s at most)
        raise bad_input("body is at most 50000 characters")
    if len(fields.attachments) > MAX_ATTACHMENTS:
        raise bad_input(f"at most {MAX_ATTACHMENTS} attachments")
    if not -1_000_000 <= fields.sort_order <= 1_000_000:
        raise bad_input("sortOrder must be between -1000000 and 1000000")
    attachments = []
    for item in fields.attachments:
        if not 1 <= len(item.name.strip()) <= 200:
            raise bad_input("an attachment's name must be 1 to 200 characters")
        attachments.append({"name": item.name.strip(), "url": _url(item.url, "attachment url")})
    if not await ContentCategory.filter(id=fields.category_id).exists():
        raise not_found("category")
    return {
        "category_id": fields.category_id,
        "title": title,
        "summary": fields.summary.strip(),
        "body": fields.body,
        "cover_url": _url(fields.cover_url, "coverUrl"),
        "link_url": _url(fields.link_url, "linkUrl"),
        "source": fields.source.strip(),
        "attachments": attachments,
        "published_at": fields.published_at,
        "pinned": fields.pinned,
        "sort_order": fields.sort_order,
    }


async def _event(
    article: Article,
    action: str,
    actor: UUID,
    before: ArticleStatus | str,
    after: ArticleStatus,
    comment: str = "",
) -> None:
    await ArticleEvent.create(
        article_id=article.id,
        action=action,
        actor_id=actor,
        from_status=str(before),
        to_status=str(after),
        comment=comment,
    )


# -- reading ---------------------------------------------------------------------------------------


async def categories() -> list[ContentCategory]:
    """The categories (栏目) of every portal, in their order."""
    return await ContentCategory.all().order_by("sort_order", "code")


async def list_articles(
    principal: Principal,
    first: int,
    after: str | None,
    status: ArticleStatus | None = None,
    category_id: UUID | None = None,
) -> Page[Article]:
    """The articles of the caller's own portal in any state (editors), newest first."""
    queryset = scoped(principal, Article, article_scope)
    if status is not None:
        queryset = queryset.filter(status=status)
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    return await paginate(queryset, first, after, newest_first=True)


def _offset(after: str | None) -> int:
    """The offset an ``offset|n`` cursor holds (pages ordered by more than their id)."""
    if after is None:
        return 0
    kind, _, number = decode_cursor(after).partition("|")
    if kind != "offset" or not number.isdigit() or int(number) > 100_000:
        raise bad_input("invalid cursor")
    return int(number)


def offset_page(rows: list[Any], first: int, offset: int) -> Page[Any]:
    """A page of up to ``first + 1`` rows read from ``offset``; each cursor is its row's position."""
    positions = {id(row): offset + index + 1 for index, row in enumerate(rows)}
    return page_of(rows, first, key=lambda row: f"offset|{positions[id(row)]}")


async def published_articles(
    portal: UUID, first: int, after: str | None, category_id: UUID | None = None
) -> Page[Article]:
    """A portal's published articles: pinned first (置顶), then by sort order, then newest."""
    check_page_size(first)
    offset = _offset(after)
    queryset = Article.filter(published_scope(portal).q())
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    rows = (
        await queryset.order_by("-pinned", "sort_order", "-published_at", "-id")
        .offset(offset)
        .limit(first + 1)
    )
    return offset_page(rows, first, offset)


async def visible_article(principal: Principal | None, article_id: UUID) -> Article:
    """An article of the caller's own portal (editors), or any published one; NOT_FOUND otherwise."""
    if principal is not None:
        row = await scoped(principal, Article, article_scope).get_or_none(id=article_id)
        if row is not None:
            return row
    row = await Article.get_or_none(id=article_id, status=ArticleStatus.PUBLISHED)
    if row is None:
        raise not_found("article")
    return row


async def _editable(principal: Principal, article_id: UUID) -> Article:
    row = await scoped(principal, Article, article_scope).get_or_none(id=article_id)
    if row is None:
        raise not_found("article")
    return row


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    rank: float
    title: str  # highlighted HTML (<mark>)
    snippet: str


async def search_articles(
    portal: UUID,
    query: str,
    first: int,
    after: str | None,
    category_id: UUID | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
) -> Page[ArticleHit]:
    """全文检索 of a portal's published articles, best first, with highlights. Two statements."""
    offset = _offset(after)
    filters = search.Filters(SearchKind.ARTICLE, portal, category_id, None, published_from, published_to)
    hits = await search.search(query, filters, first, offset)
    rows = {
        row.id: row
        for row in await Article.filter(published_scope(portal).q(), id__in=[hit.id for hit in hits])
    }
    found = [ArticleHit(rows[hit.id], hit.rank, hit.title, hit.snippet) for hit in hits if hit.id in rows]
    return offset_page(found, first, offset)


# -- the workflow ------------------------------------------------------------------------------------


async def create_article(
    principal: Principal, fields: ArticleFields, idempotency_key: str | None = None
) -> Article:
    """A DRAFT in the caller's own portal. The same key again answers the first draft."""
    require_article_author(principal)
    key = check_key(idempotency_key)
    values = await _checked(fields)
    tenant_id = principal.tenant_id
    assert tenant_id is not None  # require_article_author
    async with change("marketing", "Article") as audited:

        async def make() -> Article:
            return await Article.create(
                tenant_id=tenant_id,
                created_by_id=principal.user_id,
                idempotency_key=key,
                status=ArticleStatus.DRAFT,
                **values,
            )

        article, created = await once(
            "marketing",
            key,
            lambda: Article.get_or_none(created_by_id=principal.user_id, idempotency_key=key),
            make,
        )
        if created:
            await _event(article, "CREATE", principal.user_id, "", ArticleStatus.DRAFT)
        elif article.title != values["title"] or article.category_id != values["category_id"]:
            raise conflict("幂等键已用于另一篇文章 (idempotencyKey already used for another article)")
        else:
            audited.detail["repeated"] = True
        audited.id = article.id
    return article


async def update_article(principal: Principal, article_id: UUID, fields: ArticleFields) -> Article:
    """Rewrite a DRAFT or REJECTED article (CONFLICT once submitted or published)."""
    require_article_author(principal)
    article = await _editable(principal, article_id)
    values = await _checked(fields)
    async with change("marketing", "Article", article.id):
        message = "仅草稿或已驳回的文章可修改 (only a draft or rejected article can be edited)"
        await transition(Article, article.id, EDITABLE, message, **values)
        await _event(article, "UPDATE", principal.user_id, article.status, article.status)
    return await Article.get(id=article.id)


async def submit_article(principal: Principal, article_id: UUID) -> Article:
    """DRAFT / REJECTED → PENDING (提交审核). Repeating one's own submission answers it again."""
    require_article_author(principal)
    article = await _editable(principal, article_id)
    if article.status is ArticleStatus.PENDING and article.submitted_by_id == principal.user_id:
        return article
    async with change("marketing", "Article", article.id):
        await transition(
            Article,
            article.id,
            EDITABLE,
            "仅草稿或已驳回的文章可提交 (only a draft or rejected article can be submitted)",
            status=ArticleStatus.PENDING,
            submitted_by_id=principal.user_id,
        )
        await _event(article, "SUBMIT", principal.user_id, article.status, ArticleStatus.PENDING)
    return await Article.get(id=article.id)


async def review_article(principal: Principal, article_id: UUID, approve: bool, comment: str) -> Article:
    """PENDING → PUBLISHED (approve) or REJECTED, by a reviewer who neither wrote nor submitted it
    (四眼原则). Of two racing reviews exactly one decides; the other gets CONFLICT, unless it is the
    same reviewer repeating the same decision, which answers the article again."""
    article = await _editable(principal, article_id)
    require_article_reviewer(principal, article)
    if len(comment) > 500:
        raise bad_input("comment is at most 500 characters")
    if not approve and not comment.strip():
        raise bad_input("a rejection needs a comment (驳回须填写意见)")
    outcome = ArticleStatus.PUBLISHED if approve else ArticleStatus.REJECTED
    if article.status is outcome and article.reviewed_by_id == principal.user_id:
        return article
    now = datetime.now(UTC)
    published_at = (article.published_at or now) if approve else article.published_at
    async with change("marketing", "Article", article.id):
        await transition(
            Article,
            article.id,
            ArticleStatus.PENDING,
            "该文章不在待审核状态 (the article is not pending review)",
            status=outcome,
            reviewed_by_id=principal.user_id,
            reviewed_at=now,
            review_comment=comment.strip(),
            published_at=published_at,
        )
        await _event(
            article, "PUBLISH" if approve else "REJECT", principal.user_id, article.status, outcome, comment
        )
        if approve:
            await search.index(
                search.document(
                    SearchKind.ARTICLE,
                    article.id,
                    article.tenant_id,
                    article.title,
                    f"{article.summary}\n{article.body}",
                    category_id=article.category_id,
                    published_at=published_at,
                )
            )
    return await Article.get(id=article.id)


async def recycle_article(principal: Principal, article_id: UUID, comment: str = "") -> Article:
    """Into the recycle bin (回收站) from any state; a published article leaves the portal and the
    search index at once. Recycling a recycled article answers it again."""
    require_article_editor(principal)
    article = await _editable(principal, article_id)
    if article.status is ArticleStatus.RECYCLED:
        return article
    async with change("marketing", "Article", article.id):
        await transition(
            Article,
            article.id,
            LIVE,
            "文章状态已变化，请刷新 (the article changed)",
            status=ArticleStatus.RECYCLED,
        )
        await search.unindex(article.id)
        await _event(
            article, "RECYCLE", principal.user_id, article.status, ArticleStatus.RECYCLED, comment[:500]
        )
    return await Article.get(id=article.id)


async def restore_article(principal: Principal, article_id: UUID) -> Article:
    """Out of the recycle bin, as a DRAFT (a restored article is reviewed again before it shows)."""
    require_article_editor(principal)
    article = await _editable(principal, article_id)
    if article.status is ArticleStatus.DRAFT:
        return article
    async with change("marketing", "Article", article.id):
        await transition(
            Article,
            article.id,
            ArticleStatus.RECYCLED,
            "仅回收站中的文章可恢复 (only a recycled article can be restored)",
            status=ArticleStatus.DRAFT,
            submitted_by_id=None,
            reviewed_by_id=None,
            reviewed_at=None,
            review_comment="",
        )
        await _event(article, "RESTORE", principal.user_id, article.status, ArticleStatus.DRAFT)
    return await Article.get(id=article.id)


async def purge_article(principal: Principal, article_id: UUID) -> UUID:
    """Delete a recycled article for good (彻底删除), with its history; the audit trail keeps the act."""
    require_article_editor(principal)
    article = await _editable(principal, article_id)
    async with change("marketing", "Article", article.id):
        gone = await Article.filter(id=article.id, status=ArticleStatus.RECYCLED).delete()
        if not gone:
            raise conflict("仅回收站中的文章可彻底删除 (only a recycled article can be purged)")
        await ArticleEvent.filter(article_id=article.id).delete()
        await search.unindex(article.id)
    return article.id


async def pin_article(principal: Principal, article_id: UUID, pinned: bool, sort_order: int) -> Article:
    """置顶 / 排序 of an article in any state but the recycle bin."""
    require_article_editor(principal)
    if not -1_000_000 <= sort_order <= 1_000_000:
        raise bad_input("sortOrder must be between -1000000 and 1000000")
    article = await _editable(principal, article_id)
    async with change("marketing", "Article", article.id):
        message = "回收站中的文章不能置顶 (a recycled article cannot be pinned)"
        await transition(Article, article.id, LIVE, message, pinned=pinned, sort_order=sort_order)
    return await Article.get(id=article.id)
