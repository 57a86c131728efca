"""Row scopes of the marketing subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond, Eq, Everything, In, Nothing, Prefix, all_of, any_of
from security.principal import Principal
from security.roles import Role
from security.scopes import bank_scope, tenant


def opportunity_scope(p: Principal) -> Cond:
    """The opportunity pool (商机池) is shared within a member bank."""
    return bank_scope(p)


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
