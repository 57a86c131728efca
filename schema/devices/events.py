"""Stream payloads of the devices schema."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.devices.types import Device


@strawberry.type(description="设备状态事件")
class DeviceEvent(StreamEvent):
    device: Device
