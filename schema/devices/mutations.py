"""Every root mutation of the devices subgraph: parse, call resolvers/devices, return."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.common.values import parse_id
from resolvers.devices.heartbeats import report_heartbeat
from resolvers.devices.telemetry import set_metric_threshold  # -- issue 16: telemetry --
from schema.devices.context import Info
from schema.devices.inputs import HeartbeatInput, MetricThresholdInput
from schema.devices.telemetry import MetricThreshold  # -- issue 16: telemetry --
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

    # -- issue 16: telemetry --
    @strawberry.federation.mutation(
        description="设置阈值: a fixed high/low threshold on one metric of a device (wins over the baseline)",
        authenticated=True,
    )
    async def set_metric_threshold(self, info: Info, input: MetricThresholdInput) -> MetricThreshold:
        principal = info.context.require_principal()
        row = await set_metric_threshold(
            principal, parse_id(input.device_id, "deviceId"), input.metric, input.high, input.low
        )
        return cast(MetricThreshold, row)

    # -- end issue 16: telemetry --
