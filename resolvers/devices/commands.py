"""远程指令 (device commands): staff issue one to a device in their scope (``issue_command``); it is
recorded PENDING and put on the DEVICE_COMMANDS channel, which the MQTT bridge sends to the unit's
command topic (``mark_sent``); the unit answers on its ack topic (``answer_commands``, from
ingest.py): ACKNOWLEDGED or FAILED; one not answered by ``expires_at`` is TIMED_OUT (``time_out``,
a job). Each step is on the stream ``deviceCommands`` and audited when staff take it.

Idempotent by command id: the client makes the id (a UUID) and sends it again on a retry; the
same id with other values is CONFLICT. An answer applies only while the command waits for one,
so a redelivered ack changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.devices import CommandAction, CommandStatus, Device, DeviceCommand
from realtime.broker import DEVICE_COMMANDS
from realtime.events import Event
from realtime.hub import Realtime
from resolvers.common.changes import change
from resolvers.common.clock import now
from resolvers.common.errors import bad_input, conflict, not_found
from resolvers.common.events import publish, stream
from resolvers.common.jobs import exclusive
from resolvers.common.loading import scoped
from resolvers.devices.permissions import require_commander
from resolvers.devices.scopes import command_scope, device_scope
from security.principal import Principal

WAITING = (CommandStatus.PENDING, CommandStatus.SENT)
MIN_TIMEOUT, MAX_TIMEOUT = 5, 24 * 3600  # seconds a command may wait for its answer
MAX_PARAMS = 4096  # bytes of a command's parameters, as JSON
TIMEOUT_LOCK = 0x5D_DE_C0  # pg advisory lock key: one timeout run at a time across replicas
TIMEOUT_BATCH = 500


async def _announce(command: DeviceCommand, device: Device, unit: Device) -> None:
    """The command's step on DEVICE_COMMANDS; the bridge sends ``command.pending`` (just issued)
    down to ``unit``."""
    await publish(
        DEVICE_COMMANDS,
        f"command.{command.status.value.lower()}",
        command,
        tenant_id=device.tenant_id,
        org_path=device.org_path,
        hall_id=device.hall_id,
        device_id=device.id,
        code=unit.code,
        device=device.code if unit.id != device.id else None,
    )


async def issue_command(
    principal: Principal,
    command_id: UUID,
    device_id: UUID,
    action: CommandAction,
    params: object,
    timeout_seconds: int = 60,
) -> DeviceCommand:
    """A command to a device in the caller's scope (NOT_FOUND otherwise), by a role that may send
    one; sent through the device's unit when it has one."""
    require_commander(principal)
    if not MIN_TIMEOUT <= timeout_seconds <= MAX_TIMEOUT:
        raise bad_input(f"timeoutSeconds must be {MIN_TIMEOUT} to {MAX_TIMEOUT}")
    if not isinstance(params, dict):
        raise bad_input("params must be a JSON object")
    if len(orjson.dumps(params)) > MAX_PARAMS:
        raise bad_input(f"params must be at most {MAX_PARAMS} bytes")
    device = await scoped(principal, Device, device_scope).get_or_none(id=device_id)
    if device is None:
        raise not_found("device")
    moment = now()
    async with change("devices", "DeviceCommand", command_id) as audited:
        existing = await DeviceCommand.get_or_none(id=command_id)
        if existing is None:
            try:
                async with in_transaction("devices"):  # a savepoint: a twin request may win
                    command = await DeviceCommand.create(
                        id=command_id,
                        device_id=device.id,
                        org_path=device.org_path,
                        action=action,
                        params=params,
                        issued_by=principal.user_id,
                        expires_at=moment + timedelta(seconds=timeout_seconds),
                    )
            except IntegrityError:
                existing = await DeviceCommand.get(id=command_id)
            else:
                unit = await Device.get(id=device.parent_id) if device.parent_id else device
                await _announce(command, device, unit)
                return command
        same = (existing.device_id, existing.action, existing.params, existing.issued_by)
        if same != (device.id, action, params, principal.user_id):
            raise conflict("指令编号已用于另一条指令 (commandId already used for another command)")
        audited.detail["repeated"] = True
        return existing


async def mark_sent(command_ids: Sequence[UUID], moment: datetime | None = None) -> int:
    """The bridge published these commands to their units: PENDING → SENT (one UPDATE)."""
    return await DeviceCommand.filter(id__in=list(command_ids), status=CommandStatus.PENDING).update(
        status=CommandStatus.SENT, sent_at=moment or now()
    )


async def answer_commands(answers: Sequence[tuple[Device, dict[str, Any]]], moment: datetime) -> int:
    """Acks from units (ingest.py): each (device that answered, ack data) moves the named command of
    that device from waiting to ACKNOWLEDGED or FAILED, once. In the caller's transaction; returns
    the events published."""
    published = 0
    for device, data in answers:
        result = data.get("result")
        try:
            command_id = UUID(str(data.get("command")))
        except ValueError:
            continue
        if result not in (CommandStatus.ACKNOWLEDGED, CommandStatus.FAILED):
            continue
        answered = await DeviceCommand.filter(
            id=command_id, device_id=device.id, status__in=list(WAITING)
        ).update(status=CommandStatus(result), answered_at=moment, detail=str(data.get("detail", ""))[:500])
        if answered:
            command = await DeviceCommand.get(id=command_id)
            await _announce(command, device, device)
            published += 1
    return published


async def time_out(moment: datetime | None = None) -> int:
    """Commands still waiting past ``expires_at`` become TIMED_OUT, once across replicas."""
    moment = moment or now()
    async with exclusive("devices", TIMEOUT_LOCK) as mine:
        if not mine:
            return 0
        late = await DeviceCommand.filter(status__in=list(WAITING), expires_at__lt=moment).limit(
            TIMEOUT_BATCH
        )
        devices = {d.id: d for d in await Device.filter(id__in={c.device_id for c in late})}
        timed_out = 0
        for command in late:
            if await DeviceCommand.filter(id=command.id, status__in=list(WAITING)).update(
                status=CommandStatus.TIMED_OUT, answered_at=moment, detail="超时未应答 (no answer in time)"
            ):
                command.status = CommandStatus.TIMED_OUT
                device = devices[command.device_id]
                await _announce(command, device, device)
                timed_out += 1
        return timed_out


async def command_feed(
    principal: Principal, realtime: Realtime, device_id: UUID | None, after: str | None
) -> AsyncGenerator[tuple[Event, DeviceCommand], None]:
    """Each step of the commands in the caller's scope (optionally of one device): issued, sent is
    not streamed (the bridge's), acknowledged, failed, timed out."""
    scope = command_scope(principal)
    device = str(device_id) if device_id else None
    async for event, row in stream(principal, realtime, DEVICE_COMMANDS, DeviceCommand, after):
        if scope.test(row) and (device is None or event.scope.get("device_id") == device):
            yield event, row
