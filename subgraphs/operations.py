"""Operations subgraph: orgs, users, alerts; login and sessions; the audit trail search."""

from resolvers.operations.dataloaders import OperationsLoaders
from resolvers.operations.jobs import (
    alert_escalation,
    device_events,
    inspection_tasks,
    log_retention,
    signup_messages,
    supervision_alerts,
    watch_backups,
    watch_incidents,
)
from schema.operations.mutations import Mutation
from schema.operations.queries import Query
from schema.operations.subscriptions import Subscription
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="operations",
    schema=build_schema("operations", query=Query, mutation=Mutation, subscription=Subscription),
    loaders=OperationsLoaders,
    # finance's supervision warnings and devices' status events → alerts; incidents' SLA checks;
    # stale critical alerts → incidents; missing backups → alerts; the due inspection tasks; the
    # signup codes' texts (resolvers/operations/jobs.py); the logs past their retention deleted
    jobs=(
        supervision_alerts,
        device_events,
        watch_incidents,
        alert_escalation,
        watch_backups,
        inspection_tasks,
        log_retention,
        signup_messages,
    ),
    # Apps registered in this process too, read-only: finance, whose outbox (event log) the job reads;
    # devices, for the device raiseAlert names (resolvers/operations/directory.py) and its outbox;
    # customers and marketing, whose approval requests pendingApprovals lists (approvals.py).
    consumes=("finance", "devices", "customers", "marketing"),
)
