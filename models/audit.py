"""The audit trail's table, one per subgraph (each subgraph owns its tables, and a
mutation's audit record is written in the same transaction as its change).

Append-only: the hash chains (see security/audit_chain.py) make any change
visible to ``dcms audit verify``, and a trigger (subgraphs/audit_storage.py)
refuses UPDATE, DELETE and TRUNCATE. A table holds several chains (``chain``), so
concurrent mutations append without waiting for each other; each subgraph's model
declares ``unique_together = AUDIT_UNIQUE`` (Tortoise does not inherit Meta).
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tortoise import fields
from tortoise.models import Model

# One position per chain: a fork (two appends reading the same head) fails instead of committing.
AUDIT_UNIQUE = (("chain", "seq"),)


class AuditRecordBase(Model):
    """One audited action: who (actor, active role), what (action on a target), when,
    the result (``ok`` or an error code) and the request it came with."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    # The chain the record belongs to (0 … CHAINS - 1; records from before chains were split are 0)
    # and its position in that chain: 1, 2, 3 … assigned under that chain's lock.
    chain = fields.SmallIntField(default=0)
    seq = fields.BigIntField()
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
