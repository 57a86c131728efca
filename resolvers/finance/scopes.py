"""Row scopes of the finance subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from models.finance import FinancingNeed, Handling, NeedMatch, ProductStatus
from security.conditions import Cond, Eq, Everything, InQuery, Nothing, any_of
from security.principal import Principal
from security.roles import Scope
from security.scopes import institution, role_scope, tenant


def _handled_by_institution(p: Principal, order: str) -> Cond:
    """Orders (``order`` = "need" or "application") one of the caller's institution handles or handled."""
    if p.institution_id is None:
        return Nothing()
    handled = Handling.filter(institution_id=p.institution_id, **{f"{order}_id__isnull": False})
    return InQuery("id", handled.values(f"{order}_id"))


def need_scope(p: Principal) -> Cond:
    """Regulators and the province see all needs; institution staff the needs open to their
    institution (matched when posted) and those it handles; the applicant their own; bank staff
    their tenant's applicants' needs."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        if p.institution_id is None:
            return Nothing()
        matched = NeedMatch.filter(institution_id=p.institution_id).values("need_id")
        return any_of(InQuery("id", matched), _handled_by_institution(p, "need"))
    if scope is Scope.SELF:
        return Eq("applicant_user_id", p.user_id)
    if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return tenant(p)
    return Nothing()


def application_scope(p: Principal) -> Cond:
    """Product applications: like needs, but an institution's are those it handles or handled —
    an application reaches its product's institution as a handling the moment it is made."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        return _handled_by_institution(p, "application")
    if scope is Scope.SELF:
        return Eq("applicant_user_id", p.user_id)
    if scope in (Scope.TENANT, Scope.SUBTREE, Scope.OWN, Scope.GRID):
        return tenant(p)
    return Nothing()


def handling_scope(p: Principal) -> Cond:
    """受理单 and what hangs on them (offers, warnings, complaints): the regulator, operators and
    the province see all; an institution its own; the applicant theirs."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    if scope is Scope.INSTITUTION:
        return institution(p)
    if scope is Scope.SELF:
        return Eq("applicant_user_id", p.user_id)
    return Nothing()


def supervision_scope(p: Principal) -> Cond:
    """督办预警 and 风险提示: the regulator, operators and the province, and the institution concerned."""
    scope = role_scope(p)
    if scope is Scope.ALL:
        return Everything()
    return institution(p) if scope is Scope.INSTITUTION else Nothing()


def offer_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.SELF:
        return InQuery("need_id", FinancingNeed.filter(applicant_user_id=p.user_id).values("id"))
    return supervision_scope(p)


def action_scope(p: Principal) -> Cond:
    """督办记录 (urge, transfer, overdue reason), read through a handling the caller already sees:
    everyone who sees the handling but its applicant."""
    return Nothing() if role_scope(p) is Scope.SELF else Everything()


complaint_scope = handling_scope


def institution_scope(p: Principal) -> Cond:
    return Everything()  # the marketplace catalogue (金融超市) is public to every signed-in user


def product_scope(p: Principal) -> Cond:
    if role_scope(p) is Scope.ALL:
        return Everything()
    return any_of(Eq("status", ProductStatus.LISTED), institution(p))
