"""Pieces every subgraph's models share."""

from __future__ import annotations

from uuid import uuid4

from tortoise import fields
from tortoise.models import Model


class Entity(Model):
    """A UUID primary key (no guessable sequences) and creation/update times."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True
