"""督办预警, 催单 and 贷后预警 from the finance marketplace, raised here as alerts for the
institution's org: the institution's staff and the regulator see them in ``alerts``."""

from __future__ import annotations

import logging

from models.operations import Alert, AlertLevel, ConsumerCursor, Org
from realtime.broker import ALERTS, SUPERVISION
from realtime.consumer import consume
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.events import publish
from resolvers.common.rules import Rules

log = logging.getLogger(__name__)

SOURCES = {"warning.raised": "supervision", "order.urged": "urge", "risk.post_loan": "post_loan"}


async def raise_alert(event: Event) -> bool:
    """One alert per event (its id is unique on the alert, so a repeat raises nothing)."""
    scope = event.scope
    org = await Org.get_or_none(id=scope.get("org_id"))
    if org is None:
        log.warning("supervision event %s names no known org %s", event.id, scope.get("org_id"))
        return False
    if await Alert.exists(source_event_id=event.id):
        return False
    alert = await Alert.create(
        org=org,
        org_path=org.path,
        level=AlertLevel(scope.get("level", "WARNING")),
        title=str(scope.get("title", ""))[:200],
        detail=str(scope.get("detail", "")),
        source=SOURCES.get(event.type, "finance"),
        source_event_id=event.id,
    )
    await publish(ALERTS, "alert.raised", alert, tenant_id=org.tenant_id, org_path=org.path)
    return True


async def supervision_alerts(realtime: Realtime, rules: Rules) -> None:
    await consume(realtime, "finance-supervision-alerts", SUPERVISION, raise_alert, ConsumerCursor)
