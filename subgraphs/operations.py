"""Operations subgraph: orgs, users, alerts; login and sessions."""

from strawberry.tools import merge_types

from resolvers.operations.auth import AuthMutation
from resolvers.operations.dataloaders import OperationsLoaders
from resolvers.operations.mutations import Mutation as OperationsMutation
from resolvers.operations.queries import Query
from resolvers.operations.subscriptions import Subscription
from resolvers.operations.supervision_alerts import supervision_alerts
from subgraphs.schema import build_schema

Mutation = merge_types("Mutation", (OperationsMutation, AuthMutation))
schema = build_schema("operations", query=Query, mutation=Mutation, subscription=Subscription)
loaders = OperationsLoaders
jobs = [supervision_alerts]  # finance's supervision warnings → alerts (realtime/consumer.py)
# Apps registered in this process too, read-only: finance, whose outbox (event log) the jobs read;
# devices, for the device raiseAlert names (resolvers/operations/device_directory.py).
consumes = ("finance", "devices")
