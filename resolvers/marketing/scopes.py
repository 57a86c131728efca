"""Row scopes of the marketing subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond, Eq, Everything, Nothing, Prefix, all_of, any_of
from security.principal import Principal
from security.roles import Scope
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
