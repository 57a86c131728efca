"""The audit trail as the audit admin searches it (审计日志查询)."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry


@strawberry.type(description="审计记录: one audited action of one subgraph's hash chain")
class AuditRecord:
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
    detail: str = strawberry.field(description="extra facts as JSON, e.g. the PII fields read")
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, subgraph: str, row: object) -> AuditRecord:
        get = row.__getattribute__
        return cls(
            subgraph=subgraph,
            seq=get("seq"),
            occurred_at=get("occurred_at"),
            actor_id=strawberry.ID(str(get("actor_id"))) if get("actor_id") else None,
            actor_username=get("actor_username"),
            actor_role=get("actor_role"),
            action=get("action"),
            target_type=get("target_type"),
            target_id=get("target_id"),
            result=get("result"),
            request_id=get("request_id"),
            detail=json.dumps(get("detail"), ensure_ascii=False, sort_keys=True),
            prev_hash=get("prev_hash"),
            hash=get("hash"),
        )


@strawberry.input(description="Every given condition must hold")
class AuditRecordFilter:
    actor: str | None = strawberry.field(default=None, description="a username or a user id")
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    from_: datetime | None = strawberry.field(default=None, name="from", description="at or after")
    to: datetime | None = strawberry.field(default=None, description="before")
    subgraph: str | None = None
