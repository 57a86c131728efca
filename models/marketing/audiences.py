"""目标客群 (stored audiences): a member bank's saved criteria over its customers — tags, tiers, AUM,
grids, products held, an org subtree — that schemes (营销方案) and canvas campaigns (营销画布) target.
Only the criteria are stored; the members are read when needed (resolvers/marketing/audiences.py),
always minus the marketing filter (营销过滤) and customers without marketing consent."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from models.common import Entity


class Audience(Entity):
    """目标客群: a named set of criteria in one member bank (法人行社)."""

    tenant_id = fields.UUIDField(db_index=True)
    name = fields.CharField(max_length=100)
    # AudienceCriteria as JSON: amounts and ids as strings (resolvers/marketing/audiences.py)
    criteria: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_by = fields.UUIDField()  # operations User
    idempotency_key = fields.CharField(max_length=64, null=True)  # 幂等键, unique per creator

    class Meta:
        table = "audience"
        unique_together = (("created_by", "idempotency_key"),)
