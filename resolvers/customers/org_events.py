"""What the customers subgraph does with the org tree's changes (operations' ``operations.orgs``
stream, resolvers/operations/orgs.py), read by a durable consumer (realtime/consumer.py: each event
once, in the transaction that records its cursor):

- ``org.moved``: every ``org_path`` copy here at the org's old path or below it takes the new one
  (customers, prospects, approval requests: resolvers/common/org_paths.py, one UPDATE per table);
- ``org.closed``: the closed org's customers and prospects (客户 / 潜在客户) go to its successor
  (承接机构), their ``org_id`` and ``org_path`` with them, in one UPDATE each.
"""

from __future__ import annotations

import logging
from uuid import UUID

from models.customers import Customer, Prospect
from realtime.events import Event
from resolvers.common.org_paths import rewrite_paths

log = logging.getLogger(__name__)

CONSUMER = "customers.org-changes"  # its ConsumerCursor row


async def on_org_event(event: Event) -> bool:
    """Apply one org change; False: it publishes nothing of its own."""
    scope = event.scope
    if event.type == "org.moved":
        await rewrite_paths("customers", str(scope["old_path"]), str(scope["new_path"]))
    elif event.type == "org.closed" and scope.get("successor_id"):
        closed, successor = UUID(str(event.payload["id"])), UUID(str(scope["successor_id"]))
        path = str(scope["successor_path"])
        for model in (Customer, Prospect):
            await model.filter(org_id=closed).update(org_id=successor, org_path=path)
    elif event.type not in ("org.moved", "org.closed"):
        log.warning("org event %s of unknown type %s: ignored", event.id, event.type)
    return False
