"""Row scopes of the marketing subgraph: one rule per entity (the shared parts: security/scopes.py)."""

from __future__ import annotations

from security.conditions import Cond
from security.principal import Principal
from security.scopes import bank_scope


def opportunity_scope(p: Principal) -> Cond:
    """The opportunity pool (商机池) is shared within a member bank."""
    return bank_scope(p)


def audience_scope(p: Principal) -> Cond:
    """目标客群 are shared within a member bank (its head office and branches); the province sees all."""
    return bank_scope(p)
