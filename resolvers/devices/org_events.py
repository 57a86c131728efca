"""What the devices subgraph does with the org tree's changes (operations' ``operations.orgs``
stream, resolvers/operations/orgs.py), read by a durable consumer (realtime/consumer.py: each event
once, in the transaction that records its cursor; the handler: resolvers/common/org_paths.py
``org_change_handler``, as customers' is):

- ``org.moved``: every ``org_path`` copy here at the org's old path or below it takes the new one
  (one UPDATE per table: devices, their commands, status changes and thresholds, the CMDB's
  config items, relations and changes);
- ``org.closed``: nothing here: its devices keep the closed org (still under the parent's path,
  so the parent's operators keep seeing them) until someone moves them.
"""

from __future__ import annotations

from resolvers.common.org_paths import org_change_handler

CONSUMER = "devices.org-changes"  # its ConsumerCursor row

on_org_event = org_change_handler("devices")
