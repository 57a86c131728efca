"""Background jobs of the devices subgraph (started with the app, one task each per process).

``device_checks``: every ``Rules.device_check_seconds`` (15), devices past their heartbeat window
go OFFLINE (status.py ``mark_offline``) and commands past their time TIMED_OUT (commands.py
``time_out``), each once across replicas.

``telemetry_rollups``, ``telemetry_maintenance``, ``metric_baselines``: the telemetry's 1-minute and
1-hour roll-ups, its partitions and retention, and the baselines (基准线) learned from the last
days (rollups.py).

``org_changes``: the org tree's changes (operations' ``operations.orgs``), applied by a durable
consumer (org_events.py): path copies rewritten after a move.
"""

from __future__ import annotations

from datetime import datetime

from models.devices import ConsumerCursor
from realtime.broker import ORG_CHANGES
from realtime.consumer import consume
from realtime.hub import Realtime
from resolvers.common.clock import now
from resolvers.common.jobs import every
from resolvers.common.rules import Rules
from resolvers.devices.commands import time_out
from resolvers.devices.org_events import CONSUMER, on_org_event
from resolvers.devices.rollups import learn_baselines, maintain, roll_up
from resolvers.devices.status import mark_offline


async def check_devices(moment: datetime | None = None) -> int:
    """One round: silent devices offline, then unanswered commands timed out. Returns how many."""
    moment = moment or now()
    return await mark_offline(moment) + await time_out(moment)


async def device_checks(realtime: Realtime, rules: Rules) -> None:
    await every(realtime, "devices", rules.device_check_seconds, check_devices)


async def telemetry_rollups(realtime: Realtime, rules: Rules) -> None:
    await every(realtime, "devices", rules.telemetry_rollup_seconds, lambda: roll_up(rules), name="roll_up")


async def telemetry_maintenance(realtime: Realtime, rules: Rules) -> None:
    await every(
        realtime, "devices", rules.telemetry_maintenance_seconds, lambda: maintain(rules), name="maintain"
    )


async def metric_baselines(realtime: Realtime, rules: Rules) -> None:
    await every(
        realtime,
        "devices",
        rules.baseline_job_seconds,
        lambda: learn_baselines(rules),
        name="learn_baselines",
    )


async def org_changes(realtime: Realtime, rules: Rules) -> None:
    """The org tree's changes (operations' ``operations.orgs``): path copies rewritten after a move
    (org_events.py). A durable consumer: each event once."""
    await consume(realtime, CONSUMER, ORG_CHANGES, on_org_event, ConsumerCursor)
