"""Devices subgraph: devices, heartbeats, status stream."""

from resolvers.devices.dataloaders import DevicesLoaders
from resolvers.devices.telemetry_jobs import metric_baselines, telemetry_maintenance, telemetry_rollups
from schema.devices.federation import Org
from schema.devices.mutations import Mutation
from schema.devices.queries import Query
from schema.devices.subscriptions import Subscription
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="devices",
    schema=build_schema("devices", query=Query, mutation=Mutation, subscription=Subscription, types=[Org]),
    loaders=DevicesLoaders,
    # -- issue 16: telemetry -- roll-ups, partitions and retention, baselines (telemetry_jobs.py)
    jobs=(telemetry_rollups, telemetry_maintenance, metric_baselines),
)
