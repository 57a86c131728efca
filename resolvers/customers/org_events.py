"""What the customers subgraph does with the org tree's changes (operations' ``operations.orgs``
stream, resolvers/operations/orgs.py), read by a durable consumer (realtime/consumer.py: each event
once, in the transaction that records its cursor; the handler: resolvers/common/org_paths.py
``org_change_handler``):

- ``org.moved``: every ``org_path`` copy here at the org's old path or below it takes the new one
  (customers, prospects, approval requests: one UPDATE per table);
- ``org.closed``: the closed org's customers and prospects (客户 / 潜在客户) go to its successor
  (承接机构), their ``org_id`` and ``org_path`` with them, in one UPDATE each.
"""

from __future__ import annotations

from uuid import UUID

from models.customers import Customer, Prospect
from realtime.events import Event
from resolvers.common.org_paths import org_change_handler

CONSUMER = "customers.org-changes"  # its ConsumerCursor row


async def hand_on(event: Event) -> None:
    """A closed org's customers and prospects to its successor (none named: it had none)."""
    scope = event.scope
    if not scope.get("successor_id"):
        return
    closed, successor = UUID(str(event.payload["id"])), UUID(str(scope["successor_id"]))
    path = str(scope["successor_path"])
    for model in (Customer, Prospect):
        await model.filter(org_id=closed).update(org_id=successor, org_path=path)


on_org_event = org_change_handler("customers", hand_on)
