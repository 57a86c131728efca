"""Row scopes of the marketing subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from uuid import UUID

from security.conditions import Cond, Eq, Everything, Nothing, all_of
from security.principal import Principal
from security.scopes import bank_scope, tenant


def opportunity_scope(p: Principal) -> Cond:
    """The opportunity pool (商机池) is shared within a member bank."""
    return bank_scope(p)


# -- 内容管理 / 产品知识库 (issue 17) -------------------------------------------------------------
# A portal's editors (运营 authors, 运营 / 政府监管 review) see every article of their own portal;
# anyone, signed in or not, reads only what is published (resolvers/marketing/content.py).
CONTENT_EDITORS = frozenset({"OPERATOR", "REGULATOR"})
# A member bank's staff read its product knowledge base (产品知识库); head office writes it.
BANK_STAFF = frozenset({"HQ_ADMIN", "HQ_REVIEWER", "BRANCH_HEAD", "CUSTOMER_MANAGER"})


def article_scope(p: Principal) -> Cond:
    """Every article (any state) of the caller's own portal, for its editors; nothing for others."""
    return tenant(p) if p.active_role in CONTENT_EDITORS else Nothing()


def published_scope(portal: UUID) -> Cond:
    """What anyone reads of a portal: its published articles."""
    return all_of(Eq("tenant_id", portal), Eq("status", "PUBLISHED"))


def slot_scope(p: Principal) -> Cond:
    """The recommendation slots (产品推荐位) of the caller's own portal, for its editors."""
    return article_scope(p)


def knowledge_scope(p: Principal) -> Cond:
    """The product knowledge base of the caller's own member bank, for its staff only."""
    return tenant(p) if p.active_role in BANK_STAFF else Nothing()


def article_event_scope(p: Principal) -> Cond:
    """The steps of articles: read only through an article the caller edits (types/content.py
    asks only for those of its own portal), so editors see them and nobody else."""
    return Everything() if p.active_role in CONTENT_EDITORS else Nothing()
