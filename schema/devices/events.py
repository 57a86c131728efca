"""Stream payloads of the devices schema."""

from __future__ import annotations

import strawberry

from schema.common.events import StreamEvent
from schema.devices.types import Device, DeviceCommand


@strawberry.type(description="设备状态事件")
class DeviceEvent(StreamEvent):
    type: str = strawberry.field(
        description="device.online / offline / fault / maintenance (状态变更), device.breach / "
        "breach_cleared (指标越限), device.reported (其他上报事件)"
    )
    device: Device


@strawberry.type(description="远程指令事件")
class DeviceCommandEvent(StreamEvent):
    type: str = strawberry.field(description="command.pending (issued) / acknowledged / failed / timed_out")
    command: DeviceCommand
