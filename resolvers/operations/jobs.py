"""Background jobs of the operations subgraph (started with the app, one task each per process).

``supervision_alerts``: 督办预警, 催单 and 贷后预警 from the finance marketplace, raised here as
alerts for the institution's org (alerts.py ``raise_event_alert``): the institution's staff and
the regulator see them in ``alerts``. A durable consumer (realtime/consumer.py): each event once.
"""

from __future__ import annotations

import logging
from uuid import UUID

from models.operations import AlertLevel, ConsumerCursor
from realtime.broker import SUPERVISION
from realtime.consumer import consume
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.jobs import every
from resolvers.common.rules import Rules
from resolvers.operations.alerts import raise_event_alert
from resolvers.operations.inspections import create_due_tasks

log = logging.getLogger(__name__)

SOURCES = {"warning.raised": "supervision", "order.urged": "urge", "risk.post_loan": "post_loan"}


async def alert_from_supervision(event: Event) -> bool:
    """One alert per event (its id is unique on the alert, so a repeat raises nothing): True when
    it raised one."""
    scope = event.scope
    try:
        org_id = UUID(str(scope.get("org_id")))
    except ValueError:
        log.warning("supervision event %s names no org id: %r", event.id, scope.get("org_id"))
        return False
    alert = await raise_event_alert(
        event.id,
        org_id,
        level=AlertLevel(scope.get("level", "WARNING")),
        title=str(scope.get("title", "")),
        detail=str(scope.get("detail", "")),
        source=SOURCES.get(event.type, "finance"),
    )
    return alert is not None


async def supervision_alerts(realtime: Realtime, rules: Rules) -> None:
    await consume(realtime, "finance-supervision-alerts", SUPERVISION, alert_from_supervision, ConsumerCursor)


async def inspection_tasks(realtime: Realtime, rules: Rules) -> None:
    """巡检: every ``rules.inspection_job_seconds`` (300), make the due inspection tasks and mark
    the missed ones (inspections.py ``create_due_tasks``)."""
    await every(realtime, "operations", rules.inspection_job_seconds, create_due_tasks)
