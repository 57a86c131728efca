"""Devices subgraph: devices, heartbeats, status stream."""

from resolvers.devices.dataloaders import DevicesLoaders
from resolvers.devices.mutations import Mutation
from resolvers.devices.queries import Query
from resolvers.devices.subscriptions import Subscription
from schema.devices.types import Org
from subgraphs.schema import build_schema

schema = build_schema("devices", query=Query, mutation=Mutation, subscription=Subscription, types=[Org])
loaders = DevicesLoaders
