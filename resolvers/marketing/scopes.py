"""Row scopes of the marketing subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from uuid import UUID

from security.conditions import Cond, Eq, Everything, In, Nothing, Prefix, all_of, any_of
from security.principal import Principal
from security.roles import Role, Scope
from security.scopes import bank_scope, role_scope, tenant, tenant_path


def opportunity_scope(p: Principal) -> Cond:
    """商机: the pool (商机池, OPEN) is shared within a member bank; once claimed an opportunity is
    its claimer's (我的商机), under the branch head of its org (辖内) and the head office (TENANT);
    the province sees all."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.TENANT:
        return tenant(p)
    if scope is Scope.SUBTREE:
        return all_of(tenant(p), any_of(Eq("status", "OPEN"), Prefix("org_path", p.org_path)))
    if scope in (Scope.OWN, Scope.GRID):
        return all_of(tenant(p), any_of(Eq("status", "OPEN"), Eq("claimed_by_id", p.user_id)))
    return Nothing()


def pool_scope(p: Principal) -> Cond:
    """Who sees a member bank's pool at all (the bank's staff; the province every bank's)."""
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


# -- 营销方案 and 营销工单 (resolvers/marketing/schemes.py, work_orders.py) ----------------------------


def _org_and_above(p: Principal) -> tuple[str, ...]:
    """The caller's org path and every ancestor's: the schemes that cover the caller's org."""
    parts = p.org_path.split("/")
    return tuple("/".join(parts[:i]) for i in range(2, len(parts) + 1))


def scheme_scope(p: Principal) -> Cond:
    """营销方案: head office (HQ_ADMIN, HQ_REVIEWER) their bank's; a branch head the schemes of
    their subtree and those covering their branch (head office's); a manager those covering their
    org; the province every bank's."""
    if p.has_role(Role.PROVINCE_ADMIN):
        return Everything()
    if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return tenant(p)
    if p.has_role(Role.BRANCH_HEAD):
        return all_of(tenant(p), any_of(Prefix("org_path", p.org_path), In("org_path", _org_and_above(p))))
    if p.has_role(Role.CUSTOMER_MANAGER):
        return all_of(tenant(p), In("org_path", _org_and_above(p)))
    return Nothing()


def work_order_scope(p: Principal) -> Cond:
    """营销工单 (and the target list, indicators' progress, monitoring): head office the bank's, a
    branch head their subtree's customers, a manager their own orders; the province all."""
    if p.has_role(Role.PROVINCE_ADMIN):
        return Everything()
    if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return tenant(p)
    if p.has_role(Role.BRANCH_HEAD):
        return all_of(tenant(p), Prefix("org_path", p.org_path))
    if p.has_role(Role.CUSTOMER_MANAGER):
        return Eq("manager_id", p.user_id)
    return Nothing()


