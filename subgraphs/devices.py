"""Devices subgraph: devices, their credentials, status and commands; the status and command streams."""

from resolvers.devices.dataloaders import DevicesLoaders
from resolvers.devices.jobs import (
    device_checks,
    metric_baselines,
    org_changes,
    telemetry_maintenance,
    telemetry_rollups,
)
from schema.devices.federation import Org, User
from schema.devices.mutations import Mutation
from schema.devices.queries import Query
from schema.devices.subscriptions import Subscription
from subgraphs import device_ingest
from subgraphs.mqtt_bridge import bridge_service
from subgraphs.schema import build_schema
from subgraphs.spec import SubgraphSpec

spec = SubgraphSpec(
    name="devices",
    schema=build_schema(
        "devices", query=Query, mutation=Mutation, subscription=Subscription, types=[Org, User]
    ),
    loaders=DevicesLoaders,
    # silent devices → OFFLINE, unanswered commands → TIMED_OUT; telemetry roll-ups, partitions and
    # retention, baselines (resolvers/devices/jobs.py)
    jobs=(device_checks, telemetry_rollups, telemetry_maintenance, metric_baselines, org_changes),
    # Read-only: operations' halls, orgs and change requests (resolvers/devices/directory.py).
    consumes=("operations",),
    routes=device_ingest.routes,  # POST /devices/ingest: the HTTP batch intake
    services=(bridge_service,),  # the MQTT bridge in this process, when DCMS_MQTT_URL is set
)
