"""The transactional outbox: an event is written in the same transaction as the change it
reports, and published by the relay (realtime/outbox.py) only after that commit. Nothing
committed is lost when Redis or a process restarts; nothing rolled back is ever published.

The relay numbers each channel's events (``seq``, from that channel's ``OutboxSequence`` row)
before it publishes them. Numbering takes the sequence row's lock, so numbering transactions
commit in number order: when event N of a channel is visible, events 1..N-1 are too. Subscribers
rely on that to fill gaps and to replay from a cursor (realtime/feed.py). Published rows are kept
for the replay window, then pruned.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxEventBase(Model):
    id = fields.CharField(max_length=32, primary_key=True)  # time-ordered event id (realtime/events.py)
    channel = fields.CharField(max_length=64)
    seq = fields.BigIntField(null=True, db_index=True)  # place in the channel; None until numbered
    type = fields.CharField(max_length=64)
    occurred_at = fields.CharField(max_length=40)  # ISO 8601, as in the envelope
    tenant_id = fields.CharField(max_length=36, null=True)
    scope: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        abstract = True


class ConsumerCursorBase(Model):
    """How far a consumer of another subgraph's stream has got (realtime/consumer.py): the last
    event it handled, stored with what it did."""

    name = fields.CharField(max_length=64, primary_key=True)
    event_id = fields.CharField(max_length=32)

    class Meta:
        abstract = True


class OutboxSequenceBase(Model):
    channel = fields.CharField(max_length=64, primary_key=True)
    last_seq = fields.BigIntField(default=0)

    class Meta:
        abstract = True
