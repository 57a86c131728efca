"""Every root mutation of the devices subgraph: parse, call resolvers/devices, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices.heartbeats import report_heartbeat
from schema.devices.context import Info
from schema.devices.inputs import HeartbeatInput
from schema.devices.types import Device


@strawberry.type
class Mutation:
    @strawberry.federation.mutation(
        description="上报心跳: updates status and metrics, pushes deviceStatus", authenticated=True
    )
    async def report_heartbeat(self, info: Info, input: HeartbeatInput) -> Device:
        principal = info.context.require_principal()
        device = await report_heartbeat(
            principal, parse_id(input.device_id, "deviceId"), input.status, input.cpu, input.memory
        )
        return cast(Device, device)
