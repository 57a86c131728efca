"""产品推荐位 (product recommendation slots of the portals) and 产品知识库 (the member banks'
product knowledge base, seed 000).

A slot (首页 HOME, 政策页 POLICY, …) holds finance products in order; only LISTED ones may be put
in it (resolvers/common/product_directory.py: any other id is NOT_FOUND), and one delisted later
no longer shows. Anyone reads a portal's slot; its editors set it.

Knowledge entries (产品资讯, 营销指引, 常见问题) are written by head office (HQ_ADMIN) and read
by the bank's own staff only (scopes.py ``knowledge_scope``); they are searchable with the same
full-text search as the portal's articles (resolvers/marketing/search.py), indexed when written.
"""

from __future__ import annotations

import re
from uuid import UUID

from models.marketing import KnowledgeEntry, KnowledgeKind, RecommendationSlot, SearchKind
from resolvers.common.changes import change
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.idempotency import check_key, once
from resolvers.common.loading import scoped
from resolvers.common.pagination import Page, paginate
from resolvers.common.product_directory import listed_products
from resolvers.marketing import search
from resolvers.marketing.content import _offset, offset_page
from resolvers.marketing.permissions import require_article_editor, require_knowledge_author
from resolvers.marketing.scopes import knowledge_scope, slot_scope
from security.principal import Principal

_SLOT_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,39}")
MAX_SLOT_PRODUCTS = 20

# -- 产品推荐位 --------------------------------------------------------------------------------------


async def recommendation_slot(portal: UUID, code: str) -> RecommendationSlot | None:
    """A portal's slot by code (anyone), or None."""
    if not _SLOT_CODE.fullmatch(code):
        raise bad_input("code must be 2 to 40 of A-Z, 0-9, _ (starting with a letter)")
    return await RecommendationSlot.get_or_none(tenant_id=portal, code=code)


async def list_slots(principal: Principal) -> list[RecommendationSlot]:
    """The slots of the caller's own portal (editors)."""
    return await scoped(principal, RecommendationSlot, slot_scope).order_by("code")


async def set_slot(principal: Principal, code: str, name: str, product_ids: list[UUID]) -> RecommendationSlot:
    """Create or replace the caller's portal's slot ``code`` with ``product_ids`` in that order."""
    require_article_editor(principal)
    if not _SLOT_CODE.fullmatch(code):
        raise bad_input("code must be 2 to 40 of A-Z, 0-9, _ (starting with a letter)")
    if not 1 <= len(name.strip()) <= 60:
        raise bad_input("name must be 1 to 60 characters")
    if len(product_ids) > MAX_SLOT_PRODUCTS:
        raise bad_input(f"a slot holds at most {MAX_SLOT_PRODUCTS} products")
    if len(set(product_ids)) != len(product_ids):
        raise bad_input("a product appears twice in the slot")
    listed = await listed_products(product_ids)
    if len(listed) != len(product_ids):
        raise not_found("product")  # not LISTED, or no such product: alike
    tenant_id = principal.tenant_id
    async with change("marketing", "RecommendationSlot") as audited:
        product_list = [str(i) for i in product_ids]
        found = await RecommendationSlot.get_or_none(tenant_id=tenant_id, code=code)
        if found is None:
            found, _ = await once(
                "marketing",
                code,
                lambda: RecommendationSlot.get_or_none(tenant_id=tenant_id, code=code),
                lambda: RecommendationSlot.create(
                    tenant_id=tenant_id,
                    code=code,
                    name=name.strip(),
                    product_ids=product_list,
                    updated_by_id=principal.user_id,
                ),
            )
        assert found is not None  # once() answers a row
        slot = found
        await RecommendationSlot.filter(id=slot.id).update(
            name=name.strip(), product_ids=product_list, updated_by_id=principal.user_id
        )
        audited.id = slot.id
    return await RecommendationSlot.get(id=slot.id)


# -- 产品知识库 --------------------------------------------------------------------------------------


