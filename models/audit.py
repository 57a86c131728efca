"""The audit trail's table, one per subgraph (each subgraph owns its tables, and a
mutation's audit record is written in the same transaction as its change).

Append-only: the hash chain (see security/audit_chain.py) makes any change
visible to ``dcms audit verify``, and a trigger (subgraphs/audit_storage.py)
refuses UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tortoise import fields
from tortoise.models import Model


class AuditRecordBase(Model):
    """One audited action: who (actor, active role), what (action on a target), when,
    the result (``ok`` or an error code) and the request it came with."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    # Position in this subgraph's chain: 1, 2, 3 … assigned under the chain lock.
    seq = fields.BigIntField(unique=True)
    occurred_at = fields.DatetimeField()
    actor_id = fields.UUIDField(null=True, db_index=True)  # null: anonymous attempt
    actor_username = fields.CharField(max_length=64, null=True)
    actor_role = fields.CharField(max_length=32, default="")
    action = fields.CharField(max_length=64, db_index=True)  # e.g. "addReminder", "pii.read"
    target_type = fields.CharField(max_length=64, default="")
    target_id = fields.CharField(max_length=64, null=True, db_index=True)
    result = fields.CharField(max_length=32, default="ok")  # "ok" or an error code
    request_id = fields.CharField(max_length=128)
    detail: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)  # e.g. {"fields": ["phone"]}
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True
