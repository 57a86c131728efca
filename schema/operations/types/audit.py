"""审计记录: one entry of the audit trail search (reads resolvers/operations/audit.py ``AuditEntry``)."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry

from resolvers.operations.audit import AuditEntry


def _detail(parent: strawberry.Parent[AuditEntry]) -> str:
    return json.dumps(parent.detail, ensure_ascii=False, sort_keys=True)


@strawberry.type(description="审计记录: one audited action of one subgraph's hash chain")
class AuditRecord:
    """Reads resolvers/operations/audit.py ``AuditEntry``."""

    subgraph: str = strawberry.field(description="whose chain: operations, customers, …")
    seq: int = strawberry.field(description="position in that subgraph's chain")
    occurred_at: datetime
    actor_id: strawberry.ID | None = strawberry.field(description="null: an anonymous attempt")
    actor_username: str | None
    actor_role: str = strawberry.field(description="the role the actor was acting in")
    action: str = strawberry.field(description="a mutation field name, or pii.read, audit.search")
    target_type: str
    target_id: str | None
    result: str = strawberry.field(description="ok, or the error code")
    request_id: str
    detail: str = strawberry.field(
        resolver=_detail, description="extra facts as JSON, e.g. the PII fields read"
    )
    prev_hash: str
    hash: str
