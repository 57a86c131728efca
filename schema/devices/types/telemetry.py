"""遥测 (telemetry) types of the devices schema: a chart's series, a device's metrics, a fixed
threshold. They read the plain values of resolvers/devices/telemetry.py."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from models.devices import MetricThreshold as MetricThresholdRow
from schema.devices.context import Info

if TYPE_CHECKING:
    from schema.devices.types.devices import Device

_Device = Annotated["Device", strawberry.lazy("schema.devices.types.devices")]


@strawberry.type(description="遥测数据点: one bucket of a series")
class TelemetryPoint:
    at: datetime = strawberry.field(description="the bucket's start")
    avg: float
    min: float
    max: float
    count: int = strawberry.field(description="samples in the bucket")


@strawberry.type(description="遥测曲线: a metric downsampled to at most the points asked for")
class TelemetrySeries:
    metric: str
    step_seconds: int = strawberry.field(description="each point's bucket width")
    points: list[TelemetryPoint]


@strawberry.type(description="设备指标: the latest value, the fixed threshold (阈值), the baseline (基准线)")
class DeviceMetric:
    metric: str
    value: float | None = strawberry.field(description="latest value")
    at: datetime | None = strawberry.field(description="when the latest value was measured")
    breached: bool = strawberry.field(description="越限: outside its threshold or baseline")
    high: float | None = strawberry.field(description="fixed high threshold")
    low: float | None = strawberry.field(description="fixed low threshold")
    baseline_mean: float | None = strawberry.field(description="基准线 mean over the last days")
    baseline_stddev: float | None = strawberry.field(description="基准线 standard deviation")


@strawberry.type(description="阈值: a fixed threshold on one metric of a device")
class MetricThreshold:
    id: strawberry.ID
    metric: str
    high: float | None
    low: float | None
    updated_at: datetime

    @strawberry.field(description="the device")
    @staticmethod
    async def device(parent: strawberry.Parent[MetricThresholdRow], info: Info) -> _Device | None:
        return cast("Device | None", await info.context.loaders.device.load(parent.device_id))
