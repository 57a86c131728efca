"""What the marketing subgraph does with the org tree's changes (operations' ``operations.orgs``
stream, resolvers/operations/orgs.py), read by a durable consumer (realtime/consumer.py: each event
once, in the transaction that records its cursor; the handler: resolvers/common/org_paths.py
``org_change_handler``, as customers' is):

- ``org.moved``: every ``org_path`` copy here at the org's old path or below it takes the new one
  (one UPDATE per table: opportunities, QR codes, schemes and their targets, work orders,
  performance targets and splits, campaigns, work reports, approval requests);
- ``org.closed``: nothing here: its schemes, targets and opportunities keep the closed org (its
  history, still under the parent's path, so the parent's staff keep seeing them); its users and
  customers are handed on elsewhere (operations, customers).
"""

from __future__ import annotations

from resolvers.common.org_paths import org_change_handler

CONSUMER = "marketing.org-changes"  # its ConsumerCursor row

on_org_event = org_change_handler("marketing")