def _check_entry(title: str, body: str, product_name: str) -> tuple[str, str, str]:
    title = title.strip()
    if not 1 <= len(title) <= 200:
        raise bad_input("title must be 1 to 200 characters")
    if len(body) > 50_000 or len(product_name) > 100:
        raise bad_input("body is at most 50000 characters, productName at most 100")
    return title, body, product_name.strip()


async def list_entries(
    principal: Principal, first: int, after: str | None, kind: KnowledgeKind | None = None
) -> Page[KnowledgeEntry]:
    """The caller's bank's knowledge base (its staff), newest first."""
    queryset = scoped(principal, KnowledgeEntry, knowledge_scope)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return await paginate(queryset, first, after, newest_first=True)


async def visible_entry(principal: Principal, entry_id: UUID) -> KnowledgeEntry:
    row = await scoped(principal, KnowledgeEntry, knowledge_scope).get_or_none(id=entry_id)
    if row is None:
        raise not_found("knowledge entry")
    return row


async def _index(entry: KnowledgeEntry) -> None:
    body = f"{entry.product_name}\n{entry.body}"
    await search.index(
        search.document(
            SearchKind.KNOWLEDGE,
            entry.id,
            entry.tenant_id,
            entry.title,
            body,
            facet=str(entry.kind),
            published_at=entry.updated_at,
        )
    )


async def create_entry(
    principal: Principal,
    kind: KnowledgeKind,
    title: str,
    body: str,
    product_name: str = "",
    idempotency_key: str | None = None,
) -> KnowledgeEntry:
    """An entry of the caller's own bank (head office), searchable at once."""
    require_knowledge_author(principal)
    key = check_key(idempotency_key)
    title, body, product_name = _check_entry(title, body, product_name)
    async with change("marketing", "KnowledgeEntry") as audited:
        entry, created = await once(
            "marketing",
            key,
            lambda: KnowledgeEntry.get_or_none(created_by_id=principal.user_id, idempotency_key=key),
            lambda: KnowledgeEntry.create(
                tenant_id=principal.tenant_id,
                kind=kind,
                title=title,
                body=body,
                product_name=product_name,
                created_by_id=principal.user_id,
                idempotency_key=key,
            ),
        )
        if not created and (entry.title, entry.kind) != (title, kind):
            raise conflict("幂等键已用于另一条目 (idempotencyKey already used for another entry)")
        if created:
            await _index(entry)
        audited.id = entry.id
    return entry


async def update_entry(
    principal: Principal, entry_id: UUID, kind: KnowledgeKind, title: str, body: str, product_name: str = ""
) -> KnowledgeEntry:
    require_knowledge_author(principal)
    entry = await visible_entry(principal, entry_id)
    title, body, product_name = _check_entry(title, body, product_name)
    async with change("marketing", "KnowledgeEntry", entry.id):
        await KnowledgeEntry.filter(id=entry.id).update(
            kind=kind, title=title, body=body, product_name=product_name
        )
        entry = await KnowledgeEntry.get(id=entry.id)
        await _index(entry)
    return entry


async def delete_entry(principal: Principal, entry_id: UUID) -> UUID:
    require_knowledge_author(principal)
    entry = await visible_entry(principal, entry_id)
    async with change("marketing", "KnowledgeEntry", entry.id):
        await KnowledgeEntry.filter(id=entry.id).delete()
        await search.unindex(entry.id)
    return entry.id


async def search_entries(
    principal: Principal, query: str, first: int, after: str | None, kind: KnowledgeKind | None = None
) -> Page[tuple[KnowledgeEntry, search.Hit]]:
    """全文检索 of the caller's bank's knowledge base, best first, with highlights."""
    if knowledge_scope(principal).is_nothing or principal.tenant_id is None:
        return offset_page([], first, 0)
    offset = _offset(after)
    filters = search.Filters(SearchKind.KNOWLEDGE, principal.tenant_id, None, kind.value if kind else None)
    hits = await search.search(query, filters, first, offset)
    rows = {
        row.id: row
        for row in await scoped(principal, KnowledgeEntry, knowledge_scope).filter(
            id__in=[h.id for h in hits]
        )
    }
    return offset_page([(rows[h.id], h) for h in hits if h.id in rows], first, offset)
