"""Row scopes of the finance subgraph: one rule per entity (the shared parts: security/scopes.py),
and the grab pool (抢单池): which orders are in whose pool, for the list and for the stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.finance import FinancingNeed, Handling, NeedMatch, NeedStatus, ProductStatus
from realtime.events import Event
from resolvers.common.errors import not_found
from resolvers.common.loading import scoped
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


M = TypeVar("M", bound=Model)


async def in_scope(
    principal: Principal, model: type[M], rule: Callable[[Principal], Cond], id: Any, what: str, **where: Any
) -> M:
    """The row ``id`` of ``model``, if the caller's row scope (``rule``) holds it and it meets
    ``where`` (e.g. the caller's own); NOT_FOUND otherwise, exactly as if it did not exist."""
    row = await scoped(principal, model, rule).get_or_none(id=id, **where)
    if row is None:
        raise not_found(what)
    return row


# The grab pool (抢单池). Only institution staff have one: their institution's. An order is in it
# while it is open to the institution (matched when posted, or transferred to it: ``need_scope``,
# and the ``institutions`` an event names), open, and not yet handled by the institution. The
# list reads that from the rows (``grab_pool``), the stream from each event's scope, without a
# query (``pool_view``); supervisors and bank staff see orders leave, never enter.


def pool_institution(p: Principal) -> UUID | None:
    """The institution whose grab pool the caller works, or None: they have none."""
    return p.institution_id if role_scope(p) is Scope.INSTITUTION else None


def grab_pool(p: Principal) -> QuerySet[FinancingNeed] | None:
    """The needs in the caller's pool (None: the caller has no pool)."""
    mine = pool_institution(p)
    if mine is None:
        return None
    # The needs the institution already handles; an application's handling has no need_id
    # (NULL), which would make NOT IN match nothing.
    handled = Handling.filter(institution_id=mine, need_id__isnull=False)
    return (
        scoped(p, FinancingNeed, need_scope)
        .filter(status=NeedStatus.OPEN)
        .exclude(id__in=Subquery(handled.values("need_id")))
    )


def pool_view(p: Principal, event: Event) -> bool | None:
    """Whether a grab-pool event concerns the subscriber's pool: None if not, else whether the order
    leaves their list (from the event's scope alone, no query)."""
    scope = event.scope
    action = event.type.split(".", 1)[1]
    leaves = action in ("withdrawn", "closed") or bool(scope.get("closed"))
    match role_scope(p):
        case Scope.ALL:
            return leaves
        case Scope.INSTITUTION:
            mine = pool_institution(p)
            if mine is None or str(mine) not in scope.get("institutions", ()):
                return None
            if action == "published":
                return False
            if action in ("grabbed", "transferred"):
                # grabbed: gone for the grabbing institution, and for all once full;
                # transferred: new at the receiving institution, gone at the other.
                acted = scope.get("institution_id") == str(mine)
                return (acted or leaves) if action == "grabbed" else not acted
            return True
        case Scope.TENANT | Scope.SUBTREE | Scope.OWN | Scope.GRID:
            return leaves if p.tenant_id and event.tenant_id == str(p.tenant_id) else None
        case _:
            return None
