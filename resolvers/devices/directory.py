"""What devices reads of other subgraphs: the hall (an operations ``Org`` of kind HALL) a device is
registered at, checked against the caller's scope. Read-only, one statement per call, on the
operations connection alone (the devices process registers the operations app for it: ``consumes``
in subgraphs/devices.py)."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from models.operations import Org, OrgKind
from resolvers.devices.scopes import device_scope
from security.principal import Principal


async def hall_in_scope(principal: Principal, hall_id: UUID) -> Org | None:
    """The hall, when a device there would be in the caller's device scope; None for another
    tenant's or branch's hall, an org that is not a hall, or an unknown id alike."""
    hall = await Org.get_or_none(id=hall_id, kind=OrgKind.HALL)
    if hall is None or not device_scope(principal).test(SimpleNamespace(org_path=hall.path)):
        return None
    return hall


async def hall(hall_id: UUID) -> Org | None:
    """A hall by id, for the platform's own calls (the simulator's devices)."""
    return await Org.get_or_none(id=hall_id, kind=OrgKind.HALL)
