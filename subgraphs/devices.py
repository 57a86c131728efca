"""Devices subgraph: devices, heartbeats, status stream."""

from resolvers.devices.dataloaders import DevicesLoaders
from schema.devices.federation import Org
from schema.devices.mutations import Mutation
from schema.devices.queries import Query
from schema.devices.subscriptions import Subscription
from subgraphs import device_ingest
from subgraphs.mqtt_bridge import bridge_service
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="devices",
    schema=build_schema("devices", query=Query, mutation=Mutation, subscription=Subscription, types=[Org]),
    loaders=DevicesLoaders,
    # -- issue 16: MQTT bridge --
    routes=device_ingest.routes,  # POST /devices/ingest: the HTTP batch intake
    services=(bridge_service,),  # the MQTT bridge in this process, when DCMS_MQTT_URL is set
)
