"""Marketing's jobs, once across replicas (resolvers/common/jobs.py): canvas waves
(resolvers/marketing/waves.py ``watch_campaigns``) and the message outbox's delivery (here)."""

from __future__ import annotations

from realtime.hub import Realtime
from resolvers.common.jobs import every
from resolvers.common.rules import Rules
from resolvers.marketing.messages import deliver_messages

DELIVERY_SECONDS = 10.0


async def deliver_outbox(realtime: Realtime, rules: Rules) -> None:
    """Every ``DELIVERY_SECONDS`` (10), one batch of due messages through the sender."""
    await every(realtime, "marketing", DELIVERY_SECONDS, deliver_messages)
