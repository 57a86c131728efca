"""Devices subgraph: devices, heartbeats, status stream."""

from resolvers.devices.dataloaders import DevicesLoaders
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
    # -- issue 16: cmdb -- the configuration library reads operations' orgs and change requests,
    # read-only, through one module: resolvers/devices/directory.py.
    consumes=("operations",),
)
