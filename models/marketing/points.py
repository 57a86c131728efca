"""积分 (points ledger): earn and spend entries, each under a unique key (a campaign award's key is
campaign × wave × node × customer, so a rerun awards nothing twice). A balance is the sum of a
customer's signed amounts (one GROUP BY for a page of customers); a spend takes the customer's
lock first (resolvers/marketing/points.py), so two spends never both pass the check."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import Entity


class PointsKind(StrEnum):
    EARN = "EARN"  # 获得
    SPEND = "SPEND"  # 使用


class PointsEntry(Entity):
    tenant_id = fields.UUIDField(db_index=True)
    customer_id = fields.UUIDField(db_index=True)
    kind = fields.CharEnumField(PointsKind, max_length=5)
    amount = fields.IntField()  # signed: > 0 earned, < 0 spent
    reason = fields.CharField(max_length=200, default="")
    key = fields.CharField(max_length=200, unique=True)  # 幂等键: one entry per award or spend
    campaign_id = fields.UUIDField(null=True)
    created_by = fields.UUIDField(null=True)  # operations User for a spend; null for a campaign award

    class Meta:
        table = "points_entry"