def target_scope(p: Principal) -> Cond:
    """目标名单 rows: head office the bank's lists, a branch head their subtree's customers, a
    manager the targets listed to them (the rows carry no tenant: reached through a visible scheme)."""
    if p.has_role(Role.PROVINCE_ADMIN, Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return Everything()
    if p.has_role(Role.BRANCH_HEAD):
        return Prefix("org_path", p.org_path)
    if p.has_role(Role.CUSTOMER_MANAGER):
        return Eq("manager_id", p.user_id)
    return Nothing()


def scheme_part_scope(p: Principal) -> Cond:
    """A scheme's indicators and splits: read only through a scheme the caller may see."""
    return Nothing() if scheme_scope(p).is_nothing else Everything()


def audience_scope(p: Principal) -> Cond:
    """目标客群 are shared within a member bank (its head office and branches); the province sees all."""
    return bank_scope(p)


def qr_code_scope(p: Principal) -> Cond:
    """二维码: made and seen by the staff of its org subtree (head office: the whole bank)."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.TENANT:
        return Prefix("org_path", tenant_path(p))
    if scope in (Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return Prefix("org_path", p.org_path)
    return Nothing()


def follow_up_scope(p: Principal) -> Cond:
    """跟进记录 are read through an opportunity the caller may see (``Opportunity.followUps``); a
    manager's own, the rest of the bank's for the bank's supervisors."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope in (Scope.TENANT, Scope.SUBTREE):
        return tenant(p)
    if scope in (Scope.OWN, Scope.GRID):
        return Eq("manager_id", p.user_id)
    return Nothing()


def template_scope(p: Principal) -> Cond:
    """营销画布模板: a bank's own and those sent down to it; the province (ALL) sees all."""
    return bank_scope(p)


def campaign_scope(p: Principal) -> Cond:
    """营销活动 are shared within a member bank (they name no customer); the province sees all."""
    return bank_scope(p)


def inbox_scope(p: Principal) -> Cond:
    """站内信: only its recipient reads it."""
    return Eq("recipient_id", p.user_id)


def wave_scope(p: Principal) -> Cond:
    """波次 are read only through their campaign (read in ``campaign_scope``)."""
    return Nothing() if bank_scope(p).is_nothing else Everything()


# -- 业绩管理 (resolvers/marketing/performance.py, performance_scores.py) -------------------------------
# A bank's performance figures are its own: no other bank, and not the province, sees them.


def indicator_scope(p: Principal) -> Cond:
    """指标管理: a member bank's indicator definitions, read by its staff (BANK_STAFF)."""
    return tenant(p) if p.active_role in BANK_STAFF else Nothing()


def performance_scope(p: Principal) -> Cond:
    """业绩目标 and their trail (留痕): head office (HQ_ADMIN, HQ_REVIEWER) the bank's; a branch head
    their subtree's (its orgs' targets, its staff's); a customer manager their own targets."""
    if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return tenant(p)
    if p.has_role(Role.BRANCH_HEAD):
        return all_of(tenant(p), Prefix("org_path", p.org_path))
    if p.has_role(Role.CUSTOMER_MANAGER):
        return all_of(tenant(p), Eq("assignee_id", p.user_id))
    return Nothing()


def leaderboard_scope(p: Principal) -> Cond:
    """绩效龙虎榜 (staff targets ranked by score): head office the bank's staff, a branch head their
    subtree's, a customer manager their colleagues' — the staff targets split from the targets of
    their org and the orgs above it (their branch) — scores only, not their targets."""
    if p.has_role(Role.CUSTOMER_MANAGER):
        return all_of(tenant(p), In("org_path", _org_and_above(p)))
    return performance_scope(p)


# -- 工作报告 (work reports, issue 19) ---------------------------------------------------------------
# Its author sees it in every state; once submitted (or returned) the branch head over the author's
# org (辖内) reads it and may return it, head office reads its bank's, the province every bank's.
REPORT_AUTHORS = (Role.CUSTOMER_MANAGER, Role.BRANCH_HEAD)
REPORT_READERS = (Role.PROVINCE_ADMIN, Role.HQ_ADMIN, Role.HQ_REVIEWER, Role.BRANCH_HEAD)


def work_report_scope(p: Principal) -> Cond:
    own = Eq("user_id", p.user_id)
    handed_in = In("status", ("SUBMITTED", "RETURNED"))
    if p.has_role(Role.PROVINCE_ADMIN):
        return any_of(own, handed_in)
    if p.has_role(Role.HQ_ADMIN, Role.HQ_REVIEWER):
        return any_of(own, all_of(tenant(p), handed_in))
    if p.has_role(Role.BRANCH_HEAD):
        return any_of(own, all_of(tenant(p), Prefix("org_path", p.org_path), handed_in))
    return own


def work_report_reviewer_scope(p: Principal) -> Cond:
    """The reports the caller may return (once submitted): those of their branch (branch heads)."""
    if not p.has_role(Role.BRANCH_HEAD):
        return Nothing()
    return all_of(tenant(p), Prefix("org_path", p.org_path))
