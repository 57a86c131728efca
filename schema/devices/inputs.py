"""Input types of the devices schema."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from schema.devices.enums import CommandAction, DeviceStatus


@strawberry.input
class HeartbeatInput:
    device_id: strawberry.ID
    status: DeviceStatus = DeviceStatus.ONLINE
    cpu: float | None = None
    memory: float | None = None


@strawberry.input(description="下发远程指令")
class DeviceCommandInput:
    command_id: strawberry.ID = strawberry.field(
        description="指令编号, a UUID the client makes: sending it again (a retry) issues nothing twice"
    )
    device_id: strawberry.ID
    action: CommandAction
    params: JSON = strawberry.field(default_factory=dict, description="the action's parameters (≤ 4 KB)")
    timeout_seconds: int = strawberry.field(default=60, description="TIMED_OUT when not answered by then")
