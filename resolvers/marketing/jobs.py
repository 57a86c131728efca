"""Marketing's jobs, each once across replicas (resolvers/common/jobs.py ``every``): what they do
is in the domain modules named. ``org_changes``: the org tree's changes (operations'
``operations.orgs``), applied by a durable consumer (org_events.py): path copies rewritten after a
move."""

from __future__ import annotations

from models.marketing import ConsumerCursor
from realtime.broker import ORG_CHANGES
from realtime.consumer import consume
from realtime.hub import Realtime
from resolvers.common.jobs import every
from resolvers.common.rules import Rules
from resolvers.marketing.messages import deliver_messages
from resolvers.marketing.org_events import CONSUMER, on_org_event
from resolvers.marketing.rules import run_rules
from resolvers.marketing.targets import build_target_lists
from resolvers.marketing.waves import run_due_waves

TARGET_LIST_SECONDS = 10.0
WAVE_SECONDS = 30.0
DELIVERY_SECONDS = 10.0


async def watch_rules(realtime: Realtime, rules: Rules) -> None:
    """商机 from the rules over customer data (rules.py), every ``rules.opportunity_rule_seconds``
    (an hour)."""
    await every(
        realtime, "marketing", rules.opportunity_rule_seconds, lambda: run_rules(rules), name="run_rules"
    )


async def watch_scheme_lists(realtime: Realtime, rules: Rules) -> None:
    """Running schemes' target lists and work orders (targets.py), every 10 s."""
    await every(realtime, "marketing", TARGET_LIST_SECONDS, build_target_lists)


async def watch_campaigns(realtime: Realtime, rules: Rules) -> None:
    """The canvas waves due (waves.py), every 30 s."""
    await every(realtime, "marketing", WAVE_SECONDS, run_due_waves)


async def deliver_outbox(realtime: Realtime, rules: Rules) -> None:
    """One batch of due messages through the sender (messages.py), every 10 s."""
    await every(realtime, "marketing", DELIVERY_SECONDS, deliver_messages)


async def org_changes(realtime: Realtime, rules: Rules) -> None:
    """The org tree's changes (operations' ``operations.orgs``): path copies rewritten after a move
    (org_events.py). A durable consumer: each event once."""
    await consume(realtime, CONSUMER, ORG_CHANGES, on_org_event, ConsumerCursor)
