"""Row scopes of the marketing subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond, Eq, Everything, Nothing
from security.principal import Principal
from security.scopes import bank_scope


def opportunity_scope(p: Principal) -> Cond:
    """The opportunity pool (商机池) is shared within a member bank."""
    return bank_scope(p)


def audience_scope(p: Principal) -> Cond:
    """目标客群 are shared within a member bank (its head office and branches); the province sees all."""
    return bank_scope(p)


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
