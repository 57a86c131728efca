"""List filters of the operations root list queries: the audit trail search's ``filter``.

(``orgs(kind)`` and ``alerts(status)`` filter by one column each, in their functions.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from tortoise.expressions import Q
from tortoise.timezone import localtime


@dataclass(frozen=True)
class AuditFilter:
    """Every given condition must hold."""

    actor: str | None = None  # a username or a user id
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    from_: datetime | None = None  # at or after
    to: datetime | None = None  # before
    subgraph: str | None = None


def stored(at: datetime) -> datetime:
    """A time as the ORM stores it (its configured zone): SQLite compares them as text."""
    return localtime(at if at.tzinfo else at.replace(tzinfo=UTC))


def audit_conditions(filter: AuditFilter | None) -> Q:
    """The filter as one condition on any subgraph's audit table."""
    q = Q()
    if filter is None:
        return q
    if filter.actor:
        try:
            q &= Q(actor_id=UUID(filter.actor))
        except ValueError:
            q &= Q(actor_username=filter.actor)
    if filter.action:
        q &= Q(action=filter.action)
    if filter.target_type:
        q &= Q(target_type=filter.target_type)
    if filter.target_id:
        q &= Q(target_id=filter.target_id)
    if filter.from_:
        q &= Q(occurred_at__gte=stored(filter.from_))
    if filter.to:
        q &= Q(occurred_at__lt=stored(filter.to))
    return q


def describe(filter: AuditFilter | None) -> dict[str, str]:
    """The filter as the search's own audit record tells it (GraphQL argument names)."""
    if filter is None:
        return {}
    values = {
        "actor": filter.actor,
        "action": filter.action,
        "targetType": filter.target_type,
        "targetId": filter.target_id,
        "from": filter.from_.isoformat() if filter.from_ else None,
        "to": filter.to.isoformat() if filter.to else None,
        "subgraph": filter.subgraph,
    }
    return {key: value for key, value in values.items() if value}
